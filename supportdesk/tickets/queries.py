"""Reads of tickets shared by views and the API. Each starts from `visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from supportdesk.accounts.models import User
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.pagination import BAD_CURSOR, decode_cursor, encode_cursor
from supportdesk.tickets.models import Attachment, Message, Ticket, TicketEvent

SORTS = {
    "-number": ("-number",),
    "number": ("number",),
    "-updated_at": ("-updated_at", "-number"),
    "updated_at": ("updated_at", "number"),
    # Breaching next first; only tickets that owe something have a due time.
    "sla_due_at": ("sla_due_at", "number"),
}


def access_ticket(user: User, number: int | str) -> Ticket:
    """The ticket `number` if `user` may see it; NotFound for missing and forbidden alike."""
    try:
        number = int(number)
    except (TypeError, ValueError) as exc:
        raise NotFound("no such ticket") from exc
    if not 0 < number < 2**63:
        raise NotFound("no such ticket")
    ticket = (
        Ticket.objects.visible_to(user)
        .select_related("requester", "organization", "group", "assignee", "form")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise NotFound("no such ticket")
    attach_people([ticket])
    return ticket


def access_trashed_ticket(user: User, number: int) -> Ticket:
    ticket = Ticket.objects.visible_to(user, trashed=True).filter(number=number).first()
    if ticket is None:
        raise NotFound("no such ticket")
    return ticket


@dataclass
class TicketFilter:
    """The filters a ticket list accepts, shared by the API and (later) the queue pages."""

    status: list[str] | None = None
    priority: list[str] | None = None
    group: int | None = None
    assignee: int | None = None
    unassigned: bool = False
    requester: int | None = None
    organization: int | None = None
    tag: str | None = None
    updated_since: datetime | None = None
    q: str | None = None
    trashed: bool = False


def filter_tickets(user: User, f: TicketFilter) -> QuerySet[Ticket]:
    qs = Ticket.objects.visible_to(user, trashed=f.trashed)
    if f.status:
        qs = qs.filter(status__in=f.status) if len(f.status) > 1 else qs.filter(status=f.status[0])
    if f.priority:
        qs = qs.filter(priority__in=f.priority)
    if f.group is not None:
        qs = qs.filter(group_id=f.group)
    if f.assignee is not None:
        qs = qs.filter(assignee_id=f.assignee)
    if f.unassigned:
        qs = qs.filter(assignee__isnull=True)
    if f.requester is not None:
        qs = qs.filter(requester_id=f.requester)
    if f.organization is not None:
        qs = qs.filter(organization_id=f.organization)
    if f.tag:
        # A join, not `number IN (subquery)`: ordered by the tag row's ticket id (the same
        # value as the number), a page reads the (name, ticket) index backwards and stops
        # after `limit` rows, for a rare tag and for one on a third of all tickets alike.
        qs = qs.filter(tag_rows__name=f.tag.strip().lower()).annotate(
            sort_number=F("tag_rows__ticket_id")
        )
    if f.updated_since is not None:
        qs = qs.filter(updated_at__gte=f.updated_since)
    return qs


def with_list_relations(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What a ticket in a list shows, joined in; call `attach_people` on the page."""
    return qs.select_related("requester", "organization", "group", "assignee", "form")


def attach_people(tickets: list[Ticket]) -> list[Ticket]:
    """Set `cc_people` and `follower_people` on each ticket, in two queries for any
    number of tickets. prefetch_related would do the same but builds a related manager
    per ticket and relation, which was a fifth of a list page's time."""
    numbers = [t.pk for t in tickets]
    for relation, attr in (("cc", "cc_people"), ("followers", "follower_people")):
        through = getattr(Ticket, relation).through
        rows = through.objects.filter(ticket_id__in=numbers).select_related("user")
        found: dict[int, list[User]] = {n: [] for n in numbers}
        for row in rows.order_by("user_id"):
            found[row.ticket_id].append(row.user)
        for ticket in tickets:
            setattr(ticket, attr, found[ticket.pk])
    return tickets


# Keyset pagination -------------------------------------------------------------------


