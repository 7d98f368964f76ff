"""The SLA card of the ticket page: each target's state in words, the next-reply history
(one line per customer message that waited, newest first) and times in the agent's zone.

Histories are played at chosen minutes: each step goes through the services, then what it
wrote (messages, events) is dated at the step's minute, which is what the clocks read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.agent.sla_panel import sla_panel
from supportdesk.sla.services import save_policy
from supportdesk.tickets.models import Message, Ticket, TicketEvent
from supportdesk.tickets.services import create_ticket, reply, update_ticket

# A Monday; 13:00 UTC is 22:00 in Tokyo, so Tokyo's day turns during the stories below.
START = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    cache.clear()


@pytest.fixture
def policy(admin):  # type: ignore[no-untyped-def]
    """Around the clock, so minutes on the wall are the clock's minutes."""
    return save_policy(
        by=admin,
        name="Standard",
        conditions=None,
        targets={"first_reply": 60, "next_reply": 30},
        business_hours=False,
    )


def happened(ticket: Ticket, when: datetime, action: Callable[[], Any]) -> Any:
    """Run `action` (a service call) and date the messages and events it wrote at `when`."""
    last_message = Message.objects.filter(ticket=ticket).aggregate(m=Max("id"))["m"] or 0
    last_event = TicketEvent.objects.filter(ticket=ticket).aggregate(m=Max("id"))["m"] or 0
    result = action()
    Message.objects.filter(ticket=ticket, id__gt=last_message).update(created_at=when)
    TicketEvent.objects.filter(ticket=ticket, id__gt=last_event).update(created_at=when)
    return result


def opened(requester: User, when: datetime, subject: str = "Invoice charged twice") -> Ticket:
    """A ticket the customer opened at `when`."""
    ticket = create_ticket(by=requester, requester=requester, subject=subject, body="Help")
    Ticket.objects.filter(pk=ticket.pk).update(created_at=when)
    Message.objects.filter(ticket=ticket).update(created_at=when)
    TicketEvent.objects.filter(ticket=ticket).update(created_at=when)
    ticket.refresh_from_db()
    return ticket


def conversation(customer: User, agent: User, start: datetime, minutes: list[int]) -> Ticket:
    """Opened at `start`, then public messages at these minutes, agent and customer in turn
    (the first by the agent)."""
    ticket = opened(customer, start)
    for i, minute in enumerate(minutes):
        author = agent if i % 2 == 0 else customer
        happened(
            ticket,
            start + timedelta(minutes=minute),
            lambda author=author, i=i: reply(ticket, author=author, body=f"Message {i}"),
        )
    return ticket


# Answered at +10 (first reply); the customer writes at +60, +120 and +200; the agent
# answers at +80 (20 min: met) and +170 (50 min: late by 20); +200 still waits.
THREE_WAITS = [10, 60, 80, 120, 170, 200]


def test_no_policy_no_card(alice, carol_ticket):  # type: ignore[no-untyped-def]
    assert sla_panel(carol_ticket, alice) is None


def test_a_first_reply_in_time_is_met(policy, alice, carol):  # type: ignore[no-untyped-def]
    ticket = conversation(carol, alice, START, [20])
    panel = sla_panel(ticket, alice, now=START + timedelta(hours=2))
    assert panel is not None
    assert (panel["policy"], panel["calendar"]) == ("Standard", "around the clock")
    [row] = panel["rows"]
    assert (row.label, row.text, row.urgency) == ("First reply", "met", "sla-ok")
    assert [s.text for s in row.history] == ["met"]


def test_a_breached_first_reply_says_how_long_ago(policy, alice, carol):  # type: ignore[no-untyped-def]
    ticket = opened(carol, START)
    panel = sla_panel(ticket, alice, now=START + timedelta(hours=3))
    assert panel is not None
    [row] = panel["rows"]
    assert (row.text, row.urgency) == ("breached 2h ago", "sla-late")
    assert (panel["next"], panel["next_urgency"]) == ("breached 2h ago", "sla-late")


def test_a_first_reply_answered_late_says_by_how_much(policy, alice, carol):  # type: ignore[no-untyped-def]
    ticket = conversation(carol, alice, START, [75])
    panel = sla_panel(ticket, alice, now=START + timedelta(hours=5))
    assert panel is not None
    [row] = panel["rows"]
    assert (row.text, row.urgency) == ("met late, by 15 min", "sla-late")
    assert panel["next"] == ""  # nothing is owed any more


def test_a_pending_ticket_is_paused_with_the_time_left(policy, alice, carol):  # type: ignore[no-untyped-def]
    ticket = opened(carol, START)
    happened(
        ticket,
        START + timedelta(minutes=10),
        lambda: update_ticket(ticket, by=alice, changes={"status": "pending"}),
    )
    panel = sla_panel(ticket, alice, now=START + timedelta(hours=3))
    assert panel is not None
    [row] = panel["rows"]
    assert (row.text, row.urgency) == ("paused, 50 min left", "")
    assert panel["next"] == ""  # a paused clock has no due time


