"""The HTTP endpoint and the SMTP/LMTP listener deliver into `ingest` (real servers)."""

from __future__ import annotations

import smtplib
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from supportdesk.mail.listener import Handler, mailbox_for
from supportdesk.mail.models import InboundMessage, Mailbox
from supportdesk.tickets.models import Ticket


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _raw(subject: str = "Printer on fire") -> bytes:
    m = EmailMessage()
    m["From"] = "Ann <ann@customer.test>"
    m["To"] = "support@desk.test"
    m["Subject"] = subject
    m["Message-ID"] = f"<{abs(hash(subject))}@customer.test>"
    m.set_content("Help")
    return m.as_bytes()


@pytest.fixture
def mailbox(db):  # type: ignore[no-untyped-def]
    return Mailbox.objects.create(name="Support", address="support@desk.test")


def test_http_endpoint_ingests_a_raw_body(client, mailbox) -> None:  # type: ignore[no-untyped-def]
    url = f"/mail/inbound/{mailbox.pk}/"
    answer = client.post(
        url, _raw(), content_type="message/rfc822", HTTP_X_MAILBOX_SECRET=mailbox.secret
    )
    ticket = Ticket.objects.get()
    assert answer.status_code == 200
    assert answer.json() == {"result": f"new ticket {ticket.pk}", "ticket": ticket.pk}
    again = client.post(
        url, _raw(), content_type="message/rfc822", HTTP_AUTHORIZATION=f"Bearer {mailbox.secret}"
    )
    assert again.json()["result"] == f"duplicate of message on ticket {ticket.pk}"


def test_http_endpoint_takes_a_form_field_too(client, mailbox) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(
        f"/mail/inbound/{mailbox.pk}/",
        {"message": _raw().decode()},
        HTTP_X_MAILBOX_SECRET=mailbox.secret,
    )
    assert answer.json()["result"].startswith("new ticket")


def test_http_endpoint_refuses_bad_secrets_and_unknown_mailboxes(client, mailbox) -> None:  # type: ignore[no-untyped-def]
    url = f"/mail/inbound/{mailbox.pk}/"
    wrong = client.post(url, _raw(), content_type="message/rfc822", HTTP_X_MAILBOX_SECRET="x")
    assert wrong.status_code == 401
    assert client.post(url, _raw(), content_type="message/rfc822").status_code == 401
    missing = client.post("/mail/inbound/999/", _raw(), content_type="message/rfc822")
    assert missing.status_code == 404
    empty = client.post(
        url, b"", content_type="message/rfc822", HTTP_X_MAILBOX_SECRET=mailbox.secret
    )
    assert empty.status_code == 400
    assert client.get(url).status_code == 405
    assert InboundMessage.objects.count() == 0


def test_http_endpoint_asks_to_try_again_when_the_database_fails(
    client, mailbox, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from django.db import OperationalError

    from supportdesk.mail import ingest as ingest_module

    def locked(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("database is locked")

    monkeypatch.setattr(ingest_module, "_claim", locked)
    answer = client.post(
        f"/mail/inbound/{mailbox.pk}/",
        _raw(),
        content_type="message/rfc822",
        HTTP_X_MAILBOX_SECRET=mailbox.secret,
    )
    # A 5xx the mail service retries on, never a 200 for a message we did not keep.
    assert answer.status_code == 503 and answer["Retry-After"] == "60"
    assert InboundMessage.objects.count() == 0


def test_plus_addresses_belong_to_their_mailbox(mailbox) -> None:  # type: ignore[no-untyped-def]
    assert mailbox_for("Support+1234-k3f9@Desk.test") == mailbox
    assert mailbox_for("sales@desk.test") is None


@pytest.mark.django_db(transaction=True)
def test_smtp_listener_ingests_and_refuses_unknown_recipients() -> None:
    Mailbox.objects.create(name="Support", address="support@desk.test")
    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            refused = smtp.sendmail(
                "ann@customer.test", ["support@desk.test", "nobody@desk.test"], _raw()
            )
        assert list(refused) == ["nobody@desk.test"]
    finally:
        controller.stop()
    ticket = Ticket.objects.get()
    assert ticket.subject == "Printer on fire" and InboundMessage.objects.get().mailbox is not None
