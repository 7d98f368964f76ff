"""End to end on loopback: our reply goes out through a real SMTP server, the customer's
answer is built from what arrived there and fed back to ingest, and it lands on the same
ticket, however much of the threading the customer's mail client kept. Two of our own
mailboxes mailing each other do not loop."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from supportdesk.mail.addresses import base_address
from supportdesk.mail.ingest import ingest
from supportdesk.mail.models import InboundMessage, Mailbox, Outcome
from supportdesk.mail.tests.desk import our_mailbox
from supportdesk.mail.tests.smtp_server import Inbox
from supportdesk.notify.models import OutgoingEmail
from supportdesk.tickets.models import Message, Ticket
from supportdesk.tickets.services import reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Ingest (or do anything) and run what it queues on commit: the mail it sends."""

    def go(raw: bytes, mailbox: Mailbox) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            return ingest(raw, mailbox=mailbox).line

    return go


def first_mail() -> bytes:
    m = EmailMessage()
    m["From"] = "Ann Lee <ann@customer.test>"
    m["To"] = "Desk Support <support@desk.test>"
    m["Subject"] = "Printer on fire"
    m["Message-ID"] = "<first@customer.test>"
    m.set_content("My printer is on fire.")
    return m.as_bytes()


def answer(ours: EmailMessage, *, threading: bool, to: str, subject: str) -> bytes:
    """The customer's answer to `ours`, as a mail client would write it."""
    m = EmailMessage()
    m["From"] = "Ann Lee <ann@customer.test>"
    m["To"] = to
    m["Subject"] = subject
    m["Message-ID"] = make_msgid(domain="customer.test")
    if threading:
        m["In-Reply-To"] = ours["Message-ID"]
        m["References"] = f"{ours['References']} {ours['Message-ID']}".strip()
    quoted = "\n".join(
        f"> {line}" for line in str(ours.get_body(("plain",)).get_content()).splitlines()
    )
    m.set_content(f"It works again, thank you!\n\nOn Monday, Desk Support wrote:\n{quoted}\n")
    return m.as_bytes()


@pytest.mark.parametrize(
    "variant",
    ["all headers", "only the reply address", "only the subject reference"],
)
def test_the_customers_answer_to_our_reply_lands_on_the_same_ticket(
    smtp, mailbox, alice, run, django_capture_on_commit_callbacks, variant
):
    assert run(first_mail(), mailbox).startswith("new ticket")
    ticket = Ticket.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        reply(ticket, author=alice, body="Please unplug it and plug it in again.")
    [ours] = [m for _, m in smtp.messages if m["Subject"].startswith(f"[#{ticket.pk}] Re:")]
    if variant == "all headers":
        raw = answer(ours, threading=True, to=ours["Reply-To"], subject=f"Re: {ours['Subject']}")
    elif variant == "only the reply address":
        raw = answer(ours, threading=False, to=ours["Reply-To"], subject="Another thing")
    else:
        raw = answer(ours, threading=False, to="support@desk.test", subject=f"Fw: [#{ticket.pk}]")
    assert run(raw, mailbox) == f"reply on ticket {ticket.pk}"
    assert Ticket.objects.count() == 1
    latest = ticket.messages.latest("id")
    assert latest.author.email == "ann@customer.test" and "It works again" in latest.body
    # No acknowledgement for an answer: only the one for the new ticket went out.
    assert OutgoingEmail.objects.filter(kind="acknowledgement").count() == 1


def test_an_answer_to_the_acknowledgement_threads_too(smtp, mailbox, run):
    run(first_mail(), mailbox)
    ticket = Ticket.objects.get()
    [ack] = [m for _, m in smtp.messages if m["Auto-Submitted"] == "auto-replied"]
    raw = answer(ack, threading=True, to=ack["Reply-To"], subject=f"Re: {ack['Subject']}")
    assert run(raw, mailbox) == f"reply on ticket {ticket.pk}"


def deliver_everything(smtp: Inbox, run, start: int) -> int:  # type: ignore[no-untyped-def]
    """Hand every mail the SMTP server got since `start` to the mailbox of ours it was
    addressed to, as the mail system would; returns how many were handed over."""
    handed = 0
    for rcpts, message in smtp.messages[start:]:
        for rcpt in rcpts:
            box = Mailbox.objects.filter(address__iexact=base_address(rcpt)).first()
            if box is not None:
                run(message.as_bytes(), box)
                handed += 1
    return handed


def test_two_of_our_mailboxes_mailing_each_other_do_not_loop(smtp, run):
    desk = our_mailbox(smtp, "support@desk.test", "Desk Support")
    our_mailbox(smtp, "help@shop.test", "Shop Help")
    # A misbehaving responder at our other address (no Auto-Submitted) writes to the desk.
    m = EmailMessage()
    m["From"] = "Shop Help <help@shop.test>"
    m["To"] = "support@desk.test"
    m["Subject"] = "We received your message"
    m["Message-ID"] = "<r1@shop.test>"
    m.set_content("Thank you for your message, we will answer soon.")
    run(m.as_bytes(), desk)
    seen, rounds = 0, 0
    while rounds < 10:
        now = len(smtp.messages)
        if not deliver_everything(smtp, run, seen):
            break
        seen, rounds = now, rounds + 1
    assert rounds == 0  # nothing of ours ever went to our own addresses
    assert not any(
        base_address(r) in ("support@desk.test", "help@shop.test")
        for rs, _ in smtp.messages
        for r in rs
    )
    stored = InboundMessage.objects.get()
    assert stored.outcome == Outcome.QUARANTINED and Message.objects.count() == 0


def test_a_reply_is_not_copied_to_our_other_mailbox(
    smtp, run, alice, django_capture_on_commit_callbacks
):
    desk = our_mailbox(smtp, "support@desk.test", "Desk Support")
    our_mailbox(smtp, "help@shop.test", "Shop Help")
    m = EmailMessage()
    m["From"] = "Ann Lee <ann@customer.test>"
    m["To"] = "support@desk.test"
    m["Cc"] = "help@shop.test, Bo <bo@customer.test>"
    m["Subject"] = "Printer on fire"
    m["Message-ID"] = "<first@customer.test>"
    m.set_content("My printer is on fire.")
    run(m.as_bytes(), desk)
    ticket = Ticket.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        reply(ticket, author=alice, body="On our way.")
    [ours] = [(rs, m) for rs, m in smtp.messages if "Auto-Submitted" not in m]
    assert sorted(ours[0]) == ["ann@customer.test", "bo@customer.test"]
    assert deliver_everything(smtp, run, 0) == 0  # nothing for our mailboxes to answer
    assert Ticket.objects.count() == 1 and InboundMessage.objects.count() == 1
