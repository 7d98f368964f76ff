"""Ticket lists: filters and keyset pagination in every sort order."""

from __future__ import annotations

import pytest

from supportdesk.lib.errors import DomainError
from supportdesk.tickets.queries import SORTS, TicketFilter, filter_tickets, page_tickets
from supportdesk.tickets.services import create_ticket, update_ticket

# "Breaching next" lists only tickets with an SLA due time (tested in the sla app).
PLAIN_SORTS = [s for s in SORTS if s != "sla_due_at"]


@pytest.fixture
def twelve(carol, alice):  # type: ignore[no-untyped-def]
    tickets = []
    for i in range(12):
        t = create_ticket(by=carol, requester=carol, subject=f"Request {i}", body="Hello")
        if i % 3:
            update_ticket(t, by=alice, changes={"tags": ["refund", f"t{i}"]})
        tickets.append(t)
    return tickets


def walk(user, f, sort, limit=5):  # type: ignore[no-untyped-def]
    seen, cursor = [], None
    while True:
        rows, cursor = page_tickets(filter_tickets(user, f), sort=sort, limit=limit, cursor=cursor)
        seen += [t.pk for t in rows]
        if cursor is None:
            return seen


@pytest.mark.parametrize("sort", PLAIN_SORTS)
def test_cursor_walks_every_ticket_once_in_order(twelve, alice, sort):
    expected = sorted(
        twelve,
        key=lambda t: (t.updated_at, t.pk) if "updated" in sort else t.pk,
        reverse=sort.startswith("-"),
    )
    assert walk(alice, TicketFilter(), sort) == [t.pk for t in expected]


@pytest.mark.parametrize("sort", PLAIN_SORTS)
def test_tag_filter_pages_through_tagged_tickets_only(twelve, alice, sort):
    tagged = [t.pk for t in twelve if t.tags]
    assert sorted(walk(alice, TicketFilter(tag="REFUND"), sort, limit=3)) == sorted(tagged)
    assert walk(alice, TicketFilter(tag="t4"), sort) == [twelve[4].pk]
    assert walk(alice, TicketFilter(tag="nope"), sort) == []


def test_customers_list_only_their_own(twelve, erin, carol):
    assert walk(erin, TicketFilter(), "-number") == []
    assert len(walk(carol, TicketFilter(tag="refund"), "-number")) == 8


def test_forged_cursors_are_a_clear_error(twelve, alice):
    qs = filter_tickets(alice, TicketFilter())
    for cursor in ["garbage", "W10", "WyJ4Il0", "WzEsMl0"]:
        with pytest.raises(DomainError, match="cursor"):
            page_tickets(qs, sort="-number", limit=5, cursor=cursor)
    with pytest.raises(DomainError, match="sort"):
        page_tickets(qs, sort="subject", limit=5, cursor=None)
