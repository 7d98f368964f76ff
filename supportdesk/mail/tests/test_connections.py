"""Connections with a password, and the "Test connection" checks' words for each failure
(real dovecot and aiosmtpd servers on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend
from imapclient import IMAPClient

from supportdesk.mail.connections import (
    ConnectionCheckFailed,
    XOAuth2EmailBackend,
    check_imap,
    check_smtp,
    smtp_backend,
)
from supportdesk.mail.models import Auth, Mailbox
from supportdesk.mail.tests.smtp_server import free_port

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]


def _imap(server: dict[str, object], **extra: Any) -> Mailbox:
    fields: dict[str, Any] = {
        "name": "Support",
        "address": "support@desk.test",
        "imap_host": server["host"],
        "imap_port": server["port"],
        "imap_security": "none",
        "imap_username": server["user"],
        "imap_password": server["password"],
        **extra,
    }
    return Mailbox.objects.create(**fields)


def test_check_imap_counts_the_folders_messages(dovecot) -> None:  # type: ignore[no-untyped-def]
    mailbox = _imap(dovecot)
    assert check_imap(mailbox) == "OK: 0 messages in INBOX"
    with IMAPClient(str(dovecot["host"]), port=int(str(dovecot["port"])), ssl=False) as client:
        client.login(str(dovecot["user"]), str(dovecot["password"]))
        client.append("INBOX", b"From: a@b.test\r\nSubject: x\r\n\r\nx\r\n")
        client.append("INBOX", b"From: a@b.test\r\nSubject: y\r\n\r\ny\r\n")
    assert check_imap(mailbox) == "OK: 2 messages in INBOX"


def test_check_imap_explains_each_failure(dovecot) -> None:  # type: ignore[no-untyped-def]
    where = f"127.0.0.1:{dovecot['port']}"
    cases = [
        ({"imap_password": "wrong"}, f"login refused by {where}: "),
        ({"imap_port": free_port()}, "refused the connection"),
        ({"imap_security": "ssl"}, f"TLS with {where} failed: .*is 'ssl' the right security"),
        ({"imap_folder": "Nope"}, f"{where}: .*Mailbox doesn't exist: Nope"),
        ({"imap_move_to": "Done"}, "logged in, but there is no folder 'Done'"),
        ({"imap_host": "no-such-host.invalid"}, "cannot find the host no-such-host.invalid"),
        ({"imap_host": ""}, "no IMAP server set"),
    ]
    for n, (change, expected) in enumerate(cases):
        mailbox = _imap(dovecot, address=f"s{n}@desk.test", **change)
        with pytest.raises(ConnectionCheckFailed, match=expected):
            check_imap(mailbox)


class PasswordInbox:
    def __init__(self) -> None:
        self.logins: list[str] = []
        self.messages: list[bytes] = []

    def authenticator(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"desk", b"pw")
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.content)
        return "250 OK"


@contextmanager
def password_smtp() -> Iterator[tuple[PasswordInbox, int]]:
    inbox, port = PasswordInbox(), free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticator,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _smtp(port: int, **extra: Any) -> Mailbox:
    fields: dict[str, Any] = {
        "name": "Support",
        "address": "support@desk.test",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "smtp_username": "desk",
        "smtp_password": "pw",
        **extra,
    }
    return Mailbox.objects.create(**fields)


def test_smtp_backend_sends_with_the_mailboxs_password() -> None:
    with password_smtp() as (inbox, port):
        mailbox = _smtp(port)
        backend = smtp_backend(mailbox)
        assert type(backend) is EmailBackend
        message = EmailMessage("Hi", "Body text", mailbox.address, ["ann@customer.test"])
        message.connection = backend
        assert message.send() == 1
        assert inbox.logins == ["desk"] and b"Body text" in inbox.messages[0]
        assert check_smtp(mailbox) == f"OK: logged in to 127.0.0.1:{port}"


def test_smtp_backend_maps_security_and_never_borrows_the_sites_login(settings) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "site-user", "site-pw"
    tls = smtp_backend(_smtp(587, smtp_username="", smtp_password=""))
    assert (tls.use_tls, tls.use_ssl, tls.username, tls.password) == (False, False, "", "")
    starttls = smtp_backend(_smtp(587, address="b@desk.test", smtp_security="starttls"))
    assert (starttls.use_tls, starttls.use_ssl) == (True, False)
    ssl = smtp_backend(_smtp(465, address="c@desk.test", smtp_security="ssl"))
    assert (ssl.use_tls, ssl.use_ssl) == (False, True)
    oauth = smtp_backend(_smtp(465, address="d@desk.test", auth=Auth.XOAUTH2, smtp_username=""))
    assert isinstance(oauth, XOAuth2EmailBackend) and oauth.username == "d@desk.test"
    with pytest.raises(ValueError, match="no SMTP server of its own"):
        smtp_backend(Mailbox(address="e@desk.test"))


def test_check_smtp_explains_each_failure() -> None:
    with password_smtp() as (_, port):
        wrong = _smtp(port, smtp_password="wrong")
        with pytest.raises(ConnectionCheckFailed, match=f"login refused by 127.0.0.1:{port}: 535"):
            check_smtp(wrong)
        tls = _smtp(port, address="t@desk.test", smtp_security="starttls")
        with pytest.raises(ConnectionCheckFailed, match="STARTTLS"):
            check_smtp(tls)
        anonymous = _smtp(port, address="a@desk.test", smtp_username="", smtp_password="")
        assert check_smtp(anonymous) == f"OK: connected to (no login) 127.0.0.1:{port}"
    closed = _smtp(free_port(), address="c@desk.test")
    with pytest.raises(ConnectionCheckFailed, match="refused the connection"):
        check_smtp(closed)
    with pytest.raises(ConnectionCheckFailed, match="no SMTP server set"):
        check_smtp(Mailbox(address="n@desk.test"))
