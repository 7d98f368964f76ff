"""Merging, linking, the trash and attachments."""

from __future__ import annotations

import pytest
from django.test import override_settings

from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.tickets.models import Message, Status, Ticket
from supportdesk.tickets.services import TooLarge, Upload, create_ticket, reply, update_ticket
from supportdesk.tickets.structure import (
    delete_ticket,
    link_tickets,
    merge_tickets,
    restore_ticket,
    trash_ticket,
    unlink_tickets,
)


@pytest.fixture
def erin_ticket(erin):
    return create_ticket(by=erin, requester=erin, subject="Refund again", body="Same problem.")


def test_merge_moves_messages_and_closes_the_source(carol_ticket, erin_ticket, alice, erin):
    update_ticket(erin_ticket, by=alice, changes={"tags": ["refund"]})
    merge_tickets(erin_ticket, carol_ticket, by=alice)
    erin_ticket.refresh_from_db()
    carol_ticket.refresh_from_db()
    assert erin_ticket.status == Status.CLOSED and erin_ticket.merged_into == carol_ticket
    assert erin in carol_ticket.cc.all()
    assert carol_ticket.tags == ["refund"]
    bodies = list(carol_ticket.messages.order_by("id").values_list("body", flat=True))
    assert "Same problem." in bodies
    assert carol_ticket.message_count == len(bodies) == 3
    assert erin_ticket.messages.count() == erin_ticket.message_count == 1  # the merge note
    with pytest.raises(DomainError):
        merge_tickets(erin_ticket, carol_ticket, by=alice)


def test_merge_needs_an_agent_and_two_tickets(carol_ticket, erin_ticket, carol, alice):
    with pytest.raises(PermissionDenied):
        merge_tickets(erin_ticket, carol_ticket, by=carol)
    with pytest.raises(DomainError, match="itself"):
        merge_tickets(carol_ticket, carol_ticket, by=alice)


def test_link_incident_to_problem(carol_ticket, erin_ticket, alice):
    with pytest.raises(DomainError, match="not a problem"):
        link_tickets(carol_ticket, erin_ticket, kind="incident_of", by=alice)
    update_ticket(erin_ticket, by=alice, changes={"type": "problem"})
    link_tickets(carol_ticket, erin_ticket, kind="incident_of", by=alice)
    link_tickets(carol_ticket, erin_ticket, kind="incident_of", by=alice)  # idempotent
    assert carol_ticket.links_out.count() == 1
    assert erin_ticket.events.filter(kind="linked").count() == 1
    unlink_tickets(carol_ticket, erin_ticket, kind="incident_of", by=alice)
    assert carol_ticket.links_out.count() == 0


def test_trash_restore_and_delete_for_good(carol_ticket, alice, admin):
    trash_ticket(carol_ticket, by=alice)
    with pytest.raises(DomainError, match="already"):
        trash_ticket(carol_ticket, by=alice)
    with pytest.raises(DomainError, match="trash"):
        reply(carol_ticket, author=alice, body="hi")
    restore_ticket(carol_ticket, by=alice)
    with pytest.raises(DomainError, match="trash first"):
        delete_ticket(carol_ticket, by=admin)
    trash_ticket(carol_ticket, by=alice)
    carol_ticket.refresh_from_db()
    with pytest.raises(PermissionDenied):
        delete_ticket(carol_ticket, by=alice)
    delete_ticket(carol_ticket, by=admin)
    assert not Ticket.objects.filter(pk=carol_ticket.pk).exists()


def test_attachments_are_stored_and_size_limited(carol_ticket, carol, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    message = reply(
        carol_ticket,
        author=carol,
        body="Screenshot attached",
        attachments=[
            Upload(
                filename="../../etc/passwd shot.png",
                content_type="image/png",
                data=b"\x89PNG....",
                size=8,
            )
        ],
    )
    att = message.attachments.get()
    assert att.filename == "passwd shot.png"
    assert att.file.read() == b"\x89PNG...."
    with override_settings(MAX_ATTACHMENT_BYTES=10):
        with pytest.raises(TooLarge):
            reply(
                carol_ticket,
                author=alice,
                body="big",
                attachments=[Upload(filename="big.bin", content_type="", data=b"x" * 11, size=11)],
            )
    # The failed reply left nothing behind.
    assert Message.objects.filter(body="big").count() == 0
