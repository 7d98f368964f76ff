"""GET /api/v1/tickets: filters, sorting, cursor pagination and a fixed query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import create_ticket, update_ticket


def _tickets(requester, n, **kwargs):  # type: ignore[no-untyped-def]
    return [
        create_ticket(by=None, requester=requester, subject=f"Ticket {i}", body="b", **kwargs)
        for i in range(n)
    ]


def _walk(api, **params):  # type: ignore[no-untyped-def]
    """Every item of every page, following `next`."""
    numbers, cursor, pages = [], None, 0
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        answer = api.get("/tickets", **query)
        assert answer.status_code == 200, answer.json()
        page = answer.json()
        numbers += [t["number"] for t in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            return numbers, pages


@pytest.mark.parametrize("sort", ["-number", "number", "-updated_at", "updated_at"])
def test_cursor_walks_every_page_once_in_order(as_user, alice, carol, sort):
    tickets = _tickets(carol, 12)
    # Equal update times across tickets test the tie-break on number.
    same = timezone.now()
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[:6]]).update(updated_at=same)
    numbers, pages = _walk(as_user(alice), limit=5, sort=sort)
    assert pages == 3
    assert len(numbers) == len(set(numbers)) == 12
    rows = Ticket.objects.order_by(*(("-number",) if sort == "-number" else ()))
    expected = {
        "-number": sorted(numbers, reverse=True),
        "number": sorted(numbers),
        "-updated_at": [t.pk for t in rows.order_by("-updated_at", "-number")],
        "updated_at": [t.pk for t in rows.order_by("updated_at", "number")],
    }[sort]
    assert numbers == expected


def test_limit_bounds_and_bad_cursor(as_user, alice, carol):
    api = as_user(alice)
    _tickets(carol, 3)
    assert len(api.get("/tickets").json()["items"]) == 3
    for bad in ("-5", "0", "101", "many"):
        answer = api.get("/tickets", limit=bad)
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"] == ["query", "limit"]
    assert api.get("/tickets", limit=100).status_code == 200
    for cursor in ("garbage", "WzEsMl0", "WyJ4Il0", "Wzk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5XQ"):
        answer = api.get("/tickets", cursor=cursor)
        assert answer.status_code == 400, (cursor, answer.json())
        assert "cursor" in answer.json()["detail"]


def test_filters_narrow_the_list(as_user, alice, bob, carol, erin, billing, org_acme):
    api = as_user(alice)
    a, b, c, d = _tickets(carol, 2) + _tickets(erin, 2)
    update_ticket(a, by=alice, changes={"group": billing, "assignee": bob, "priority": "high"})
    update_ticket(b, by=alice, changes={"tags": ["vip", "refund"], "status": "pending"})
    update_ticket(c, by=alice, changes={"status": "solved"})

    def numbers(**params):  # type: ignore[no-untyped-def]
        answer = api.get("/tickets", **params)
        assert answer.status_code == 200, answer.json()
        return sorted(t["number"] for t in answer.json()["items"])

    assert numbers(status="pending") == [b.pk]
    assert numbers(status="pending,solved") == sorted([b.pk, c.pk])
    assert numbers(priority="high") == [a.pk]
    assert numbers(group="Billing") == [a.pk] == numbers(group=billing.pk)
    assert numbers(assignee=bob.email) == [a.pk] == numbers(assignee=bob.pk)
    assert numbers(assignee="none") == sorted([b.pk, c.pk, d.pk])
    assert numbers(requester=erin.email) == sorted([c.pk, d.pk])
    assert numbers(organization="Acme") == sorted([a.pk, b.pk])
    assert numbers(organization=org_acme.pk) == sorted([a.pk, b.pk])
    assert numbers(tag="VIP") == [b.pk]
    Ticket.objects.filter(pk=d.pk).update(updated_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert d.pk not in numbers(updated_since=since)
    assert api.get("/tickets", status="bogus").status_code == 422
    assert api.get("/tickets", sort="subject").status_code == 422
    unknown = api.get("/tickets", group="Nope")
    assert unknown.status_code == 400 and unknown.json()["detail"].startswith("group")
    assert api.get("/tickets", requester="ghost@x.test").status_code == 400


def test_customer_lists_only_what_they_may_see(as_user, carol, dave, erin, alice):
    mine = _tickets(carol, 2)
    _tickets(dave, 1)
    _tickets(erin, 1)
    answer = as_user(carol).get("/tickets").json()
    assert sorted(t["number"] for t in answer["items"]) == sorted(t.pk for t in mine)
    # Filtering by someone else's id gives nothing, not their tickets.
    assert as_user(carol).get("/tickets", requester=erin.pk).json()["items"] == []


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_count_does_not_grow_with_tickets(
    as_user, alice, bob, carol, erin, billing, count, django_assert_max_num_queries
):
    for ticket in _tickets(carol, count):
        update_ticket(
            ticket,
            by=alice,
            changes={"group": billing, "assignee": bob, "cc": [erin], "followers": [alice]},
        )
    api = as_user(alice)
    api.get("/tickets")  # the token's last-used time is written once a minute
    # token, tickets, cc, followers
    with django_assert_max_num_queries(4):
        answer = api.get("/tickets", limit=100)
    assert len(answer.json()["items"]) == count


@pytest.mark.parametrize("count", [5, 50])
def test_customer_list_query_count_is_fixed(as_user, carol, count, django_assert_max_num_queries):
    _tickets(carol, count)
    api = as_user(carol)
    api.get("/tickets")
    # token, organization (for visibility), tickets, cc, followers, hidden custom fields
    with django_assert_max_num_queries(6):
        answer = api.get("/tickets", limit=100)
    assert len(answer.json()["items"]) == count
