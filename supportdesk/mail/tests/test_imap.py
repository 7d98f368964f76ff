"""IMAP polling against a real dovecot (see conftest.py)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from imapclient import IMAPClient

from supportdesk.mail.imap import IMPORTED, poll, poll_all
from supportdesk.mail.models import Mailbox
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _message(n: int) -> bytes:
    m = EmailMessage()
    m["From"] = f"customer{n}@example.test"
    m["To"] = "support@desk.test"
    m["Subject"] = f"Question {n}"
    m["Message-ID"] = f"<q{n}@example.test>"
    m.set_content(f"Question number {n}")
    return m.as_bytes()


def _mailbox(server: dict[str, object], **extra: object) -> Mailbox:
    return Mailbox.objects.create(
        name="Support",
        address="support@desk.test",
        imap_host=server["host"],
        imap_port=server["port"],
        imap_security="none",
        imap_username=server["user"],
        imap_password=server["password"],
        **extra,
    )


def _client(server: dict[str, object]) -> IMAPClient:
    client = IMAPClient(str(server["host"]), port=int(str(server["port"])), ssl=False)
    client.login(str(server["user"]), str(server["password"]))
    return client


def test_poll_imports_new_mail_once_and_marks_it(dovecot) -> None:  # type: ignore[no-untyped-def]
    mailbox = _mailbox(dovecot)
    with _client(dovecot) as client:
        for n in range(3):
            client.append("INBOX", _message(n))
    lines = poll(mailbox)
    assert [line.split(" ")[0] for line in lines] == ["new", "new", "new"]
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "Question 0",
        "Question 1",
        "Question 2",
    ]
    assert poll(mailbox) == []  # marked: not fetched again
    with _client(dovecot) as client:
        client.select_folder("INBOX")
        flags = client.get_flags(client.search(["ALL"]))
        assert all(IMPORTED in f for f in flags.values())
        assert not any(b"\\Seen" in f for f in flags.values())  # people still see it unread
        client.append("INBOX", _message(0))  # the same message again
    assert [line.split(" ")[0] for line in poll(mailbox)] == ["duplicate"]


def test_poll_can_move_imported_mail(dovecot) -> None:  # type: ignore[no-untyped-def]
    mailbox = _mailbox(dovecot, imap_move_to="Imported")
    with _client(dovecot) as client:
        client.create_folder("Imported")
        client.append("INBOX", _message(7))
    assert len(poll(mailbox)) == 1
    with _client(dovecot) as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
        assert client.select_folder("Imported")[b"EXISTS"] == 1


def test_a_failing_mailbox_does_not_stop_the_others(dovecot) -> None:  # type: ignore[no-untyped-def]
    good = _mailbox(dovecot)
    Mailbox.objects.create(
        name="Broken",
        address="broken@desk.test",
        imap_host="127.0.0.1",
        imap_port=1,
        imap_security="none",
        imap_username="x",
    )
    with _client(dovecot) as client:
        client.append("INBOX", _message(1))
    assert poll_all() == {"broken@desk.test": -1, good.address: 1}
