"""The one function every mail source ends in: raw bytes in, a ticket changed, and a line
that says what happened ("new ticket 12", "reply on ticket 12", "duplicate of message on
ticket 12", "quarantined: reason").

Never loses a message: the raw bytes are stored (claimed under a unique key) before
anything else, and a message that cannot be parsed, or whose processing fails, is kept as
quarantined with the reason instead of raising.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from supportdesk.accounts.models import User
from supportdesk.accounts.services import find_or_create_requester
from supportdesk.mail.models import InboundMessage, Mailbox, Outcome
from supportdesk.mail.parse import Parsed, Unparseable, parse
from supportdesk.tickets.models import Channel, Message, Source, Status, Ticket
from supportdesk.tickets.services import Upload, create_ticket, reply

log = logging.getLogger(__name__)

# "[#1234]" in a subject names the ticket; our own Message-IDs carry the ticket number.
SUBJECT_REF = re.compile(r"\[#(\d{1,12})\]")
OUR_ID = re.compile(r"^<sd\.(\d{1,12})\.")
NO_SUBJECT = "(no subject)"


@dataclass(frozen=True)
class Report:
    line: str
    ticket: int | None = None


def ingest(raw: bytes, *, mailbox: Mailbox | None = None) -> Report:
    """Ingest one message; see the module docstring."""
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    limit = int(getattr(settings, "MAIL_MAX_BYTES", 40 * 1024 * 1024))
    parsed: Parsed | None = None
    problem = ""
    if len(raw) > limit:
        problem = f"{len(raw):,} bytes, over the limit of {limit:,}"
    else:
        try:
            parsed = parse(raw)
        except Unparseable as exc:
            problem = str(exc)
    key = (parsed.message_id if parsed else "")[:300] or digest
    record = _claim(key, raw, mailbox, parsed)
    if record is None:
        found = InboundMessage.objects.filter(key=key).first()
        ticket = found.ticket_id if found else None
        where = f"on ticket {ticket}" if ticket else "already received"
        return Report(f"duplicate of message {where}", ticket)
    if parsed is None or not parsed.sender[1]:
        return _quarantine(record, problem or "no sender address (From)")
    try:
        return _deliver(record, parsed, mailbox)
    except Exception as exc:  # noqa: BLE001  (kept and shown to admins, never lost)
        log.exception("mail: message %s could not be delivered", record.pk)
        return _quarantine(record, f"{type(exc).__name__}: {exc}")


def _claim(
    key: str, raw: bytes, mailbox: Mailbox | None, parsed: Parsed | None
) -> InboundMessage | None:
    """Store the raw message under its key; None when that key is stored already (the
    same message delivered twice, or by two workers at once)."""
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(
                key=key,
                message_id=parsed.message_id[:300] if parsed else "",
                raw=raw,
                mailbox=mailbox,
            )
    except IntegrityError:
        return None


def _quarantine(record: InboundMessage, reason: str) -> Report:
    record.outcome, record.reason = Outcome.QUARANTINED, reason[:2000]
    record.save(update_fields=["outcome", "reason"])
    return Report(f"quarantined: {reason}")


@transaction.atomic
def _deliver(record: InboundMessage, parsed: Parsed, mailbox: Mailbox | None) -> Report:
    sender = find_or_create_requester(parsed.sender[1], name=parsed.sender[0][:150])
    ticket = thread_of(parsed, sender)
    uploads = [
        Upload(a.filename, a.content_type, a.content, len(a.content)) for a in parsed.attachments
    ]
    metadata = {"message_id": parsed.message_id, "inbound": record.pk}
    if ticket is None:
        ticket = create_ticket(
            by=None,
            requester=sender,
            subject=parsed.subject or NO_SUBJECT,
            body=parsed.body,
            html=parsed.html,
            channel=Channel.EMAIL,
            source=Source.EMAIL,
            properties=_new_ticket_properties(parsed, sender, mailbox),
            attachments=uploads,
            metadata=metadata,
        )
        message = ticket.messages.order_by("id").first()
        return _done(record, Outcome.NEW_TICKET, ticket, message, f"new ticket {ticket.pk}")
    was_closed = ticket.status == Status.CLOSED
    message = reply(
        ticket,
        author=sender,
        body=parsed.body,
        html=parsed.html,
        source=Source.EMAIL,
        channel=Channel.EMAIL,
        attachments=uploads,
        metadata=metadata,
    )
    if was_closed:
        follow_up = message.ticket
        line = f"follow-up ticket {follow_up.pk} of {ticket.pk}"
        return _done(record, Outcome.FOLLOW_UP, follow_up, message, line)
    return _done(record, Outcome.REPLY, ticket, message, f"reply on ticket {ticket.pk}")


def _done(
    record: InboundMessage, outcome: str, ticket: Ticket, message: Message | None, line: str
) -> Report:
    record.outcome, record.ticket, record.ticket_message = outcome, ticket, message
    record.save(update_fields=["outcome", "ticket", "ticket_message"])
    return Report(line, ticket.pk)


def _new_ticket_properties(
    parsed: Parsed, sender: User, mailbox: Mailbox | None
) -> dict[str, object]:
    ours = {mailbox.address.lower()} if mailbox else set()
    ccs = []
    for _, address in parsed.cc:
        if address not in ours and address != sender.email:
            ccs.append(find_or_create_requester(address))
    properties: dict[str, object] = {"cc": ccs} if ccs else {}
    if mailbox is not None and mailbox.group_id:
        properties["group"] = mailbox.group
    return properties


def thread_of(parsed: Parsed, sender: User) -> Ticket | None:
    """The ticket this message continues, if any and if the sender may write on it: by
    its In-Reply-To and References (our Message-IDs, or a message stored on a ticket), then
    by a [#number] in the subject."""
    for ticket in _candidates(parsed):
        if ticket.deleted_at is None and _may_write(ticket, sender):
            return ticket
    return None


def _candidates(parsed: Parsed) -> list[Ticket]:
    numbers: list[int] = []
    ids = [*parsed.in_reply_to, *reversed(parsed.references)]
    for message_id in ids:
        ours = OUR_ID.match(message_id)
        if ours:
            numbers.append(int(ours.group(1)))
    known = dict(
        InboundMessage.objects.filter(message_id__in=ids, ticket__isnull=False).values_list(
            "message_id", "ticket_id"
        )
    )
    numbers += [known[i] for i in ids if i in known]
    numbers += [int(n) for n in SUBJECT_REF.findall(parsed.subject)]
    found = Ticket.objects.in_bulk(list(dict.fromkeys(numbers)))
    return [found[n] for n in dict.fromkeys(numbers) if n in found]


def _may_write(ticket: Ticket, sender: User) -> bool:
    """The requester, a CC or an agent: anyone else starts a ticket of their own, so a
    guessed ticket number in a subject never adds to someone else's conversation."""
    if sender.is_agent or ticket.requester_id == sender.pk:
        return True
    return ticket.cc.filter(pk=sender.pk).exists()


def split_mbox(raw: bytes) -> list[bytes]:
    """The messages of an .eml (one) or an mbox (several, "From " lines) file."""
    if not raw.startswith(b"From "):
        return [raw]
    messages: list[bytes] = []
    current: list[bytes] = []
    for line in raw.splitlines(keepends=True):
        if line.startswith(b"From ") and current:
            messages.append(b"".join(current[1:]))
            current = []
        current.append(line)
    if current:
        messages.append(b"".join(current[1:]))
    return [m.replace(b"\n>From ", b"\nFrom ") for m in messages if m.strip()]
