"""Ticket lifecycle rules: new -> open -> pending/solved -> closed, reopening, follow-ups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.tickets.models import EventKind, Status, Ticket
from supportdesk.tickets.services import close_solved_tickets, reply, update_ticket


def test_new_ticket_starts_new_with_the_requesters_message(carol_ticket, carol):
    assert carol_ticket.status == Status.NEW
    assert carol_ticket.message_count == 1
    message = carol_ticket.messages.get()
    assert message.author == carol and message.public
    assert carol_ticket.organization == carol.organization
    kinds = list(carol_ticket.events.values_list("kind", flat=True))
    assert kinds == [EventKind.CREATED, EventKind.MESSAGE]


def test_agent_public_reply_opens_new_ticket_and_stamps_first_reply(carol_ticket, alice):
    reply(carol_ticket, author=alice, body="Looking into it.")
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == Status.OPEN
    assert carol_ticket.first_reply_at is not None
    assert carol_ticket.last_public_by == alice and carol_ticket.last_public_by_agent


def test_internal_note_leaves_status_and_first_reply_alone(carol_ticket, alice):
    reply(carol_ticket, author=alice, body="Check Stripe first.", public=False)
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == Status.NEW
    assert carol_ticket.first_reply_at is None
    assert carol_ticket.message_count == 2


def test_assigning_a_new_ticket_opens_it(carol_ticket, alice, billing):
    update_ticket(carol_ticket, by=alice, changes={"group": billing, "assignee": alice})
    carol_ticket.refresh_from_db()
    assert (carol_ticket.status, carol_ticket.assignee) == (Status.OPEN, alice)
    fields = list(carol_ticket.events.filter(kind="changed").values_list("field", flat=True))
    assert fields == ["group", "assignee", "status"]


def test_customer_reply_reopens_pending_and_solved_but_not_on_hold(carol_ticket, carol, alice):
    for status in (Status.PENDING, Status.SOLVED):
        reply(carol_ticket, author=alice, body="Done?", status=status)
        reply(carol_ticket, author=carol, body="Not yet.")
        carol_ticket.refresh_from_db()
        assert carol_ticket.status == Status.OPEN
        assert carol_ticket.solved_at is None
    update_ticket(carol_ticket, by=alice, changes={"status": Status.ON_HOLD})
    reply(carol_ticket, author=carol, body="Any news?")
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == Status.ON_HOLD


def test_reply_with_status_changes_both_in_one_call(carol_ticket, alice):
    reply(carol_ticket, author=alice, body="Refunded.", status=Status.SOLVED)
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == Status.SOLVED and carol_ticket.solved_at is not None
    last = list(carol_ticket.events.order_by("-id").values_list("kind", "field")[:2])
    assert last == [(EventKind.CHANGED, "status"), (EventKind.MESSAGE, "")]


def test_status_rules_reject_impossible_transitions(carol_ticket, alice):
    with pytest.raises(DomainError, match="cannot stay new"):
        reply(carol_ticket, author=alice, body="x", status=Status.NEW)
    update_ticket(carol_ticket, by=alice, changes={"status": Status.OPEN})
    with pytest.raises(DomainError, match="back to new"):
        update_ticket(carol_ticket, by=alice, changes={"status": Status.NEW})
    with pytest.raises(DomainError, match="only solved"):
        update_ticket(carol_ticket, by=alice, changes={"status": Status.CLOSED})
    with pytest.raises(DomainError):
        update_ticket(carol_ticket, by=alice, changes={"status": "bogus"})


def test_solved_tickets_close_after_the_configured_days(carol_ticket, alice):
    reply(carol_ticket, author=alice, body="Refunded.", status=Status.SOLVED)
    assert close_solved_tickets(older_than=timezone.now() - timedelta(days=4)) == 0
    Ticket.objects.filter(pk=carol_ticket.pk).update(solved_at=timezone.now() - timedelta(days=5))
    assert close_solved_tickets(older_than=timezone.now() - timedelta(days=4)) == 1
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == Status.CLOSED and carol_ticket.closed_at is not None
    assert carol_ticket.updated_at >= carol_ticket.closed_at
    event = carol_ticket.events.order_by("-id").first()
    assert (event.field, event.new, event.source, event.actor) == (
        "status",
        "closed",
        "system",
        None,
    )


def test_closed_ticket_cannot_change_and_customer_reply_opens_follow_up(carol_ticket, carol, alice):
    reply(carol_ticket, author=alice, body="Refunded.", status=Status.SOLVED)
    update_ticket(carol_ticket, by=alice, changes={"status": Status.CLOSED})
    with pytest.raises(DomainError, match="closed"):
        update_ticket(carol_ticket, by=alice, changes={"priority": "high"})
    with pytest.raises(DomainError, match="closed"):
        reply(carol_ticket, author=alice, body="One more thing")
    message = reply(carol_ticket, author=carol, body="It happened again!")
    follow_up = message.ticket
    assert follow_up.pk != carol_ticket.pk
    assert follow_up.follow_up_of == carol_ticket
    assert follow_up.status == Status.NEW and follow_up.requester == carol
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == Status.CLOSED and carol_ticket.message_count == 2


def test_customer_may_only_mark_own_ticket_solved(carol_ticket, carol, erin):
    with pytest.raises(PermissionDenied):
        update_ticket(carol_ticket, by=carol, changes={"priority": "urgent"})
    with pytest.raises(PermissionDenied):
        update_ticket(carol_ticket, by=erin, changes={"status": Status.SOLVED})
    update_ticket(carol_ticket, by=carol, changes={"status": Status.SOLVED})
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == Status.SOLVED
