"""The views every agent has without defining them: their own open work, the unassigned
tickets of their groups, every open ticket, pending, recently solved, and one per group.

Each is a filter on indexed columns, so its page and its capped count stay cheap at a
million tickets. Keys are stable strings used in URLs: `mine`, `unassigned`, `open`,
`pending`, `solved`, `group-<id>`; saved views are `v<id>`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from supportdesk.accounts.models import Group, User
from supportdesk.lib.errors import NotFound
from supportdesk.queues.models import DEFAULT_COLUMNS, SavedView
from supportdesk.queues.queries import access_view, tickets_in_view, views_for
from supportdesk.tickets.models import Status, Ticket
from supportdesk.tickets.queries import TicketFilter, filter_tickets

UNSOLVED: list[str] = [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD]
RECENTLY_SOLVED_DAYS = 7


@dataclass
class Queue:
    """A view as the workspace shows it: built in or saved."""

    key: str
    name: str
    tickets: Callable[[], QuerySet[Ticket]]
    sort: str = "-number"
    columns: list[str] = field(default_factory=lambda: list(DEFAULT_COLUMNS))
    section: str = "Views"
    saved: SavedView | None = None
    # The same tickets as disjoint querysets of one status each, which a page reads
    # separately and merges: `status IN (...)` with an ORDER BY made SQLite sort every
    # match (a quarter of a second at 1M tickets), one status is an index range scan.
    parts: Callable[[], list[QuerySet[Ticket]]] | None = None


def _by_status(
    make: Callable[[list[str]], QuerySet[Ticket]], statuses: list[str]
) -> dict[str, Any]:
    return {
        "tickets": lambda: make(statuses),
        "parts": lambda: [make([status]) for status in statuses],
    }


def _filtered(user: User, **kw: Any) -> Callable[[list[str]], QuerySet[Ticket]]:
    return lambda statuses: filter_tickets(user, TicketFilter(status=statuses, **kw))


def _tickets(user: User, **kw: object) -> Callable[[], QuerySet[Ticket]]:
    return lambda: filter_tickets(user, TicketFilter(**kw))  # type: ignore[arg-type]


def _unassigned(user: User) -> Callable[[list[str]], QuerySet[Ticket]]:
    def tickets(statuses: list[str]) -> QuerySet[Ticket]:
        group_ids = list(user.agent_groups.values_list("pk", flat=True))
        qs = filter_tickets(user, TicketFilter(status=statuses, unassigned=True))
        # Agents in no group see the tickets no group has yet, which someone must triage.
        return qs.filter(Q(group_id__in=group_ids) | Q(group__isnull=True))

    return tickets


def _recently_solved(user: User) -> Callable[[], QuerySet[Ticket]]:
    def tickets() -> QuerySet[Ticket]:
        since = timezone.now() - timedelta(days=RECENTLY_SOLVED_DAYS)
        return filter_tickets(user, TicketFilter(status=[Status.SOLVED])).filter(
            solved_at__gte=since
        )

    return tickets


def builtin_queues(user: User, groups: list[Group]) -> list[Queue]:
    mine_cols = list(DEFAULT_COLUMNS)
    queues = [
        Queue(
            "mine",
            "My open tickets",
            **_by_status(_filtered(user, assignee=user.pk), UNSOLVED),
        ),
        # Oldest first: the tickets waiting longest for someone to take them.
        Queue(
            "unassigned",
            "Unassigned in my groups",
            sort="number",
            **_by_status(_unassigned(user), UNSOLVED),
        ),
        Queue(
            "open",
            "All open",
            columns=[*mine_cols[:6], "group", "assignee", "updated_at"],
            **_by_status(_filtered(user), [Status.NEW, Status.OPEN]),
        ),
        Queue("pending", "Pending", _tickets(user, status=[Status.PENDING])),
        Queue("solved", "Recently solved", _recently_solved(user)),
        Queue("trash", "Trash", _tickets(user, trashed=True), sort="-number", section="More"),
    ]
    for group in groups:
        queues.append(
            Queue(
                f"group-{group.pk}",
                group.name,
                sort="number",
                columns=[*mine_cols[:6], "assignee", "updated_at"],
                section="Groups",
                **_by_status(_filtered(user, group=group.pk), UNSOLVED),
            )
        )
    return queues


def saved_queue(user: User, view: SavedView) -> Queue:
    return Queue(
        f"v{view.pk}",
        view.name,
        lambda: tickets_in_view(user, view),
        sort=view.sort,
        columns=list(view.columns) or list(DEFAULT_COLUMNS),
        section="Shared views" if view.shared else "My views",
        saved=view,
    )


def all_groups() -> list[Group]:
    return list(Group.objects.order_by("name"))


def queues_for(user: User) -> list[Queue]:
    """Every queue in the rail, in order: built in, groups, shared views, personal views,
    and the trash last."""
    saved = views_for(user).filter(enabled=True).order_by("-shared", "position", "id")
    queues = builtin_queues(user, all_groups())
    trash = [q for q in queues if q.key == "trash"]
    rest = [q for q in queues if q.key != "trash"]
    return rest + [saved_queue(user, v) for v in saved] + trash


def queue_for(user: User, key: str) -> Queue:
    """One queue by its key; NotFound for an unknown key or a view the user may not see."""
    if key.startswith("v") and key[1:].isdigit():
        return saved_queue(user, access_view(user, int(key[1:])))
    if key.startswith("group-"):
        group = Group.objects.filter(pk=int(key[6:]) if key[6:].isdigit() else 0).first()
        if group is None:
            raise NotFound("no such group")
        groups = [group]
    else:
        groups = []
    for queue in builtin_queues(user, groups):
        if queue.key == key:
            return queue
    raise NotFound("no such view")
