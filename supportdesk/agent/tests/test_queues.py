"""Queue pages: built-in views, the rail's counts, sorting, pages and bulk actions."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from supportdesk.tickets.models import Status, Ticket
from supportdesk.tickets.services import create_ticket, update_ticket


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def _tickets(requester, n, **props):  # type: ignore[no-untyped-def]
    return [
        create_ticket(
            by=None, requester=requester, subject=f"Question {i}", body="Hi", properties=props
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("key", ["mine", "unassigned", "open", "pending", "solved", "trash"])
def test_every_builtin_view_renders_for_an_agent(client, alice, billing, carol_ticket, key):
    client.force_login(alice)
    response = client.get(f"/agent/views/{key}/")
    assert response.status_code == 200
    assert b'aria-current="page"' in response.content


def test_unassigned_shows_the_groups_tickets_and_mine_the_assigned(client, alice, billing, carol):
    ours = create_ticket(
        by=None, requester=carol, subject="Ours", body="x", properties={"group": billing}
    )
    client.force_login(alice)
    page = client.get("/agent/views/unassigned/").content.decode()
    assert "Ours" in page
    update_ticket(ours, by=alice, changes={"assignee": alice})
    assert "Ours" not in client.get("/agent/views/unassigned/").content.decode()
    assert "Ours" in client.get("/agent/views/mine/").content.decode()
    assert "Ours" in client.get(f"/agent/views/group-{billing.pk}/").content.decode()


def test_customers_and_strangers_stay_out(client, carol, carol_ticket):
    assert client.get("/agent/views/open/")["Location"].startswith("/login/")
    client.force_login(carol)
    assert client.get("/agent/views/open/")["Location"] == "/"
    assert client.get(f"/agent/tickets/{carol_ticket.number}/")["Location"] == "/"


def test_unknown_view_is_404(client, alice):
    client.force_login(alice)
    assert client.get("/agent/views/nope/").status_code == 404
    assert client.get("/agent/views/group-999/").status_code == 404
    assert client.get("/agent/views/v999/").status_code == 404


def test_rail_counts_are_capped_cached_and_refreshed(client, alice, billing, carol, settings):
    _tickets(carol, 3)
    client.force_login(alice)
    first = client.get("/agent/views/open/").content.decode()
    assert "count loading" in first and "hx-get" in first
    rail = client.get("/agent/rail/?current=open").content.decode()
    assert '<span class="count">3</span>' in rail.replace("\n", "")
    again = client.get("/agent/views/open/").content.decode()
    assert "count loading" not in again


def test_queue_page_queries_do_not_grow_with_tickets(
    client, alice, billing, carol, django_assert_max_num_queries
):
    _tickets(carol, 3, group=billing)
    client.force_login(alice)
    client.get("/agent/views/open/")  # warm the session and the rail cache
    with django_assert_max_num_queries(12) as few:
        client.get("/agent/views/open/")
    _tickets(carol, 40, group=billing, tags=["x"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/agent/views/open/")
    assert response.content.count(b"<tr data-row") == 43  # all on one page of 50


def test_sorting_and_cursor_pages(client, alice, carol):
    made = _tickets(carol, 55)
    client.force_login(alice)
    page1 = client.get("/agent/views/open/?sort=-number").content.decode()
    assert f">{made[-1].number}<" in page1 and f">{made[0].number}<" not in page1
    assert "Next page" in page1
    cursor = page1.split("cursor=")[1].split('"')[0]
    page2 = client.get(f"/agent/views/open/?sort=-number&cursor={cursor}").content.decode()
    assert f">{made[0].number}<" in page2 and "Next page" not in page2
    oldest_first = client.get("/agent/views/open/?sort=number").content.decode()
    assert oldest_first.index(f">{made[0].number}<") < oldest_first.index(f">{made[1].number}<")
    bad = client.get("/agent/views/open/?cursor=garbage")
    assert bad.status_code == 200 and b"first page" in bad.content


def test_bulk_assign_status_and_tags(client, alice, billing, carol):
    one, two, other = _tickets(carol, 3, group=billing)
    client.force_login(alice)
    response = client.post(
        "/agent/bulk/",
        {
            "t": [one.number, two.number],
            "assignee": "me",
            "priority": "high",
            "add_tags": "refund, vip",
            "next": "/agent/views/open/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/agent/views/open/"
    for t in (one, two):
        t.refresh_from_db()
        assert (t.assignee_id, t.priority, t.tags) == (alice.pk, "high", ["refund", "vip"])
        assert t.events.filter(field="assignee").exists()
    other.refresh_from_db()
    assert other.assignee_id is None
    client.post("/agent/bulk/", {"t": [one.number], "remove_tags": "vip", "status": "pending"})
    one.refresh_from_db()
    assert one.tags == ["refund"] and one.status == Status.PENDING


def test_bulk_reports_tickets_that_refuse_and_changes_the_rest(
    client, alice, bob, carol, technical
):
    inside, outside = _tickets(carol, 2)
    update_ticket(outside, by=alice, changes={"group": technical})
    client.force_login(bob)
    response = client.post(
        "/agent/bulk/", {"t": [inside.number, outside.number], "assignee": "me"}, follow=True
    )
    text = response.content.decode()
    assert "Changed 1 ticket." in text and f"#{outside.number}: assignee" in text
    inside.refresh_from_db()
    assert inside.assignee_id == bob.pk


def test_bulk_merge_and_bad_input(client, alice, carol):
    a, b, target = _tickets(carol, 3)
    client.force_login(alice)
    client.post("/agent/bulk/", {"t": [a.number, b.number], "merge_into": f"#{target.number}"})
    assert Ticket.objects.get(pk=a.pk).merged_into_id == target.pk
    assert Ticket.objects.get(pk=b.pk).status == Status.CLOSED
    nothing = client.post("/agent/bulk/", {"assignee": "me"}, follow=True)
    assert b"Select at least one ticket" in nothing.content
    missing = client.post(
        "/agent/bulk/", {"t": [target.number], "merge_into": "99999"}, follow=True
    )
    assert b"no ticket #99999" in missing.content
    offsite = client.post("/agent/bulk/", {"t": [target.number], "next": "https://evil.test/"})
    assert offsite["Location"] == "/agent/"


@pytest.mark.parametrize("sort", ["-number", "number", "-updated_at", "updated_at"])
def test_pages_merged_from_one_status_each_equal_the_whole_list(alice, carol, sort):
    from supportdesk.tickets.queries import (
        TicketFilter,
        filter_tickets,
        page_tickets,
        page_tickets_merged,
    )

    made = _tickets(carol, 23)
    for i, t in enumerate(made):
        if i % 3:
            update_ticket(t, by=alice, changes={"status": ["open", "pending"][i % 2]})
    statuses = ["new", "open", "pending"]

    def walk(fetch):  # type: ignore[no-untyped-def]
        seen, cursor = [], None
        while True:
            rows, cursor = fetch(cursor)
            seen += [t.number for t in rows]
            if not cursor:
                return seen

    whole = walk(
        lambda c: page_tickets(
            filter_tickets(alice, TicketFilter(status=statuses)), sort=sort, limit=4, cursor=c
        )
    )
    parts = [filter_tickets(alice, TicketFilter(status=[s])) for s in statuses]
    merged = walk(lambda c: page_tickets_merged(parts, sort=sort, limit=4, cursor=c))
    assert merged == whole and len(whole) == 23
