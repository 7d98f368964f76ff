"""The one place that sends e-mail. Later issues add threading headers and mailboxes."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from supportdesk.jobs import enqueue
from supportdesk.notify.models import MailStatus, OutgoingEmail

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
    *, kind: str, to: Iterable[str], subject: str, body: str, ticket_id: int | None = None
) -> OutgoingEmail | None:
    """Record a message and queue its delivery after the current transaction commits."""
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
    )
    from supportdesk.notify.tasks import deliver

    enqueue(deliver, mail.pk)
    return mail


def deliver_now(mail_id: int) -> bool:
    """Send one queued message through Django's mail backend. Raises on an SMTP failure so
    that the job retries; records every attempt."""
    with transaction.atomic():
        mail = OutgoingEmail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.status == MailStatus.SENT:
            return False
        mail.attempts += 1
        mail.save(update_fields=["attempts"])
    try:
        EmailMessage(
            subject=mail.subject,
            body=mail.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=mail.to,
        ).send()
    except Exception as exc:
        OutgoingEmail.objects.filter(pk=mail.pk).update(
            last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
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


def mark_failed(mail_id: int) -> None:
    OutgoingEmail.objects.filter(pk=mail_id).exclude(status=MailStatus.SENT).update(
        status=MailStatus.FAILED
    )
