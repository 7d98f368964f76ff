"""The live trail: cursors, what each stream may carry, presence, and collisions."""

from __future__ import annotations

import asyncio

import pytest

from supportdesk.live.feed import Cursor, current_cursor, read_since
from supportdesk.live.services import signal_presence
from supportdesk.live.views import Scope
from supportdesk.tickets.services import create_ticket, reply, update_ticket


def test_cursor_round_trip_and_junk():
    cursor = Cursor(12, 3, 0)
    assert Cursor.parse(str(cursor)) == cursor
    for junk in ("", "e1.s2", "e1.s2.n3; drop", "e" + "9" * 30 + ".s1.n1", None):
        assert Cursor.parse(junk) is None


def test_a_customer_stream_carries_only_public_changes_of_their_ticket(alice, carol, carol_ticket):
    other = create_ticket(by=None, requester=alice, subject="Other", body="x")
    start = current_cursor()
    reply(carol_ticket, author=alice, body="Public answer", public=True)
    reply(carol_ticket, author=alice, body="Secret note", public=False)
    update_ticket(other, by=alice, changes={"priority": "high"})
    signal_presence(carol_ticket, user=alice, kind="viewing")
    batch = read_since(start)
    assert batch.cursor.event > start.event and batch.cursor.signal > start.signal
    kept = Scope(carol, carol_ticket.number).keep(batch)
    assert kept["events"] and all(e["ticket"] == carol_ticket.number for e in kept["events"])
    assert all(e["public"] for e in kept["events"]) and kept["presence"] == []
    agent = Scope(alice, carol_ticket.number).keep(batch)
    assert any(not e["public"] for e in agent["events"])  # the note's event
    assert [p["kind"] for p in agent["presence"]] == ["viewing"]
    queue = Scope(alice, None).keep(batch)
    assert {e["ticket"] for e in queue["events"]} == {carol_ticket.number, other.number}


def test_presence_is_for_agents_on_tickets_they_see(client, alice, carol, erin, carol_ticket):
    client.force_login(alice)
    url = f"/live/presence/{carol_ticket.number}/"
    assert client.post(url, {"kind": "typing"}).status_code == 204
    assert client.post(url, {"kind": "dancing"}).status_code == 400
    client.force_login(carol)
    assert client.post(url, {"kind": "viewing"}).status_code == 400
    client.force_login(erin)
    assert client.post(url, {"kind": "viewing"}).status_code == 404


def test_stream_refuses_strangers_and_other_customers_tickets(client, carol, erin, carol_ticket):
    assert client.get("/live/stream/").status_code == 403
    client.force_login(erin)
    assert client.get(f"/live/stream/?ticket={carol_ticket.number}").status_code == 404
    assert client.get("/live/stream/").status_code == 404  # customers follow one request


def test_reply_after_another_agents_reply_asks_first(client, alice, bob, carol_ticket):
    client.force_login(alice)
    page = client.get(f"/agent/tickets/{carol_ticket.number}/").content.decode()
    seen = page.split('name="seen" value="')[1].split('"')[0]
    reply(carol_ticket, author=bob, body="Bob got there first.", public=True)
    post = {"kind": "public", "body": "My answer", "seen": seen, "confirm_collision": "0"}
    warned = client.post(f"/agent/tickets/{carol_ticket.number}/reply/", post)
    assert warned.status_code == 409
    text = warned.content.decode()
    assert "Bob Agent replied while you were writing" in text and "My answer" in text
    assert not carol_ticket.messages.filter(body="My answer").exists()
    # The re-rendered page has seen Bob's reply, so sending again goes through.
    seen = text.split('name="seen" value="')[1].split('"')[0]
    sent = client.post(f"/agent/tickets/{carol_ticket.number}/reply/", {**post, "seen": seen})
    assert sent.status_code == 302
    assert carol_ticket.messages.filter(body="My answer").exists()


@pytest.mark.parametrize("confirm", ["1"])
def test_send_anyway_skips_the_check(client, alice, bob, carol_ticket, confirm):
    client.force_login(alice)
    reply(carol_ticket, author=bob, body="Bob again.", public=True)
    post = {"kind": "public", "body": "Mine", "seen": "1", "confirm_collision": confirm}
    assert client.post(f"/agent/tickets/{carol_ticket.number}/reply/", post).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_committed_change_wakes_the_hub_at_once(alice, carol):
    """The hub LISTENs; a change committed by anyone NOTIFYs it (SQLite polls instead)."""
    from django.db import connection

    from supportdesk.live.hub import Hub

    if connection.vendor != "postgresql":
        # SQLite has no LISTEN: the listener ends at once and streams poll.
        assert _run(asyncio.wait_for(Hub()._listen(), timeout=1)) is None
        return

    async def scenario() -> bool:
        hub = Hub()
        listener = asyncio.get_running_loop().create_task(hub._listen())
        await asyncio.sleep(0.5)  # connected and listening
        from asgiref.sync import sync_to_async

        def change() -> None:
            try:
                create_ticket(by=None, requester=carol, subject="Wake", body="x")
            finally:
                connection.close()  # this thread's own connection, or teardown waits on it

        await sync_to_async(change, thread_sensitive=False)()
        try:
            await asyncio.wait_for(hub._wake.wait(), timeout=5)
            return True
        finally:
            listener.cancel()

    assert _run(scenario())


def _run(coroutine):  # type: ignore[no-untyped-def]
    """asyncio.run on a thread of its own, in case this thread already has a loop."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
