"""Changing a tag on every ticket that carries it: rename and remove.

A tag can be on a hundred thousand tickets, so these run as background jobs (see
`supportdesk/adminui/tasks.py`) and change one ticket per transaction through
`update_ticket`, which leaves each ticket its own event and never holds the write lock
for long. Closed tickets cannot change and trashed ones must be restored first (the
rules of `update_ticket`), so those keep the tag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, QuerySet

from supportdesk.accounts.models import User
from supportdesk.accounts.services import require_admin
from supportdesk.lib.errors import DomainError
from supportdesk.tickets.fields import clean_tags
from supportdesk.tickets.models import Status, Ticket, TicketTag
from supportdesk.tickets.services import update_ticket

BATCH = 200
TOP_TAGS = 200


def clean_tag(value: str, *, field: str = "tag") -> str:
    """One tag, normalised the way tickets store it (lower case, spaces as _)."""
    tags = clean_tags([value]) if isinstance(value, str) else []
    if len(tags) != 1:
        raise DomainError(f"{field}: give one tag")
    return tags[0]


@dataclass(frozen=True)
class TagCount:
    name: str
    tickets: int


def top_tags(*, search: str = "", limit: int = TOP_TAGS) -> list[TagCount]:
    """The most used tags (those starting with `search`, if given) with how many tickets
    carry each. A GROUP BY over the (name, ticket) index: fine for an admin page, not for
    a hot one."""
    rows = TicketTag.objects.all()
    search = "_".join(search.strip().lower().split())
    if search:
        rows = rows.filter(name__startswith=search)
    counted = rows.values("name").annotate(n=Count("ticket_id")).order_by("-n", "name")
    return [TagCount(r["name"], r["n"]) for r in counted[:limit]]


@dataclass(frozen=True)
class TagUsage:
    """How many tickets carry a tag, and how many of those a rename or removal changes."""

    total: int
    changeable: int

    @property
    def kept(self) -> int:
        return self.total - self.changeable


def tag_usage(tag: str) -> TagUsage:
    rows = TicketTag.objects.filter(name=tag)
    return TagUsage(total=rows.count(), changeable=_changeable(rows).count())


def _changeable(rows: QuerySet[TicketTag]) -> QuerySet[TicketTag]:
    return rows.filter(ticket__deleted_at__isnull=True).exclude(ticket__status=Status.CLOSED)


def check_rename(old: str, new: str) -> tuple[str, str]:
    """Both names, cleaned; a DomainError that says what to fix otherwise."""
    old, new = clean_tag(old), clean_tag(new, field="new name")
    if old == new:
        raise DomainError("new name: that is the tag's name already")
    return old, new


def rename_tag(old: str, new: str, *, by: User | None, batch: int = BATCH) -> int:
    """Rename `old` to `new` on every ticket that can change; a ticket that has both keeps
    one. Returns how many tickets changed. Safe to run again after a failure."""
    require_admin(by)
    old, new = check_rename(old, new)
    return _walk(old, lambda tags: [new if t == old else t for t in tags], by, batch)


def remove_tag(tag: str, *, by: User | None, batch: int = BATCH) -> int:
    """Take `tag` off every ticket that can change. Returns how many tickets changed."""
    require_admin(by)
    tag = clean_tag(tag)
    return _walk(tag, lambda tags: [t for t in tags if t != tag], by, batch)


def _walk(tag: str, change: Callable[[list[str]], list[str]], by: User | None, batch: int) -> int:
    """Visit the tickets tagged `tag` in number order, a batch of numbers at a time from
    the (name, ticket) index, so that tickets skipped (closed, trashed) are passed over
    instead of read again and again."""
    changed = 0
    after = 0
    while True:
        numbers = list(
            TicketTag.objects.filter(name=tag, ticket_id__gt=after)
            .order_by("ticket_id")
            .values_list("ticket_id", flat=True)[:batch]
        )
        if not numbers:
            return changed
        for number in numbers:
            changed += _retag(number, tag, change, by)
        after = numbers[-1]


def _retag(number: int, tag: str, change: Callable[[list[str]], list[str]], by: User | None) -> int:
    with transaction.atomic():
        # Lock first, so that the tags we rewrite are the ones the row holds now.
        ticket = (
            Ticket.objects.select_for_update()
            .filter(number=number, deleted_at__isnull=True)
            .exclude(status=Status.CLOSED)
            .first()
        )
        if ticket is None or tag not in ticket.tags:
            return 0
        tags = list(dict.fromkeys(change(list(ticket.tags))))
        update_ticket(ticket, by=by, changes={"tags": tags})
        return 1
