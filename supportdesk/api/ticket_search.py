"""The ticket list's filters and ranked search, shared by the API and the workspace's
search page: one definition of what `q`, `status:open tag:refund ...` and the filter
parameters mean."""

from __future__ import annotations

from typing import Any

import pydantic

from supportdesk.accounts.models import User
from supportdesk.api import refs
from supportdesk.api.errors import validation_error
from supportdesk.api.ticket_schemas import TicketFilters
from supportdesk.lib.pagination import MAX_OFFSET, offset_cursor, parse_offset_cursor
from supportdesk.search.backends import search_ticket_numbers
from supportdesk.search.querysyntax import parse as parse_query
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.queries import TicketFilter, with_list_relations


def with_typed_filters(filters: TicketFilters) -> TicketFilters:
    """Move filters typed into `q` (`status:open tag:refund printer`) into their own
    parameters, checked like them; a parameter sent explicitly wins over the typed one."""
    if not filters.q or ":" not in filters.q:
        return filters
    parsed = parse_query(filters.q)
    if not parsed.filters:
        return filters
    sent = filters.model_dump(exclude_unset=True)
    typed = {k: v for k, v in parsed.filters.items() if k not in sent}
    try:
        return TicketFilters.model_validate({**sent, **typed, "q": parsed.text or None})
    except pydantic.ValidationError as exc:
        raise validation_error(exc, "query") from None


def ticket_filter(filters: TicketFilters) -> TicketFilter:
    f = TicketFilter(
        status=filters.statuses(),
        priority=filters.priorities(),
        tag=filters.tag,
        updated_since=filters.updated_since,
        trashed=filters.trashed,
    )
    if filters.group is not None:
        f.group = refs.group("group", filters.group).pk
    if filters.assignee is not None:
        if str(filters.assignee).strip().lower() == "none":
            f.unassigned = True
        else:
            f.assignee = refs.person("assignee", filters.assignee).pk
    if filters.requester is not None:
        f.requester = refs.person("requester", filters.requester).pk
    if filters.organization is not None:
        f.organization = refs.organization("organization", filters.organization).pk
    return f


def search_page(user: User, filters: TicketFilters, qs: Any) -> tuple[list[Ticket], str | None]:
    """Ranked full-text results, paged by offset (rank order has no keyset).

    Agents with no other filter search the whole index (the fast path) and trashed
    tickets are dropped afterwards, so such a page may hold fewer than `limit` items.
    Customers always search within what they may see, and only public text.
    """
    offset = parse_offset_cursor(filters.cursor)
    within = qs if (filters.narrows() or not user.is_agent) else None
    numbers = search_ticket_numbers(
        filters.q or "",
        public_only=not user.is_agent,
        within=within,
        limit=filters.limit + 1,
        offset=offset,
    )
    more = len(numbers) > filters.limit
    numbers = numbers[: filters.limit]
    visible = Ticket.objects.visible_to(user, trashed=filters.trashed).filter(number__in=numbers)
    found = {t.number: t for t in with_list_relations(visible)}
    rows = [found[n] for n in numbers if n in found]
    next_offset = offset + filters.limit
    return rows, offset_cursor(next_offset) if more and next_offset <= MAX_OFFSET else None