def page_tickets(
    qs: QuerySet[Ticket], *, sort: str, limit: int, cursor: str | None
) -> tuple[list[Ticket], str | None]:
    """One page of `qs` in `sort` order after `cursor`, and the cursor of the next page."""
    if sort not in SORTS:
        raise DomainError(f"sort must be one of {', '.join(SORTS)}")
    order = SORTS[sort]
    if sort == "sla_due_at":
        qs = qs.filter(sla_due_at__isnull=False)
    if "sort_number" in qs.query.annotations:
        order = tuple(key.replace("number", "sort_number") for key in order)
    if cursor:
        values = decode_cursor(cursor)
        qs = qs.filter(_after(order, values))
    rows = list(qs.order_by(*order)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(
            [getattr(last, key.lstrip("-").replace("sort_number", "number")) for key in order]
        )
    return rows, next_cursor


def page_tickets_merged(
    parts: list[QuerySet[Ticket]], *, sort: str, limit: int, cursor: str | None
) -> tuple[list[Ticket], str | None]:
    """`page_tickets` over the union of disjoint querysets (no tag filter).

    Rows after the cursor in the union are the rows after it in each part, so the first
    `limit` of the union are among the first `limit` of each part. Only the sort keys of
    the parts are read; the page's tickets are then fetched once, with their relations."""
    if len(parts) == 1:
        return page_tickets(parts[0], sort=sort, limit=limit, cursor=cursor)
    if sort not in SORTS:
        raise DomainError(f"sort must be one of {', '.join(SORTS)}")
    order = SORTS[sort]
    keys = [key.lstrip("-") for key in order]
    after = _after(order, decode_cursor(cursor)) if cursor else Q()
    if sort == "sla_due_at":
        after &= Q(sla_due_at__isnull=False)
    found: list[tuple[Any, ...]] = []
    for qs in parts:
        found += qs.filter(after).order_by(*order).values_list(*keys)[: limit + 1]
    found.sort(reverse=sort.startswith("-"))
    more = len(found) > limit
    top = found[:limit]
    # The number is the last key of every sort.
    by_number = {
        t.number: t
        for t in with_list_relations(Ticket.objects.filter(number__in=[row[-1] for row in top]))
    }
    rows = [by_number[row[-1]] for row in top if row[-1] in by_number]
    next_cursor = encode_cursor(list(top[-1])) if more and top else None
    return rows, next_cursor


def _after(order: tuple[str, ...], values: list[Any]) -> Q:
    """Rows after the cursor `values` in `order`; the last key is always the number (or
    its tag-join alias `sort_number`)."""
    if len(values) != len(order):
        raise DomainError(BAD_CURSOR)
    parsed: list[Any]
    try:
        if len(order) == 1:
            parsed = [int(values[0])]
        else:
            parsed = [datetime.fromisoformat(str(values[0])), int(values[1])]
            # Forged cursors: a naive or out-of-range time fails here, not in the driver.
            parsed[0] = parsed[0].astimezone(UTC) if parsed[0].tzinfo else None
        if parsed[0] is None or not 0 <= parsed[-1] < 2**63:
            raise ValueError("out of range")
    except (TypeError, ValueError, OverflowError) as exc:
        raise DomainError(BAD_CURSOR) from exc
    op = "lt" if order[0].startswith("-") else "gt"
    last = order[-1].lstrip("-")
    if len(order) == 1:
        return Q(**{f"{last}__{op}": parsed[0]})
    field = order[0].lstrip("-")
    return Q(**{f"{field}__{op}": parsed[0]}) | Q(**{field: parsed[0], f"{last}__{op}": parsed[1]})


# One ticket's conversation -----------------------------------------------------------


def messages_of(user: User, ticket: Ticket) -> QuerySet[Message]:
    """The messages of a ticket `user` already has access to; customers never get notes."""
    qs = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if not user.is_agent:
        qs = qs.filter(public=True)
    return qs.order_by("created_at", "id")


def events_of(user: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    qs = ticket.events.select_related("actor")
    if not user.is_agent:
        qs = qs.filter(public=True)
    return qs.order_by("id")


def access_attachment(user: User, token: str) -> Attachment:
    """An attachment on a ticket `user` may see, on a message they may see."""
    att = Attachment.objects.select_related("message").filter(token=token).first()
    if att is None:
        raise NotFound("no such file")
    visible = Ticket.objects.visible_to(user).filter(number=att.message.ticket_id)
    if not visible.exists() or (not att.message.public and not user.is_agent):
        raise NotFound("no such file")
    return att
