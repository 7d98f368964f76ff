"""GET /api/v1/tickets/{number}/sla: the clocks as of the call, not as of the last
recompute. Without a frozen clock, a history is dated in the past and the expectations
are computed from the answer's `computed_at`; moving the whole history further back is
the same as calling later."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone

from supportdesk.agent.tests.test_sla_panel import THREE_WAITS, conversation, opened
from supportdesk.sla.services import save_policy
from supportdesk.tickets.models import Message, Ticket, TicketEvent
from supportdesk.tickets.structure import trash_ticket


@pytest.fixture
def policy(admin):  # type: ignore[no-untyped-def]
    return save_policy(
        by=admin,
        name="Standard",
        conditions=None,
        targets={"first_reply": 60, "next_reply": 30, "resolution": 480},
        business_hours=False,
    )


def minutes_ago(minutes: int) -> datetime:
    """Whole seconds: the clocks work in epoch seconds, which may round microseconds."""
    return timezone.now().replace(microsecond=0) - timedelta(minutes=minutes)


def earlier(ticket: Ticket, minutes: int) -> None:
    """Move the ticket's whole history `minutes` into the past: as if called that much later."""
    back = timedelta(minutes=minutes)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=F("created_at") - back)
    Message.objects.filter(ticket=ticket).update(created_at=F("created_at") - back)
    TicketEvent.objects.filter(ticket=ticket).update(created_at=F("created_at") - back)
    ticket.refresh_from_db()


def read(client: Any, ticket: Ticket) -> tuple[dict[str, Any], float]:
    """The answer, and how many minutes after the ticket was opened it was computed."""
    answer = client.get(f"/tickets/{ticket.number}/sla")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    computed = datetime.fromisoformat(body["computed_at"])
    return body, (computed - ticket.created_at).total_seconds() / 60


def test_an_active_target_has_live_time_left(as_user, policy, alice, carol):  # type: ignore[no-untyped-def]
    ticket = opened(carol, minutes_ago(20))
    api = as_user(alice)
    body, elapsed = read(api, ticket)
    first = body["targets"]["first_reply"]
    assert body["policy"] == {"id": policy.pk, "name": "Standard"}
    assert first["state"] == "active" and first["achieved_at"] is None
    assert first["remaining_minutes"] == pytest.approx(60 - elapsed, abs=0.1)
    assert 39 < first["remaining_minutes"] < 41
    assert datetime.fromisoformat(first["started_at"]) == ticket.created_at
    due = ticket.created_at + timedelta(minutes=60)
    assert datetime.fromisoformat(first["due_at"]) == due
    assert datetime.fromisoformat(body["next_due_at"]) == due  # sooner than resolution's
    assert "next_reply" not in body["targets"]  # no customer message waits yet

    earlier(ticket, 30)
    later, elapsed = read(api, ticket)
    left = later["targets"]["first_reply"]["remaining_minutes"]
    assert left == pytest.approx(60 - elapsed, abs=0.1) and 9 < left < 11


def test_an_ongoing_breach_grows(as_user, policy, alice, carol):  # type: ignore[no-untyped-def]
    ticket = opened(carol, minutes_ago(90))
    api = as_user(alice)
    body, elapsed = read(api, ticket)
    first = body["targets"]["first_reply"]
    assert first["state"] == "breached" and first["achieved_at"] is None
    assert first["remaining_minutes"] is None
    assert first["breached_minutes"] == pytest.approx(elapsed - 60, abs=0.1)
    assert 29 < first["breached_minutes"] < 31

    earlier(ticket, 45)
    later, elapsed = read(api, ticket)
    grown = later["targets"]["first_reply"]["breached_minutes"]
    assert grown == pytest.approx(elapsed - 60, abs=0.1) and 74 < grown < 76
    # Still owed, so the due time of the breach is the ticket's next due time.
    assert later["next_due_at"] == later["targets"]["first_reply"]["due_at"]


def test_next_reply_lists_each_wait(as_user, policy, alice, carol):  # type: ignore[no-untyped-def]
    start = minutes_ago(210)
    ticket = conversation(carol, alice, start, THREE_WAITS)
    body, elapsed = read(as_user(alice), ticket)
    nxt = body["targets"]["next_reply"]
    cycles = nxt.pop("cycles")
    assert nxt == cycles[-1]  # the target's state is its latest wait's
    assert [c["state"] for c in cycles] == ["achieved", "breached", "active"]

    def at(minute: int) -> str:
        return (start + timedelta(minutes=minute)).isoformat()

    met, late, waiting = cycles
    assert (met["started_at"], met["achieved_at"], met["breached_minutes"]) == (
        at(60),
        at(80),
        None,
    )
    assert (late["started_at"], late["due_at"], late["achieved_at"]) == (at(120), at(150), at(170))
    assert late["breached_minutes"] == 20.0 and late["remaining_minutes"] is None
    assert (waiting["started_at"], waiting["due_at"]) == (at(200), at(230))
    assert waiting["remaining_minutes"] == pytest.approx(230 - elapsed, abs=0.1)
    assert body["targets"]["first_reply"]["state"] == "achieved"
    assert body["next_due_at"] == at(230)


def test_no_policy_no_clocks(as_user, alice, carol_ticket):  # type: ignore[no-untyped-def]
    body, _ = read(as_user(alice), carol_ticket)
    assert (body["policy"], body["targets"], body["next_due_at"]) == (None, {}, None)
    assert body["computed_at"]


def test_a_ticket_out_of_sight_is_404_and_customers_are_403(  # type: ignore[no-untyped-def]
    as_user, policy, admin, alice, carol, carol_ticket
):
    api = as_user(alice)
    assert api.get(f"/tickets/{carol_ticket.number}/sla").status_code == 200
    assert api.get(f"/tickets/{carol_ticket.number + 1000}/sla").status_code == 404
    trash_ticket(carol_ticket, by=admin)
    gone = api.get(f"/tickets/{carol_ticket.number}/sla")
    assert gone.status_code == 404 and "detail" in gone.json()

    own = opened(carol, timezone.now())
    refused = as_user(carol).get(f"/tickets/{own.number}/sla")
    assert refused.status_code == 403 and "detail" in refused.json()
