"""Outgoing mail, delivered to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from supportdesk.notify.models import MailStatus, OutgoingEmail
from supportdesk.notify.services import deliver_now, send_email
from supportdesk.tickets.services import reply, update_ticket


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
    ):
        yield inbox
    controller.stop()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run the on-commit work (subscribers, jobs) of the block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_new_ticket_confirmation_reaches_the_requester(smtp, carol, on_commit):
    from supportdesk.tickets.services import create_ticket

    with on_commit():
        ticket = create_ticket(
            by=carol, requester=carol, subject="Printer on fire", body="Smoke everywhere."
        )
    [msg] = smtp.to("carol@acme.test")
    assert msg["Subject"] == f"[#{ticket.pk}] Printer on fire"
    text = msg.get_body(("plain",)).get_content()
    assert f"the number #{ticket.pk}" in text and f"/requests/{ticket.pk}/" in text
    assert OutgoingEmail.objects.get(kind="acknowledgement").status == MailStatus.SENT


def test_public_reply_goes_to_requester_and_ccs_but_notes_never_do(
    smtp, carol_ticket, alice, bob, erin, on_commit
):
    with on_commit():
        update_ticket(carol_ticket, by=alice, changes={"cc": [erin], "followers": [bob]})
    with on_commit():
        reply(carol_ticket, author=alice, body="Customer is on the fraud list", public=False)
    assert smtp.to("carol@acme.test") == [] and smtp.to("erin@globex.test") == []
    assert "fraud list" in smtp.to("bob@example.test")[0].get_content()
    assert OutgoingEmail.objects.filter(kind="public_reply").count() == 0
    with on_commit():
        reply(carol_ticket, author=alice, body="We refunded the second charge.")
    [msg] = smtp.to("carol@acme.test")
    assert smtp.to("erin@globex.test") == [msg]  # one mail: carol in To, erin in Cc
    assert msg["To"] == "carol@acme.test" and msg["Cc"] == "erin@globex.test"
    text = msg.get_body(("plain",)).get_content()
    assert "We refunded the second charge." in text and "fraud" not in msg.as_string()
    assert smtp.to("alice@example.test") == []  # never to the author


def test_failed_delivery_is_kept_and_retried(carol, settings):
    dead_port = _free_port()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=dead_port,
        EMAIL_TIMEOUT=2,
    ):
        mail = send_email(kind="test", to=["carol@acme.test"], subject="Hi", body="Body")
        assert mail is not None
        with pytest.raises(OSError):
            deliver_now(mail.pk)
    mail.refresh_from_db()
    assert mail.status == MailStatus.QUEUED and mail.attempts == 1
    assert "Connection" in mail.last_error or "refused" in mail.last_error.lower()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=dead_port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=dead_port,
        ):
            assert deliver_now(mail.pk) is True
            assert deliver_now(mail.pk) is False  # already sent: a retried job sends once
    finally:
        controller.stop()
    mail.refresh_from_db()
    assert mail.status == MailStatus.SENT and mail.attempts == 2
    assert len(inbox.messages) == 1


def test_addresses_that_cannot_receive_are_dropped():
    assert (
        send_email(kind="t", to=["", "nobody", "merged-3-ab@invalid"], subject="s", body="b")
        is None
    )
