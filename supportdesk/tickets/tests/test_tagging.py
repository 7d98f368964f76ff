"""Renaming and removing a tag on every ticket that carries it."""

from __future__ import annotations

import pytest

from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.tickets.models import EventKind, Status, TicketEvent, TicketTag
from supportdesk.tickets.services import create_ticket, update_ticket
from supportdesk.tickets.structure import trash_ticket
from supportdesk.tickets.tagging import (
    check_rename,
    remove_tag,
    rename_tag,
    tag_usage,
    top_tags,
)


@pytest.fixture
def tagged(carol, alice):  # type: ignore[no-untyped-def]
    """Five tickets of carol's: four tagged refund (one also refunds), one not."""
    tickets = []
    for i, tags in enumerate(
        [["refund", "vip"], ["refund"], ["refunds", "refund"], ["refund"], ["vip"]]
    ):
        ticket = create_ticket(by=carol, requester=carol, subject=f"T{i}", body="x")
        update_ticket(ticket, by=alice, changes={"tags": tags})
        tickets.append(ticket)
    return tickets


def _tags(tickets):  # type: ignore[no-untyped-def]
    for t in tickets:
        t.refresh_from_db()
    return [t.tags for t in tickets]


def test_rename_changes_every_ticket_in_small_batches_and_leaves_events(tagged, admin):
    assert rename_tag("Refund", "refunds", by=admin, batch=2) == 4
    assert _tags(tagged) == [["refunds", "vip"], ["refunds"], ["refunds"], ["refunds"], ["vip"]]
    assert not TicketTag.objects.filter(name="refund").exists()
    assert TicketTag.objects.filter(name="refunds").count() == 4
    events = TicketEvent.objects.filter(kind=EventKind.CHANGED, field="tags", actor=admin)
    assert sorted(e.ticket_id for e in events) == sorted(t.pk for t in tagged[:4])
    assert events.get(ticket=tagged[0]).new == ["refunds", "vip"]
    assert rename_tag("refund", "refunds", by=admin) == 0


def test_remove_takes_the_tag_off_and_skips_closed_and_trashed_tickets(tagged, admin, alice):
    update_ticket(tagged[1], by=alice, changes={"status": Status.SOLVED})
    update_ticket(tagged[1], by=alice, changes={"status": Status.CLOSED})
    trash_ticket(tagged[3], by=alice)
    usage = tag_usage("refund")
    assert (usage.total, usage.changeable, usage.kept) == (4, 2, 2)
    assert remove_tag("refund", by=admin) == 2
    assert _tags(tagged) == [["vip"], ["refund"], ["refunds"], ["refund"], ["vip"]]


def test_top_tags_counts_tickets_per_tag_and_filters_by_prefix(tagged):
    assert [(t.name, t.tickets) for t in top_tags()] == [("refund", 4), ("vip", 2), ("refunds", 1)]
    assert [t.name for t in top_tags(search="REF")] == ["refund", "refunds"]
    assert [t.name for t in top_tags(limit=1)] == ["refund"]


def test_only_admins_and_valid_names(tagged, alice, admin):
    with pytest.raises(PermissionDenied):
        rename_tag("refund", "money", by=alice)
    with pytest.raises(PermissionDenied):
        remove_tag("refund", by=alice)
    with pytest.raises(DomainError, match="new name: give one tag"):
        check_rename("refund", "  ")
    with pytest.raises(DomainError, match="may only hold letters"):
        rename_tag("refund", "<b>", by=admin)
    with pytest.raises(DomainError, match="already"):
        check_rename("refund", "Refund")
    assert check_rename("Refund", "Money Back") == ("refund", "money_back")
    assert TicketTag.objects.filter(name="refund").count() == 4