def test_next_reply_history_lists_each_wait_newest_first(policy, alice, carol):  # type: ignore[no-untyped-def]
    ticket = conversation(carol, alice, START, THREE_WAITS)
    panel = sla_panel(ticket, alice, now=START + timedelta(minutes=210))
    assert panel is not None
    rows = {r.key: r for r in panel["rows"]}
    assert list(rows) == ["first_reply", "next_reply"]
    nxt = rows["next_reply"]
    assert nxt.summary == "3 customer messages waited, 1 answered late"
    assert (nxt.text, nxt.urgency) == ("20m left", "sla-soon")
    assert [(s.started, s.due, s.ended, s.text, s.urgency) for s in nxt.history] == [
        ("today 16:20", "today 16:50", "", "20m left", "sla-soon"),
        ("today 15:00", "today 15:30", "today 15:50", "met late, by 20 min", "sla-late"),
        ("today 14:00", "today 14:30", "today 14:20", "met", "sla-ok"),
    ]
    assert nxt.older == 0 and panel["zone"] == "UTC"


def test_times_are_the_agents_wall_time(policy, alice, carol):  # type: ignore[no-untyped-def]
    User.objects.filter(pk=alice.pk).update(time_zone="Asia/Tokyo")
    alice.refresh_from_db()
    ticket = conversation(carol, alice, START, THREE_WAITS)
    # 16:30 UTC is 01:30 on Tuesday in Tokyo: Monday's times carry their date.
    panel = sla_panel(ticket, alice, now=START + timedelta(minutes=210))
    assert panel is not None and panel["zone"] == "Asia/Tokyo"
    nxt = {r.key: r for r in panel["rows"]}["next_reply"]
    assert [(s.started, s.due, s.ended) for s in nxt.history] == [
        ("today 01:20", "today 01:50", ""),
        ("today 00:00", "today 00:30", "today 00:50"),
        ("Mon 02 Mar 23:00", "Mon 02 Mar 23:30", "Mon 02 Mar 23:20"),
    ]


def test_only_the_newest_waits_are_listed(policy, alice, carol):  # type: ignore[no-untyped-def]
    minutes = [10] + [m for i in range(12) for m in (60 * i + 30, 60 * i + 40)]
    ticket = conversation(carol, alice, START, minutes)
    panel = sla_panel(ticket, alice, now=START + timedelta(days=1))
    assert panel is not None
    nxt = {r.key: r for r in panel["rows"]}["next_reply"]
    assert nxt.summary == "12 customer messages waited"
    assert len(nxt.history) == 10 and nxt.older == 2


def _history_lines(page: str) -> list[str]:
    """The next-reply history's lines as text, in page order."""
    found = re.search(r"<summary>3 customer messages.*?</summary>\s*<ul>(.*?)</ul>", page, re.S)
    assert found, "no next-reply history on the page"
    items = re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in items]


def test_the_ticket_page_shows_the_card_in_words(client, policy, alice, carol):  # type: ignore[no-untyped-def]
    User.objects.filter(pk=alice.pk).update(time_zone="Asia/Tokyo")
    start = timezone.now() - timedelta(minutes=210)
    ticket = conversation(carol, alice, start, THREE_WAITS)
    client.force_login(alice)
    page = client.get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert 'id="sla"' in page and "Standard" in page
    assert "Around the clock · times in Asia/Tokyo" in page
    assert "3 customer messages waited, 1 answered late" in page
    lines = _history_lines(page)
    assert len(lines) == 3
    assert lines[0].endswith(": 19m left") or lines[0].endswith(": 20m left")
    assert lines[1].endswith(": met late, by 20 min") and ", answered " in lines[1]
    assert lines[2].endswith(": met") and lines[2].startswith("From ")
    tokyo = (start + timedelta(minutes=60)).astimezone(timezone.get_fixed_timezone(540))
    assert f"{tokyo:%H:%M}" in lines[2]  # the wait's start, on Tokyo's clock


def test_the_ticket_page_queries_do_not_grow_with_the_history(  # type: ignore[no-untyped-def]
    client, policy, alice, carol, django_assert_max_num_queries
):
    start = timezone.now() - timedelta(days=2)
    ticket = conversation(carol, alice, start, THREE_WAITS)
    client.force_login(alice)
    client.get(f"/agent/tickets/{ticket.number}/")
    with django_assert_max_num_queries(30) as few:
        client.get(f"/agent/tickets/{ticket.number}/")
    for i in range(8):
        for minute, author in ((300 + 20 * i, carol), (310 + 20 * i, alice)):
            happened(
                ticket,
                start + timedelta(minutes=minute),
                lambda author=author: reply(ticket, author=author, body="More"),
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert "10 customer messages waited, 2 answered late" in page
