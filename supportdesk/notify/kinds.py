"""The kinds of notification an agent can get, each with its label and default delivery.

One registry, so that the preferences page, the service and later apps (SLA warnings,
escalations) agree on what exists: a later app adds its kind with `register()` in its
`AppConfig.ready()`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """A kind of notification and what an agent gets when they chose nothing."""

    key: str
    label: str
    help: str
    in_app: bool = True
    email: bool = True
    digest: bool = False


ASSIGNED = "assigned"
CUSTOMER_REPLIED = "customer_replied"
MENTIONED = "mentioned"
FOLLOWED_CHANGED = "followed_changed"

KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


register(Kind(ASSIGNED, "Assigned to you", "Someone else assigns a ticket to you."))
register(
    Kind(
        CUSTOMER_REPLIED,
        "Customer replied",
        "The customer answers on a ticket assigned to you.",
    )
)
register(Kind(MENTIONED, "Mentioned", "Someone @mentions you in an internal note."))
register(
    Kind(
        FOLLOWED_CHANGED,
        "Followed ticket updated",
        "A reply or note is added to a ticket you follow.",
    )
)
