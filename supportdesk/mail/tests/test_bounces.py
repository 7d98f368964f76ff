"""Bounces (delivery status notifications) are attached to the mail they return and never
become tickets: the real DSNs of the cpython corpus, and hand-made ones."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from supportdesk.mail.bounces import diagnostic, is_bounce
from supportdesk.mail.ingest import ingest
from supportdesk.mail.models import InboundMessage, Outcome
from supportdesk.mail.parse import parse
from supportdesk.notify.models import MailStatus, OutgoingEmail
from supportdesk.tickets.models import Message, Ticket
from supportdesk.tickets.services import reply

pytestmark = pytest.mark.django_db
CPYTHON = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "data"
    / "email"
    / "cpython_test_email"
    / "data"
)

# The cpython DSNs, the Message-ID of the message each returns, and the diagnostic.
DSNS = [
    ("msg_16.txt", "<002001c144a6$8752e060$56104586@oxy.edu>",
     "jangel1@cougar.noc.ucla.edu: 5.0.0 (recipient reached disk quota)"),  # message/rfc822
    ("msg_25.txt", "<01040616033903.00962@server>",
     # Its boundary is cut off, so its parts cannot be told apart: the Message-Id line in
     # its text names the returned message, and the subject says what happened.
     "Returned mail: Too many hops 19 (17 max): from <linuxuser-admin@www.linux.org.uk> via "
     "[199.164.235.226], to <scoffman@wellpartner.com>"),
    ("msg_43.txt", "<edab.7804f5cb8070@python.org>",
     "xxxxxxx@dot.ca.gov: 550 5.7.1 Message content rejected, id=01956-02-2 - BANNED: "
     "auto__mail.python.bat"),
]  # fmt: skip


def _fixture(name: str) -> bytes:
    path = CPYTHON / name
    if not path.exists():
        pytest.skip(f"the cpython e-mail corpus is not in {CPYTHON}")
    return path.read_bytes()


@pytest.fixture
def sent(carol_ticket, alice):  # type: ignore[no-untyped-def]
    """An agent's reply on Carol's ticket, and the mail that carried it."""

    def make(message_id: str) -> OutgoingEmail:
        message = reply(carol_ticket, author=alice, body="Refunded.")
        return OutgoingEmail.objects.create(
            kind="reply",
            to=["carol@acme.test"],
            subject="Re: Invoice",
            body="Refunded.",
            ticket=carol_ticket,
            ticket_message=message,
            message_id=message_id,
            status=MailStatus.SENT,
        )

    return make


@pytest.mark.parametrize(("name", "returned", "error"), DSNS, ids=[d[0] for d in DSNS])
def test_a_real_bounce_marks_the_mail_it_returns(sent, carol_ticket, name, returned, error):  # type: ignore[no-untyped-def]
    mail = sent(returned)
    messages = Message.objects.count()
    report = ingest(_fixture(name))
    assert report.line == f"bounce for ticket {carol_ticket.pk}"
    assert report.ticket == carol_ticket.pk
    mail.refresh_from_db()
    assert (mail.status, mail.last_error) == (MailStatus.BOUNCED, error)
    record = InboundMessage.objects.get()
    assert record.outcome == Outcome.BOUNCE
    assert (record.ticket_id, record.ticket_message_id) == (carol_ticket.pk, mail.ticket_message_id)
    assert Ticket.objects.count() == 1 and Message.objects.count() == messages


@pytest.mark.parametrize("name", ["msg_05.txt", "msg_16.txt", "msg_25.txt", "msg_43.txt"])
def test_a_bounce_for_mail_we_do_not_know_opens_no_ticket(name: str) -> None:
    report = ingest(_fixture(name))
    assert report.line == "bounce for an unknown message" and report.ticket is None
    record = InboundMessage.objects.get()
    assert record.outcome == Outcome.BOUNCE and record.ticket_id is None
    assert not Ticket.objects.exists()


def _daemon_mail(returned_id: str = "", **headers: str) -> bytes:
    """A robot's notice, as a plain multipart/mixed (no report), with the returned message
    attached when `returned_id` is given."""
    m = EmailMessage()
    m["From"] = "Mail Delivery System <MAILER-DAEMON@mx.customer.test>"
    m["To"] = "support@desk.test"
    m["Subject"] = "Undelivered Mail Returned to Sender"
    m["Message-ID"] = "<bounce-1@mx.customer.test>"
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content("I'm sorry to have to inform you that your message could not\nbe delivered.\n")
    if returned_id:
        original = EmailMessage()
        original["From"] = "support@desk.test"
        original["Message-ID"] = returned_id
        original.set_content("Refunded.")
        m.add_attachment(original)
    return m.as_bytes()


REPORT = b"""From: postmaster@mx.customer.test
To: support@desk.test
Subject: Delivery Status Notification (Failure)
Message-ID: <bounce-2@mx.customer.test>
In-Reply-To: <sd.9.9.xyz@desk.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Delivery to carol@acme.test failed permanently.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.customer.test

Final-Recipient: rfc822; carol@acme.test
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <carol@acme.test>: no such user
--B--
"""


def test_a_mailer_daemon_returning_our_message_is_a_bounce(sent, carol_ticket) -> None:  # type: ignore[no-untyped-def]
    mail = sent("<sd.1.2.abc@desk.test>")
    raw = _daemon_mail("<sd.1.2.abc@desk.test>")
    assert is_bounce(parse(raw))
    assert ingest(raw).line == f"bounce for ticket {carol_ticket.pk}"
    mail.refresh_from_db()
    # No delivery-status fields: the first lines of the notice say what happened.
    assert mail.last_error == (
        "I'm sorry to have to inform you that your message could not be delivered."
    )


def test_a_report_without_the_returned_message_matches_by_in_reply_to(sent, carol_ticket) -> None:  # type: ignore[no-untyped-def]
    mail = sent("<sd.9.9.xyz@desk.test>")
    assert ingest(REPORT).line == f"bounce for ticket {carol_ticket.pk}"
    mail.refresh_from_db()
    assert mail.last_error == "carol@acme.test: 550 5.1.1 <carol@acme.test>: no such user"


def test_a_robots_message_without_a_returned_message_is_no_bounce() -> None:
    # An out-of-office from a daemon-like address: a message, marked automatic.
    parsed = parse(_daemon_mail(In_Reply_To="<sd.9.9.xyz@desk.test>"))
    assert not is_bounce(parsed)


def test_diagnostic_prefers_the_diagnostic_code_then_the_status() -> None:
    raw = _fixture("msg_43.txt")
    assert diagnostic(parse(raw)).startswith("xxxxxxx@dot.ca.gov: 550 5.7.1")
