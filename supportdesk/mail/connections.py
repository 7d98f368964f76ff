"""Connections to a mailbox's own servers: IMAP to fetch, SMTP to send, each logging in
with a password or with XOAUTH2 (an OAuth access token, see oauth.py), and the checks
behind the admin's "Test connection" buttons.

Security is "ssl" (TLS from the first byte: IMAPS 993, SMTPS 465), "starttls" (plain,
then upgraded: IMAP 143, submission 587) or "none" (a server on the same machine or a
test). Certificates are always verified.
"""

from __future__ import annotations

import imaplib
import smtplib
import socket
import ssl
from typing import Any

from django.core.mail.backends.smtp import EmailBackend
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from supportdesk.mail.models import Auth, Mailbox
from supportdesk.mail.oauth import OAuthError, access_token, xoauth2_string

IMAP_TIMEOUT = 60
SMTP_TIMEOUT = 30
CHECK_TIMEOUT = 15  # an admin waits for the answer


class ConnectionCheckFailed(Exception):
    """What went wrong, in words for the admin ("login refused: ...")."""


def imap_client(mailbox: Mailbox, *, timeout: float = IMAP_TIMEOUT) -> IMAPClient:
    """A logged-in IMAP connection (use it with `with`, which logs out). Raises OSError,
    ssl.SSLError, imapclient's errors, or OAuthError."""
    # The token first: no connection is held open while the provider answers.
    token = access_token(mailbox) if mailbox.auth == Auth.XOAUTH2 else ""
    context = ssl.create_default_context()
    client = IMAPClient(
        mailbox.imap_host,
        port=mailbox.imap_port,
        ssl=mailbox.imap_security == "ssl",
        ssl_context=context,
        timeout=timeout,
    )
    try:
        if mailbox.imap_security == "starttls":
            client.starttls(context)
        if token:
            client.oauth2_login(mailbox.imap_username or mailbox.address, token)
        else:
            client.login(mailbox.imap_username, mailbox.imap_password)
    except BaseException:
        client.shutdown()
        raise
    return client


def smtp_backend(mailbox: Mailbox, *, timeout: float = SMTP_TIMEOUT) -> EmailBackend:
    """A Django mail backend that sends through the mailbox's SMTP server (for
    `EmailMessage(connection=...)`). Opening it raises OSError (smtplib's errors are
    OSErrors) or OAuthError."""
    if not mailbox.smtp_host:
        raise ValueError(f"{mailbox.address} has no SMTP server of its own")
    backend_class = XOAuth2EmailBackend if mailbox.auth == Auth.XOAUTH2 else EmailBackend
    return backend_class(
        host=mailbox.smtp_host,
        port=mailbox.smtp_port,
        # "" rather than None: None would fall back to the site's EMAIL_HOST_USER.
        username=mailbox.smtp_username,
        password=mailbox.smtp_password or "",
        use_tls=mailbox.smtp_security == "starttls",
        use_ssl=mailbox.smtp_security == "ssl",
        timeout=timeout,
        fail_silently=False,
        mailbox=mailbox,
    )


def _smtp_user(mailbox: Mailbox) -> str:
    return mailbox.smtp_username or mailbox.imap_username or mailbox.address


class XOAuth2EmailBackend(EmailBackend):
    """Django's SMTP backend, logging in with XOAUTH2: the access token is fetched when
    the connection opens (refreshed if needed) and presented where a password would be."""

    def __init__(self, *, mailbox: Mailbox, **kwargs: Any) -> None:
        kwargs.update(username=_smtp_user(mailbox), password="")
        super().__init__(**kwargs)
        self.mailbox = mailbox

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return _XOAuth2SMTPSSL if self.use_ssl else _XOAuth2SMTP

    def open(self) -> bool | None:
        if self.connection:
            return False
        self.password = access_token(self.mailbox)
        return super().open()


def _xoauth2_login(smtp: smtplib.SMTP, user: str, token: str) -> tuple[int, bytes]:
    smtp.ehlo_or_helo_if_needed()
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    if "XOAUTH2" not in offered:
        raise smtplib.SMTPNotSupportedError(
            f"the server does not offer XOAUTH2 login (it offers: {' '.join(offered) or 'none'})"
        )

    def respond(challenge: bytes | None = None) -> str:
        # On failure the server sends a JSON error as a challenge and waits for an empty
        # answer before its final 5xx (RFC 7628 style).
        return xoauth2_string(user, token) if challenge is None else ""

    code, text = smtp.auth("XOAUTH2", respond, initial_response_ok=True)  # type: ignore[arg-type]
    return code, text


