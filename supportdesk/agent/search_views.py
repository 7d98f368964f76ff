"""Ticket search for agents: words ranked by the search module, with the field filters
an agent types (`status:open tag:refund requester:ann@acme.com group:billing`)."""

from __future__ import annotations

import pydantic
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from ninja.errors import ValidationError

from supportdesk.agent.cells import with_cells
from supportdesk.agent.pages import agent_required, render_workspace
from supportdesk.agent.queue_views import HEADERS, bulk_choices
from supportdesk.api.ticket_schemas import TicketFilters
from supportdesk.api.ticket_search import search_page, ticket_filter, with_typed_filters
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest
from supportdesk.search.snippets import snippets
from supportdesk.tickets.queries import filter_tickets, page_tickets, with_list_relations

COLUMNS = ["number", "subject", "requester", "status", "group", "assignee", "updated_at"]
PAGE_SIZE = 25


@agent_required
@require_GET
def search(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:500]
    context: dict[str, object] = {
        "search_q": q,
        "tickets": [],
        "next_cursor": None,
        "error": "",
        "columns": [{"key": c, "label": HEADERS[c]} for c in COLUMNS],
        **bulk_choices(),
    }
    if q:
        try:
            context.update(_results(request, q, request.GET.get("cursor") or None))
        except (DomainError, ValidationError, pydantic.ValidationError) as exc:
            context["error"] = _message(exc)
    return render_workspace(request, "agent/search.html", context, status=200)


def _results(request: AuthedRequest, q: str, cursor: str | None) -> dict[str, object]:
    user = request.user
    filters = with_typed_filters(
        TicketFilters.model_validate({"q": q, "limit": PAGE_SIZE, "cursor": cursor})
    )
    qs = filter_tickets(user, ticket_filter(filters))
    if filters.q:
        rows, next_cursor = search_page(user, filters, qs)
        found = snippets([t.number for t in rows], filters.q, public_only=False)
        for ticket in rows:
            ticket.snippet = found.get(ticket.number, "")  # type: ignore[attr-defined]
    else:
        # Only field filters: newest first, as the ticket list is.
        rows, next_cursor = page_tickets(
            with_list_relations(qs), sort="-number", limit=PAGE_SIZE, cursor=cursor
        )
    return {"tickets": with_cells(rows, COLUMNS), "next_cursor": next_cursor}


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for error in exc.errors:
            where = error.get("loc", ["", ""])[-1]
            parts.append(f"{where}: {error.get('msg', 'not understood')}")
        return "; ".join(parts) or "The search was not understood."
    if isinstance(exc, pydantic.ValidationError):
        return "; ".join(str(e.get("msg")) for e in exc.errors())
    return str(exc)
