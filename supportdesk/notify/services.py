"""The one place that sends e-mail: every mail is recorded as an `OutgoingEmail` row first,
then delivered by a job with retries, so nothing is lost when a mail server is down."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from supportdesk.jobs import enqueue
from supportdesk.notify.models import MailStatus, OutgoingEmail
from supportdesk.tickets.models import Attachment, Message

if TYPE_CHECKING:
    from supportdesk.mail.models import Mailbox

log = logging.getLogger(__name__)

_muted: ContextVar[bool] = ContextVar("notify_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Send no mail about ticket events inside this block: imports and demo data write
    history, and nobody should get 2,000 confirmations of requests from last month.
    The changes must commit inside the block, since mail is decided on commit."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def is_muted() -> bool:
    return _muted.get()


def send_email(
    *,
    kind: str,
    to: Iterable[str],
    subject: str,
    body: str,
    ticket_id: int | None = None,
    html: str = "",
    ticket_message: Message | None = None,
    mailbox: Mailbox | None = None,
    from_address: str = "",
    reply_to: str = "",
    message_id: str = "",
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    attachment_ids: Sequence[int] = (),
) -> OutgoingEmail | None:
    """Record a message and queue its delivery after the current transaction commits.

    Mail about a ticket to customers (mail/outbound.py) also gives the mailbox it goes out
    through, its threading headers and the ids of the attachments to read at send time;
    notifications to agents give only the first five. `headers` may hold "Cc" (addresses
    that are also in `to`, shown as Cc) and headers like Auto-Submitted."""
    recipients = sorted(
        {a.strip().lower() for a in to if a and "@" in a and not a.endswith("@invalid")}
    )
    if not recipients:
        return None
    mail = OutgoingEmail.objects.create(
        kind=kind,
        to=recipients,
        subject=" ".join(subject.split())[:300],
        body=body,
        ticket_id=ticket_id,
        html=html,
        ticket_message=ticket_message,
        mailbox=mailbox,
        from_address=from_address[:300],
        reply_to=reply_to[:300],
        message_id=message_id[:300],
        in_reply_to=in_reply_to[:300],
        references=references,
        headers=dict(headers or {}),
        attachment_ids=list(attachment_ids),
    )
    from supportdesk.notify.tasks import deliver

    enqueue(deliver, mail.pk)
    return mail


def deliver_now(mail_id: int) -> bool:
    """Send one queued message, through its mailbox's SMTP server when it has one, else
    the site's mail backend. A temporary failure raises, so that the job retries; a
    permanent one (a 5xx answer, a lost attachment) marks the mail failed at once. Every
    attempt is counted and its error kept for the ticket page and the admins."""
    with transaction.atomic():
        mail = (
            # Lock only the mail's row: PostgreSQL cannot lock the outer join's side.
            OutgoingEmail.objects.select_for_update(of=("self",))
            .select_related("mailbox")
            .filter(pk=mail_id)
            .first()
        )
        if mail is None or mail.status in DONE:
            return False
        mail.attempts += 1
        mail.save(update_fields=["attempts"])
    try:
        _message(mail).send()
    except Exception as exc:
        error = describe_error(exc)[:2000]
        permanent = _is_permanent(exc)
        OutgoingEmail.objects.filter(pk=mail.pk).update(
            last_error=error,
            **({"status": MailStatus.FAILED} if permanent else {}),
        )
        if permanent:
            log.warning("sending mail %s failed for good: %s", mail.pk, error)
            return False
        log.warning(
            "sending mail %s failed (attempt %s); it will be retried: %s",
            mail.pk,
            mail.attempts,
            exc,
        )
        raise
    OutgoingEmail.objects.filter(pk=mail.pk).update(
        status=MailStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


DONE = (MailStatus.SENT, MailStatus.FAILED, MailStatus.BOUNCED)


def _message(mail: OutgoingEmail) -> EmailMultiAlternatives:
    headers = {str(k): str(v) for k, v in (mail.headers or {}).items()}
    cc = [a.strip().lower() for a in headers.pop("Cc", "").split(",") if a.strip()]
    for name, value in (
        ("Message-ID", mail.message_id),
        ("In-Reply-To", mail.in_reply_to),
        ("References", mail.references),
    ):
        if value:
            headers[name] = value
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body,
        from_email=mail.from_address or settings.DEFAULT_FROM_EMAIL,
        to=[a for a in mail.to if a not in cc],
        cc=cc,
        reply_to=[mail.reply_to] if mail.reply_to else None,
        headers=headers,
        connection=_connection(mail),
    )
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    _attach(message, mail)
    return message


def _connection(mail: OutgoingEmail) -> BaseEmailBackend | None:
    """The mailbox's own SMTP server, or None for the site's backend."""
    if mail.mailbox is None or not mail.mailbox.smtp_host:
        return None
    from supportdesk.mail.connections import smtp_backend

    return smtp_backend(mail.mailbox)


class MissingAttachment(Exception):
    """A file of the message is gone from storage: retrying will not bring it back."""


def _attach(message: EmailMultiAlternatives, mail: OutgoingEmail) -> None:
    ids = [i for i in mail.attachment_ids or [] if isinstance(i, int)]
    found = {a.pk: a for a in Attachment.objects.filter(pk__in=ids)}
    for pk in ids:
        att = found.get(pk)
        if att is None:
            raise MissingAttachment(f"attachment {pk} was deleted")
        try:
            with att.file.open("rb") as handle:
                data = handle.read()
        except FileNotFoundError as exc:
            raise MissingAttachment(f"{att.filename}: file missing from storage") from exc
        message.attach(att.filename, data, att.content_type or "application/octet-stream")


def describe_error(exc: Exception) -> str:
    """A sending error as people read it: "451 4.3.0 try again later", "ann@x.com
    refused: 550 5.1.1 no such user", else the exception's type and text."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address} refused: {code} {_decoded(text)}"
            for address, (code, text) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_decoded(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _decoded(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return " ".join(text.split())


def _is_permanent(exc: Exception) -> bool:
    """An SMTP 5xx answer (every recipient or the sender refused, the message rejected)
    or a missing attachment: the same mail would fail again."""
    if isinstance(exc, MissingAttachment):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def mark_failed(mail_id: int) -> None:
    """The last retry failed: give up, keeping the last error."""
    OutgoingEmail.objects.filter(pk=mail_id, status=MailStatus.QUEUED).update(
        status=MailStatus.FAILED
    )


def mark_bounced(mail_id: int, error: str) -> None:
    """A delivery status notification came back for this mail, maybe days after it was
    sent: record it and the server's diagnostic (the ticket page shows both)."""
    OutgoingEmail.objects.filter(pk=mail_id).update(
        status=MailStatus.BOUNCED, last_error=error[:2000]
    )


def resend(mail_id: int) -> bool:
    """Queue a failed or bounced mail again (an admin's "retry"); False when it was sent
    or is still queued."""
    from supportdesk.notify.tasks import deliver

    changed = OutgoingEmail.objects.filter(
        pk=mail_id, status__in=(MailStatus.FAILED, MailStatus.BOUNCED)
    ).update(status=MailStatus.QUEUED, last_error="")
    if changed:
        enqueue(deliver, mail_id)
    return bool(changed)