class _XOAuth2SMTP(smtplib.SMTP):
    def login(
        self, user: str, password: str, *, initial_response_ok: bool = True
    ) -> tuple[int, bytes]:
        return _xoauth2_login(self, user, password)


class _XOAuth2SMTPSSL(smtplib.SMTP_SSL):
    def login(
        self, user: str, password: str, *, initial_response_ok: bool = True
    ) -> tuple[int, bytes]:
        return _xoauth2_login(self, user, password)


def check_imap(mailbox: Mailbox) -> str:
    """Connect, log in and open the folder: "OK: 12 messages in INBOX". Raises
    ConnectionCheckFailed with the reason."""
    if not mailbox.imap_host:
        raise ConnectionCheckFailed("no IMAP server set")
    where = f"{mailbox.imap_host}:{mailbox.imap_port}"
    try:
        with imap_client(mailbox, timeout=CHECK_TIMEOUT) as client:
            status = client.select_folder(mailbox.imap_folder, readonly=True)
            count = int(status.get(b"EXISTS", 0))
            if mailbox.imap_move_to and not client.folder_exists(mailbox.imap_move_to):
                raise ConnectionCheckFailed(
                    f"logged in, but there is no folder {mailbox.imap_move_to!r} to move "
                    "imported mail to"
                )
    except ConnectionCheckFailed:
        raise
    except Exception as exc:  # noqa: BLE001  (every failure becomes words for the admin)
        raise ConnectionCheckFailed(explain(exc, where, mailbox.imap_security)) from exc
    noun = "message" if count == 1 else "messages"
    return f"OK: {count} {noun} in {mailbox.imap_folder}"


def check_smtp(mailbox: Mailbox) -> str:
    """Connect and log in (no mail is sent): "OK: logged in to smtp.example.com:587".
    Raises ConnectionCheckFailed with the reason."""
    if not mailbox.smtp_host:
        raise ConnectionCheckFailed("no SMTP server set: mail goes out through the site's")
    where = f"{mailbox.smtp_host}:{mailbox.smtp_port}"
    backend = smtp_backend(mailbox, timeout=CHECK_TIMEOUT)
    try:
        backend.open()
        if backend.connection is not None:
            backend.connection.noop()
    except Exception as exc:  # noqa: BLE001  (every failure becomes words for the admin)
        raise ConnectionCheckFailed(explain(exc, where, mailbox.smtp_security)) from exc
    finally:
        try:
            backend.close()
        except Exception:  # noqa: BLE001, S110  (a broken connection closes badly; the check spoke)
            pass
    logged_in = mailbox.auth == Auth.XOAUTH2 or (mailbox.smtp_username and mailbox.smtp_password)
    return f"OK: {'logged in to' if logged_in else 'connected to (no login)'} {where}"


def explain(exc: BaseException, where: str, security: str = "") -> str:
    """An exception from connecting or logging in, as a sentence for an admin."""
    hint = f" (is '{security}' the right security for this port?)" if security else ""
    if isinstance(exc, OAuthError):
        return f"OAuth: {exc}"
    if isinstance(exc, LoginError):
        return f"login refused by {where}: {_text(exc)}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"login refused by {where}: {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"{where}: {exc}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{where} answered {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection{hint}"
    if isinstance(exc, socket.gaierror):
        return f"cannot find the host {where.rsplit(':', 1)[0]}"
    if isinstance(exc, ConnectionRefusedError):
        return f"{where} refused the connection (nothing listens on that port?)"
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"no answer from {where} within {CHECK_TIMEOUT} s{hint}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"{where}: its TLS certificate is not valid: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS with {where} failed: {exc.reason or exc}{hint}"
    if isinstance(exc, imaplib.IMAP4.abort):
        return f"{where}: the connection broke ({_text(exc)})"
    if isinstance(exc, IMAPClientError | imaplib.IMAP4.error):
        return f"{where}: {_text(exc)}"
    if isinstance(exc, OSError):
        return f"{where}: {exc.strerror or exc}"
    return f"{where}: {type(exc).__name__}: {exc}"


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return " ".join(str(value).split())[:500]
