"""Threading: the reply address (envelope, Delivered-To, To/Cc), messages that arrive
before what they answer (out of order) or whose parent never arrives (siblings), and the
rule that only the requester, a CC or an agent continue a ticket."""

from __future__ import annotations

import smtplib
import socket

import pytest
from aiosmtpd.controller import Controller

from supportdesk.mail.addresses import reply_address
from supportdesk.mail.ingest import ingest
from supportdesk.mail.listener import Handler
from supportdesk.mail.models import InboundMessage, InboundReference, Mailbox
from supportdesk.mail.tests.desk import customer_mail
from supportdesk.tickets.models import Status, Ticket
from supportdesk.tickets.services import update_ticket

pytestmark = pytest.mark.django_db
DESK = "support@desk.test"


def mail(message_id: str, body: str = "Hello", **kwargs: str) -> bytes:
    return customer_mail(body, message_id=message_id, **kwargs)


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox.objects.create(name="Support", address=DESK)


def test_the_reply_address_names_the_ticket_in_any_recipient_field(mailbox) -> None:  # type: ignore[no-untyped-def]
    first = ingest(mail("<a1@customer.test>"), mailbox=mailbox).ticket
    assert first is not None
    address = reply_address(DESK, first)
    # No threading headers and a new subject: only the address ties these to the ticket.
    by_envelope = ingest(
        mail("<a2@customer.test>", subject="other"), mailbox=mailbox, recipients=[address]
    )
    by_delivered_to = ingest(
        mail("<a3@customer.test>", subject="other", Delivered_To=address), mailbox=mailbox
    )
    by_to = ingest(mail("<a4@customer.test>", subject="other", to=address), mailbox=mailbox)
    by_cc = ingest(mail("<a5@customer.test>", subject="other", Cc=address), mailbox=mailbox)
    assert {r.line for r in (by_envelope, by_delivered_to, by_to, by_cc)} == {
        f"reply on ticket {first}"
    }
    # A forged token, or a stranger at the genuine address, gets a ticket of their own.
    forged = address.replace(address.split("-")[-1].split("@")[0], "aaaaaaaa")
    assert ingest(mail("<a6@customer.test>", to=forged), mailbox=mailbox).ticket != first
    stranger = ingest(mail("<e1@evil.test>", sender="eve@evil.test", to=address), mailbox=mailbox)
    assert stranger.line.startswith("new ticket") and stranger.ticket != first


def test_a_reply_that_arrives_before_its_parent_is_joined_by_the_parent() -> None:
    child = ingest(mail("<c2@x.test>", In_Reply_To="<c1@x.test>", References="<c1@x.test>")).ticket
    parent = ingest(mail("<c1@x.test>"))
    assert parent.line == f"reply on ticket {child}"
    assert set(InboundReference.objects.values_list("referenced_id", flat=True)) == {"<c1@x.test>"}


def test_siblings_whose_parent_never_arrives_share_a_ticket() -> None:
    first = ingest(mail("<s2@x.test>", References="<root@x.test> <s1@x.test>")).ticket
    sibling = ingest(mail("<s3@x.test>", In_Reply_To="<s1@x.test>"))
    assert sibling.line == f"reply on ticket {first}"
    unrelated = ingest(mail("<s4@x.test>", References="<other-root@x.test>"))
    assert unrelated.line.startswith("new ticket")


def test_out_of_order_threading_still_needs_a_right_to_write() -> None:
    ingest(mail("<p2@x.test>", In_Reply_To="<p1@x.test>"))
    # Eve's message is the parent the customer's reply names, but Eve may not write on
    # Ann's ticket: she gets her own.
    eve = ingest(mail("<p1@x.test>", sender="eve@evil.test"))
    assert eve.line.startswith("new ticket")
    assert Ticket.objects.count() == 2


def test_a_reply_to_a_closed_ticket_goes_to_its_open_follow_up(admin) -> None:  # type: ignore[no-untyped-def]
    first = Ticket.objects.get(pk=ingest(mail("<f1@x.test>")).ticket)
    update_ticket(first, by=admin, changes={"status": Status.SOLVED})
    update_ticket(first, by=admin, changes={"status": Status.CLOSED})
    follow = ingest(mail("<f2@x.test>", In_Reply_To="<f1@x.test>"))
    follow_up = Ticket.objects.get(follow_up_of=first)
    assert follow.line == f"follow-up ticket {follow_up.pk} of {first.pk}"
    # Another answer to the same old message: on the open follow-up, not a third ticket.
    again = ingest(mail("<f3@x.test>", In_Reply_To="<f1@x.test>"))
    assert again.line == f"reply on ticket {follow_up.pk}"
    assert Ticket.objects.count() == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.django_db(transaction=True)
def test_the_smtp_listener_passes_the_envelope_recipients() -> None:
    Mailbox.objects.create(name="Support", address=DESK)
    first = ingest(mail("<l1@customer.test>")).ticket
    assert first is not None
    address = reply_address(DESK, first)
    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            # The reply address only in the envelope (a Bcc): no header names it.
            smtp.sendmail("ann@customer.test", [address], mail("<l2@customer.test>", to=DESK))
    finally:
        controller.stop()
    record = InboundMessage.objects.get(message_id="<l2@customer.test>")
    assert record.ticket_id == first and Ticket.objects.count() == 1
