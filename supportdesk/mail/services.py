"""What agents and admins do with stored mail that did not become a ticket: retry a
quarantined message after a fix, release suspended mail into the queues, delete either
(the raw bytes stay), and keep the block list. The only writers of these rows besides
ingest itself.

Retry and release claim the message first with a conditional update, inside the same
transaction as the delivery, so two clicks at once deliver it once.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from supportdesk.accounts.models import Role, User
from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.mail.ingest import Report, digest, handle, quarantine, read
from supportdesk.mail.models import BlockedSender, InboundMessage, Outcome

log = logging.getLogger(__name__)

RETRYABLE = (Outcome.QUARANTINED, Outcome.SUSPENDED)
MAX_PATTERN = 254


def retry(record: InboundMessage) -> Report:
    """Run a quarantined or suspended message through delivery again, from its raw bytes
    (after a fix: a larger size limit, a parser fixed, a sender unblocked). A message that
    is still bad stays quarantined, with the new reason; spam stays suspended."""
    return _again(record, check_spam=True)


def release(record: InboundMessage, *, by: User) -> Report:
    """Deliver a suspended message as if it had just arrived, without the spam check."""
    _check_agent(by)
    if record.outcome != Outcome.SUSPENDED:
        raise DomainError("this message is not suspended")
    report = _again(record, check_spam=False)
    log.info("mail: %s released message %s: %s", by.pk, record.pk, report.line)
    return report


def delete(record: InboundMessage, *, by: User) -> None:
    """Take a suspended or quarantined message off its list; the raw bytes are kept."""
    _check_agent(by)
    if record.outcome == Outcome.QUARANTINED and by.role != Role.ADMIN:
        raise PermissionDenied("only admins handle quarantined mail")
    changed = InboundMessage.objects.filter(pk=record.pk, outcome__in=RETRYABLE).update(
        outcome=Outcome.DELETED
    )
    if not changed:
        raise DomainError("this message was handled already")
    record.outcome = Outcome.DELETED
    log.info("mail: %s deleted message %s", by.pk, record.pk)


def block_sender(pattern: str, *, by: User) -> BlockedSender:
    """Suspend future mail from an address (ann@example.com) or a domain (@example.com).
    Mail already received stays where it is."""
    _check_agent(by)
    pattern = clean_pattern(pattern)
    try:
        with transaction.atomic():
            return BlockedSender.objects.create(pattern=pattern, created_by=by)
    except IntegrityError:  # blocked already, perhaps a moment ago by someone else
        return BlockedSender.objects.get(pattern=pattern)


def unblock(pattern: str) -> None:
    BlockedSender.objects.filter(pattern=pattern.strip().lower()).delete()


def clean_pattern(pattern: str) -> str:
    """ "Ann@Example.com" -> "ann@example.com", "@Example.com" -> "@example.com"; a
    DomainError for anything else."""
    value = (pattern or "").strip().lower()
    if not value or len(value) > MAX_PATTERN:
        raise DomainError("pattern: give an address (ann@example.com) or a domain (@example.com)")
    try:
        validate_email(f"x{value}" if value.startswith("@") else value)
    except ValidationError as exc:
        raise DomainError(
            f"pattern: {pattern!r} is neither an address nor @domain (ann@example.com, "
            "@example.com)"
        ) from exc
    return value


def _check_agent(by: User) -> None:
    if by is None or by.role not in (Role.ADMIN, Role.AGENT):
        raise PermissionDenied("only agents and admins handle suspended mail")


@transaction.atomic
def _again(record: InboundMessage, *, check_spam: bool) -> Report:
    # The claim: a second click (or a second admin) finds the outcome changed and stops.
    claimed = InboundMessage.objects.filter(pk=record.pk, outcome__in=RETRYABLE).update(outcome="")
    if not claimed:
        raise DomainError("this message was handled already")
    record.refresh_from_db()
    record.refs.all().delete()  # stored again by the delivery, from what it names now
    raw = bytes(record.raw or b"")
    parsed, problem = read(raw)
    if parsed is not None:
        duplicate = _take_key(record, parsed.message_id, raw)
        if duplicate:
            return quarantine(record, duplicate)
        record.message_id = parsed.message_id[:300]
        record.sender, record.subject = parsed.sender[1][:254], parsed.subject[:300]
        record.save(update_fields=["message_id", "sender", "subject"])
    return handle(record, parsed, problem, recipients=record.recipients, check_spam=check_spam)


def _take_key(record: InboundMessage, message_id: str, raw: bytes) -> str:
    """A message first stored under its content hash (it could not be parsed) takes its
    Message-ID as key now, so that the same message arriving again is a duplicate. When
    that Message-ID is stored already, this copy is the duplicate: says so."""
    if not message_id or record.key != digest(raw):
        return ""
    try:
        with transaction.atomic():
            InboundMessage.objects.filter(pk=record.pk).update(key=message_id[:300])
    except IntegrityError:
        other = InboundMessage.objects.filter(key=message_id[:300]).first()
        where = f" on ticket {other.ticket_id}" if other and other.ticket_id else ""
        return f"duplicate of a message already received{where}"
    record.key = message_id[:300]
    return ""
