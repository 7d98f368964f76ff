"""Ingesting raw mail: new tickets, threading, duplicates, quarantine (real database)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from supportdesk.accounts.services import save_group
from supportdesk.mail.ingest import ingest, split_mbox
from supportdesk.mail.models import InboundMessage, Mailbox, Outcome
from supportdesk.tickets.models import Message, Status, Ticket
from supportdesk.tickets.services import update_ticket

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "email"


def mail(
    body: str = "My printer is on fire.",
    *,
    sender: str = "Ann Lee <ann@customer.test>",
    subject: str = "Printer on fire",
    message_id: str | None = "<m1@customer.test>",
    **headers: str,
) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "support@desk.test"
    m["Subject"] = subject
    if message_id:
        m["Message-ID"] = message_id
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content(body)
    return m.as_bytes()


def test_a_new_message_opens_a_ticket_for_its_sender() -> None:
    report = ingest(mail())
    ticket = Ticket.objects.get()
    assert report.line == f"new ticket {ticket.pk}" and report.ticket == ticket.pk
    assert ticket.requester.email == "ann@customer.test" and ticket.requester.name == "Ann Lee"
    assert ticket.channel == "email" and ticket.subject == "Printer on fire"
    assert Message.objects.get().body == "My printer is on fire."
    stored = InboundMessage.objects.get()
    assert stored.outcome == Outcome.NEW_TICKET and bytes(stored.raw) == mail()


def test_a_reply_threads_by_in_reply_to_and_by_subject_reference() -> None:
    first = ingest(mail()).ticket
    second = ingest(
        mail("Still burning", message_id="<m2@customer.test>", In_Reply_To="<m1@customer.test>")
    )
    third = ingest(
        mail("Hello?", subject=f"Re: [#{first}] Printer", message_id="<m3@customer.test>")
    )
    assert second.line == f"reply on ticket {first}" and third.ticket == first
    assert Ticket.objects.count() == 1 and Message.objects.count() == 3


def test_the_same_message_twice_is_stored_once() -> None:
    first = ingest(mail())
    again = ingest(mail())
    assert again.line == f"duplicate of message on ticket {first.ticket}"
    assert Message.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_without_a_message_id_the_content_decides() -> None:
    ingest(mail(message_id=None))
    assert ingest(mail(message_id=None)).line.startswith("duplicate")
    assert ingest(mail("other words", message_id=None)).line.startswith("new ticket")


def test_broken_and_senderless_messages_are_quarantined_and_kept() -> None:
    assert ingest(b"   ").line == "quarantined: empty message"
    report = ingest(b"Subject: who am I\r\n\r\nnobody\r\n")
    assert report.line == "quarantined: no sender address (From)"
    kept = InboundMessage.objects.filter(outcome=Outcome.QUARANTINED)
    assert kept.count() == 2 and Ticket.objects.count() == 0


def test_nul_bytes_in_a_body_are_dropped() -> None:
    raw = b"From: a@x.test\r\nSubject: nul\r\n\r\nbefore\x00after\r\n"
    assert ingest(raw).line.startswith("new ticket")
    assert Message.objects.get().body == "beforeafter"


def test_over_the_size_limit_is_quarantined(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAIL_MAX_BYTES = 100
    assert ingest(mail("x" * 500)).line.startswith("quarantined: ")


def test_a_stranger_naming_a_ticket_number_gets_a_ticket_of_their_own() -> None:
    first = ingest(mail()).ticket
    report = ingest(
        mail("let me in", sender="eve@evil.test", subject=f"[#{first}] hi", message_id="<e@x>")
    )
    assert report.line.startswith("new ticket") and report.ticket != first


def test_a_reply_to_a_closed_ticket_opens_a_linked_follow_up(admin) -> None:  # type: ignore[no-untyped-def]
    first = Ticket.objects.get(pk=ingest(mail()).ticket)
    update_ticket(first, by=admin, changes={"status": Status.SOLVED})
    update_ticket(first, by=admin, changes={"status": Status.CLOSED})
    report = ingest(
        mail("again", message_id="<m9@customer.test>", In_Reply_To="<m1@customer.test>")
    )
    follow_up = Ticket.objects.exclude(pk=first.pk).get()
    assert report.line == f"follow-up ticket {follow_up.pk} of {first.pk}"
    assert follow_up.follow_up_of_id == first.pk


def test_ccs_mailbox_group_and_attachments(admin) -> None:  # type: ignore[no-untyped-def]
    group = save_group(by=admin, name="Printers")
    mailbox = Mailbox.objects.create(name="Support", address="support@desk.test", group=group)
    m = EmailMessage()
    m["From"] = "ann@customer.test"
    m["To"] = "support@desk.test"
    m["Cc"] = "Bob <bob@customer.test>, support@desk.test"
    m["Subject"] = "Photo"
    m.set_content("see attached")
    m.add_attachment(b"\x89PNG", maintype="image", subtype="png", filename="fire.png")
    ticket = Ticket.objects.get(pk=ingest(m.as_bytes(), mailbox=mailbox).ticket)
    assert ticket.group == group
    assert [u.email for u in ticket.cc.all()] == ["bob@customer.test"]
    assert [a.filename for a in Message.objects.get().attachments.all()] == ["fire.png"]


@pytest.mark.parametrize(
    "path",
    sorted((DATA / "cpython_test_email" / "data").glob("msg_*.txt")) + sorted(DATA.rglob("*.eml")),
    ids=lambda p: p.name,
)
def test_every_real_message_ingests_without_error(path: Path) -> None:
    report = ingest(path.read_bytes())
    first = report.line.split(" ")[0]
    assert first in ("new", "reply", "duplicate", "follow-up", "quarantined:", "bounce", "spam")
    assert InboundMessage.objects.count() == 1


def test_mbox_files_split_into_messages() -> None:
    box = b"From a@x Mon Jan 1 00:00:00 2026\nSubject: one\n\n>From the start\nx\n"
    box += b"From b@x Mon Jan 1 00:00:00 2026\nSubject: two\n\ny\n"
    first, second = split_mbox(box)
    assert first.startswith(b"Subject: one") and b"\nFrom the start" in first
    assert second.startswith(b"Subject: two")
    assert split_mbox(b"Subject: plain\n\nz\n") == [b"Subject: plain\n\nz\n"]


def test_an_agents_mail_on_a_closed_ticket_opens_a_follow_up_answering_the_requester(
    admin, alice
) -> None:  # type: ignore[no-untyped-def]
    first = Ticket.objects.get(pk=ingest(mail()).ticket)
    update_ticket(first, by=admin, changes={"status": Status.SOLVED})
    update_ticket(first, by=admin, changes={"status": Status.CLOSED})
    report = ingest(
        mail(
            "One more thing: the spare part ships Monday.",
            sender=f"Alice <{alice.email}>",
            subject=f"Re: [#{first.pk}] Printer on fire",
            message_id="<a1@desk.test>",
        )
    )
    follow_up = Ticket.objects.exclude(pk=first.pk).get()
    assert report.line == f"follow-up ticket {follow_up.pk} of {first.pk}"
    assert follow_up.follow_up_of_id == first.pk and follow_up.requester_id == first.requester_id
    # Our answer, not the customer's request: written by the agent, already answered.
    message = follow_up.messages.get()
    assert message.author_id == alice.pk and message.public
    assert follow_up.status == Status.OPEN and follow_up.first_reply_at is not None
    assert InboundMessage.objects.get(message_id="<a1@desk.test>").outcome == Outcome.FOLLOW_UP


@pytest.mark.parametrize("kind", ["attachment only", "S/MIME encrypted", "blank body"])
def test_a_message_with_no_text_still_opens_a_ticket(kind: str) -> None:
    m = EmailMessage()
    m["From"] = "ann@customer.test"
    m["Subject"] = kind
    if kind == "attachment only":
        m.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="scan.pdf")
    elif kind == "S/MIME encrypted":
        m.set_content(
            b"0\x80\x06\t*\x86H\x86\xf7\r\x01\x07\x03",
            maintype="application",
            subtype="pkcs7-mime",
            params={"smime-type": "enveloped-data"},
            filename="smime.p7m",
        )
    else:
        m.set_content("\n\n   \n")
    assert ingest(m.as_bytes()).line.startswith("new ticket")
    message = Message.objects.get()
    assert message.body == "(no text)"
    expected = {"attachment only": ["scan.pdf"], "S/MIME encrypted": ["smime.p7m"]}
    assert [a.filename for a in message.attachments.all()] == expected.get(kind, [])
