"""OAuth 2 for mailboxes: access tokens refreshed at a real token endpoint on loopback, and
XOAUTH2 logins end to end against dovecot (IMAP, tokens checked by its oauth2 passdb at
our loopback provider) and aiosmtpd (SMTP)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.core.mail import EmailMessage as DjangoEmailMessage
from django.utils.timezone import now

from supportdesk.mail.connections import (
    ConnectionCheckFailed,
    check_imap,
    check_smtp,
    imap_client,
    smtp_backend,
)
from supportdesk.mail.imap import poll
from supportdesk.mail.models import Auth, Mailbox
from supportdesk.mail.oauth import OAuthError, access_token, xoauth2_string
from supportdesk.mail.tests.conftest import run_dovecot
from supportdesk.mail.tests.oauth_server import (
    CLIENT_ID,
    CLIENT_SECRET,
    USER,
    Provider,
    oauth_provider,
)
from supportdesk.mail.tests.smtp_server import free_port
from supportdesk.tickets.models import Ticket

pytestmark = [
    pytest.mark.django_db,
    # The XOAUTH2 SMTP server requires a login without TLS: fine on loopback.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]


@pytest.fixture
def provider() -> Iterator[Provider]:
    with oauth_provider() as running:
        yield running


def _mailbox(provider: Provider, **extra: Any) -> Mailbox:
    fields: dict[str, Any] = {
        "name": "Support",
        "address": USER,
        "auth": Auth.XOAUTH2,
        "oauth_token_url": provider.token_url,
        "oauth_client_id": CLIENT_ID,
        "oauth_client_secret": CLIENT_SECRET,
        "oauth_refresh_token": "rt-1",
        **extra,
    }
    return Mailbox.objects.create(**fields)


def test_the_sasl_string_is_the_one_google_documents() -> None:
    # developers.google.com/gmail/imap/xoauth2-protocol: the example and its base64.
    sasl = xoauth2_string("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")
    assert base64.b64encode(sasl.encode()).decode() == (
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNr"
        "QmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
    )


def test_a_refreshed_token_is_stored_and_reused_until_it_nearly_expires(provider) -> None:  # type: ignore[no-untyped-def]
    mailbox = _mailbox(provider)
    token = access_token(mailbox)
    assert token in provider.access_tokens
    assert provider.requests == [
        {
            "grant_type": "refresh_token",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "refresh_token": "rt-1",
        }
    ]
    stored = Mailbox.objects.get(pk=mailbox.pk)
    assert stored.oauth_access_token == token
    assert stored.oauth_expires_at is not None
    assert abs((stored.oauth_expires_at - now()) - timedelta(hours=1)) < timedelta(seconds=30)
    assert access_token(stored) == token and len(provider.requests) == 1  # still valid
    # Less than a minute left: refreshed before it runs out mid-login.
    Mailbox.objects.filter(pk=mailbox.pk).update(oauth_expires_at=now() + timedelta(seconds=50))
    stored.refresh_from_db()
    assert access_token(stored) != token and len(provider.requests) == 2


def test_a_token_another_process_refreshed_is_used_without_asking_again(provider) -> None:  # type: ignore[no-untyped-def]
    mailbox = _mailbox(provider)
    stale_copy = Mailbox.objects.get(pk=mailbox.pk)  # e.g. held by a long-lived IDLE thread
    token = access_token(mailbox)
    assert access_token(stale_copy) == token and len(provider.requests) == 1


def test_a_rotated_refresh_token_replaces_the_stored_one(provider) -> None:  # type: ignore[no-untyped-def]
    provider.rotate = True
    mailbox = _mailbox(provider)
    access_token(mailbox)
    first = Mailbox.objects.get(pk=mailbox.pk).oauth_refresh_token
    assert first != "rt-1" and first in provider.refresh_tokens
    Mailbox.objects.filter(pk=mailbox.pk).update(oauth_expires_at=now())
    mailbox.refresh_from_db()
    access_token(mailbox)  # would fail with the retired rt-1
    assert Mailbox.objects.get(pk=mailbox.pk).oauth_refresh_token not in ("rt-1", first)


def test_without_expires_in_a_token_lives_an_hour(provider) -> None:  # type: ignore[no-untyped-def]
    provider.expires_in = None
    mailbox = _mailbox(provider)
    access_token(mailbox)
    assert mailbox.oauth_expires_at is not None
    assert timedelta(minutes=59) < mailbox.oauth_expires_at - now() <= timedelta(hours=1)


def test_a_revoked_refresh_token_raises_with_the_providers_words(provider) -> None:  # type: ignore[no-untyped-def]
    mailbox = _mailbox(provider, oauth_refresh_token="rt-revoked")
    with pytest.raises(OAuthError) as raised:
        access_token(mailbox)
    assert str(raised.value) == (
        f"token endpoint {provider.token_url} answered 400: "
        "invalid_grant: Token has been expired or revoked."
    )
    assert "rt-revoked" not in str(raised.value)  # no secret in the message
    assert Mailbox.objects.get(pk=mailbox.pk).oauth_access_token == ""


def test_a_wrong_client_secret_and_a_broken_endpoint_raise(provider) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(OAuthError, match="401: invalid_client: Unknown client."):
        access_token(_mailbox(provider, oauth_client_secret="nope"))
    provider.broken = "<html>Bad Gateway</html>"
    with pytest.raises(OAuthError, match="answered 500: <html>Bad Gateway</html>"):
        access_token(_mailbox(provider, address="other@desk.test"))


def test_an_unreachable_endpoint_and_missing_settings_raise() -> None:
    closed = f"http://127.0.0.1:{free_port()}/token"
    mailbox = Mailbox.objects.create(
        name="S",
        address="s@desk.test",
        auth=Auth.XOAUTH2,
        oauth_token_url=closed,
        oauth_client_id="c",
        oauth_refresh_token="r",
    )
    with pytest.raises(OAuthError, match=f"token endpoint {closed}: "):
        access_token(mailbox)
    bare = Mailbox(name="T", address="t@desk.test", auth=Auth.XOAUTH2)
    with pytest.raises(OAuthError, match="no token URL, client id, refresh token"):
        access_token(bare)


def test_an_unsaved_mailbox_gets_a_token_without_being_saved(provider) -> None:  # type: ignore[no-untyped-def]
    # The admin's "Test connection" may try settings before they are saved.
    mailbox = Mailbox(
        name="New",
        address="new@desk.test",
        auth=Auth.XOAUTH2,
        oauth_token_url=provider.token_url,
        oauth_client_id=CLIENT_ID,
        oauth_client_secret=CLIENT_SECRET,
        oauth_refresh_token="rt-1",
    )
    assert access_token(mailbox) in provider.access_tokens
    assert not Mailbox.objects.exists()


# IMAP: dovecot's oauth2 passdb asks our provider's introspection endpoint about each token.
OAUTH_AUTH = """
auth_mechanisms = xoauth2 oauthbearer
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf.ext
}}
"""


@contextmanager
def oauth_dovecot(provider: Provider) -> Iterator[dict[str, object]]:
    with run_dovecot(auth=OAUTH_AUTH) as server:
        # Read by the auth process at its first login, after dovecot started.
        Path(str(server["root"]), "oauth2.conf.ext").write_text(
            "introspection_mode = post\n"
            f"introspection_url = {provider.introspection_url}\n"
            "force_introspection = yes\n"
            "username_attribute = username\n"
            "active_attribute = active\n"
            "active_value = true\n"
        )
        yield server


def _imap_mailbox(provider: Provider, server: dict[str, object]) -> Mailbox:
    return _mailbox(
        provider,
        imap_host=server["host"],
        imap_port=server["port"],
        imap_security="none",
        imap_username=USER,
    )


def _message() -> bytes:
    m = EmailMessage()
    m["From"] = "ann@customer.test"
    m["To"] = USER
    m["Subject"] = "Logged in with OAuth"
    m["Message-ID"] = "<oauth-1@customer.test>"
    m.set_content("Hello")
    return m.as_bytes()


def test_imap_logs_in_with_xoauth2_and_polls(provider) -> None:  # type: ignore[no-untyped-def]
    with oauth_dovecot(provider) as server:
        mailbox = _imap_mailbox(provider, server)
        with imap_client(mailbox) as client:
            client.append("INBOX", _message())
        assert provider.introspections == 1 and len(provider.requests) == 1
        assert check_imap(mailbox) == "OK: 1 message in INBOX"
        assert poll(mailbox)[0].startswith("new ticket")
        assert Ticket.objects.get().subject == "Logged in with OAuth"
        assert len(provider.requests) == 1  # one refresh served all three logins


def test_imap_refuses_a_token_the_provider_does_not_know(provider) -> None:  # type: ignore[no-untyped-def]
    with oauth_dovecot(provider) as server:
        mailbox = _imap_mailbox(provider, server)
        mailbox.oauth_access_token = "at-forged"
        mailbox.oauth_expires_at = now() + timedelta(hours=1)
        mailbox.save()
        with pytest.raises(ConnectionCheckFailed) as raised:
            check_imap(mailbox)
        assert str(raised.value).startswith(f"login refused by 127.0.0.1:{server['port']}: ")
        assert "AUTHENTICATIONFAILED" in str(raised.value)


def test_check_imap_reports_a_refused_refresh(provider) -> None:  # type: ignore[no-untyped-def]
    mailbox = _mailbox(provider, imap_host="127.0.0.1", oauth_refresh_token="rt-gone")
    with pytest.raises(ConnectionCheckFailed, match="^OAuth: .*invalid_grant"):
        check_imap(mailbox)


# SMTP: an aiosmtpd server that speaks XOAUTH2 as Gmail does (a JSON error as a 334
# challenge, an empty answer, then 535).
class XOAuth2Inbox:
    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.logins: list[str] = []
        self.messages: list[bytes] = []

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:  # noqa: N802
        fields = dict(
            part.split("=", 1)
            for part in base64.b64decode(args[1]).decode().split("\x01")
            if "=" in part
        )
        token = fields.get("auth", "").removeprefix("Bearer ")
        if token in self.provider.access_tokens:
            self.logins.append(fields["user"])
            return AuthResult(success=True, auth_data=fields["user"])
        error = json.dumps({"status": "401", "schemes": "bearer", "scope": "mail"})
        await server.challenge_auth(error)
        return AuthResult(success=False, handled=False)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.content)
        return "250 OK"


@contextmanager
def xoauth2_smtp(provider: Provider) -> Iterator[tuple[XOAuth2Inbox, int]]:
    inbox, port = XOAuth2Inbox(provider), free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, auth_require_tls=False, auth_required=True
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_smtp_sends_with_xoauth2(provider) -> None:  # type: ignore[no-untyped-def]
    with xoauth2_smtp(provider) as (inbox, port):
        mailbox = _mailbox(provider, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
        assert check_smtp(mailbox) == f"OK: logged in to 127.0.0.1:{port}"
        sent = DjangoEmailMessage(
            "Your ticket", "We are on it.", USER, ["ann@customer.test"],
            connection=smtp_backend(mailbox),
        ).send()  # fmt: skip
        assert sent == 1 and inbox.logins == [USER, USER]
        assert b"We are on it." in inbox.messages[0]


def test_smtp_reports_a_refused_token(provider) -> None:  # type: ignore[no-untyped-def]
    with xoauth2_smtp(provider) as (_, port):
        mailbox = _mailbox(provider, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
        mailbox.oauth_access_token = "at-forged"
        mailbox.oauth_expires_at = now() + timedelta(hours=1)
        with pytest.raises(ConnectionCheckFailed, match=f"login refused by 127.0.0.1:{port}: 535"):
            check_smtp(mailbox)


def test_smtp_says_when_the_server_offers_no_xoauth2(provider) -> None:  # type: ignore[no-untyped-def]
    from supportdesk.mail.tests.smtp_server import smtp_server

    with smtp_server() as plain:
        mailbox = _mailbox(
            provider, smtp_host="127.0.0.1", smtp_port=plain.port, smtp_security="none"
        )
        with pytest.raises(ConnectionCheckFailed, match="does not offer XOAUTH2 login"):
            check_smtp(mailbox)
