"""Loop signals: what marks a message as automatic (so nothing automatic answers it), and
mail from our own addresses, which never becomes a ticket."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from supportdesk.mail.ingest import ingest
from supportdesk.mail.loops import auto_reply_blocker
from supportdesk.mail.models import InboundMessage, Mailbox, Outcome
from supportdesk.mail.parse import parse
from supportdesk.tickets.models import Message, Ticket

OURS = {"support@desk.test"}


def mail(
    sender: str = "ann@customer.test", message_id: str = "<m@x.test>", **headers: str
) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "support@desk.test"
    m["Subject"] = "Hello"
    m["Message-ID"] = message_id
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content("Hi")
    return m.as_bytes()


@pytest.mark.parametrize(
    ("sender", "headers", "reason"),
    [
        ("ann@customer.test", {}, ""),
        ("ann@customer.test", {"Auto_Submitted": "no"}, ""),
        ("ann@customer.test", {"Auto_Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
        (
            "ann@customer.test",
            {"Auto_Submitted": "auto-generated (failure)"},
            "Auto-Submitted: auto-generated (failure)",
        ),
        ("ann@customer.test", {"Precedence": "Bulk"}, "Precedence: bulk"),
        ("ann@customer.test", {"Precedence": "list"}, "Precedence: list"),
        ("ann@customer.test", {"Precedence": "first-class"}, ""),
        (
            "ann@customer.test",
            {"List_Id": "<news.customer.test>"},
            "List-Id header (a mailing list)",
        ),
        (
            "ann@customer.test",
            {"List_Unsubscribe": "<mailto:u@x>"},
            "List-Unsubscribe header (a mailing list)",
        ),
        ("ann@customer.test", {"List_Post": "<mailto:l@x>"}, "List-Post header (a mailing list)"),
        ("ann@customer.test", {"X_Auto_Response_Suppress": "All"}, "X-Auto-Response-Suppress: All"),
        ("MAILER-DAEMON@mx.test", {}, "sent from an automatic address <mailer-daemon@mx.test>"),
        ("postmaster@x.test", {}, "sent from an automatic address <postmaster@x.test>"),
        ("noreply@shop.test", {}, "sent from an automatic address <noreply@shop.test>"),
        ("no-reply+17@shop.test", {}, "sent from an automatic address <no-reply+17@shop.test>"),
        ("donotreply@shop.test", {}, "sent from an automatic address <donotreply@shop.test>"),
        ("noreplyhelp@shop.test", {}, ""),  # a word that only starts like one
        (
            "support+12-abcdefgh@desk.test",
            {},
            "sent from our own address <support+12-abcdefgh@desk.test>",
        ),
    ],
)
def test_automatic_signals(sender: str, headers: dict[str, str], reason: str) -> None:
    assert auto_reply_blocker(parse(mail(sender, **headers)), OURS) == reason


@pytest.mark.django_db
def test_ingest_marks_automatic_messages_and_still_makes_the_ticket() -> None:
    ingest(mail(message_id="<a@x>", Auto_Submitted="auto-replied"))
    ingest(mail("bob@customer.test", message_id="<b@x>"))
    flags = dict(Message.objects.values_list("author__email", "metadata__no_auto_reply"))
    assert flags == {"ann@customer.test": "Auto-Submitted: auto-replied", "bob@customer.test": None}
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_mail_from_our_own_mailboxes_never_opens_a_ticket() -> None:
    Mailbox.objects.create(name="Desk", address="support@desk.test")
    Mailbox.objects.create(name="Shop", address="help@shop.test", enabled=False)
    lines = [
        ingest(mail("Desk <Support@desk.test>", "<o1@x>")).line,
        ingest(mail("help+5-abcdefgh@shop.test", "<o2@x>")).line,
    ]
    assert lines == [
        "quarantined: sent from our own address <support@desk.test>",
        "quarantined: sent from our own address <help+5-abcdefgh@shop.test>",
    ]
    assert not Ticket.objects.exists()
    assert set(InboundMessage.objects.values_list("outcome", flat=True)) == {Outcome.QUARANTINED}
