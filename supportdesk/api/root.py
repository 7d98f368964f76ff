"""The HTTP API at /api/v1/: one NinjaAPI, one router per resource.

Every endpoint needs a personal token (`Authorization: Bearer <token>`) or a signed-in
browser session; only the schema (/api/v1/openapi.json) and the docs (/api/v1/docs) are
public. docs/api.md describes the conventions and each endpoint.
"""

from __future__ import annotations

from ninja import NinjaAPI

from supportdesk.api import (
    automation,
    conversation,
    docs,
    errors,
    groups,
    kb,
    macros,
    organizations,
    people,
    routing,
    sla,
    sla_rules,
    ticket_links,
    tickets,
    users,
    views,
)
from supportdesk.api.auth import SessionAuth, TokenAuth

DESCRIPTION = """The supportdesk HTTP API.

Authenticate with a personal token, `Authorization: Bearer <token>` (create one with
`supportdesk manage create_token EMAIL`), or a signed-in browser session (unsafe methods
then need the `X-CSRFToken` header).

Lists take `limit` (1 to 100, default 25) and `cursor`, and answer
`{"items": [...], "next": "<cursor>" | null}`. Errors answer `{"detail": ...}`: 400 for a
request the rules refuse, 401 without valid credentials, 403 when your role may not, 404 for
what does not exist or you may not see, 413 for too large, 422 when the request does not
fit the schema, 429 with `Retry-After` after too many failed token attempts.
"""

api = NinjaAPI(
    title="supportdesk API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs=docs.BundledSwagger(),
)
errors.install(api)

api.add_router("/", docs.router)
api.add_router("/tickets", tickets.router)
api.add_router("/tickets", conversation.router)
api.add_router("/tickets", ticket_links.router)
api.add_router("/customers", people.router)
api.add_router("/users", users.router)
api.add_router("/users", routing.user_router)
api.add_router("/me", users.me_router)
api.add_router("/organizations", organizations.router)
api.add_router("/groups", groups.router)
api.add_router("/groups", routing.group_router)
api.add_router("/views", views.router)
api.add_router("/sla", sla.router)
api.add_router("/sla", sla_rules.router)
api.add_router("/tickets", sla.ticket_router)
api.add_router("/macros", macros.router)
api.add_router("/tickets", macros.ticket_router)
api.add_router("/triggers", automation.trigger_router)
api.add_router("/time-rules", automation.time_rule_router)
api.add_router("/kb", kb.router)
