"""The one function every mail source ends in: raw bytes in, a ticket changed, and a line
that says what happened: "new ticket 12", "reply on ticket 12", "follow-up ticket 13 of
12", "duplicate of message on ticket 12", "bounce for ticket 12", "spam", "suspended:
sender blocked", "quarantined: reason".

Never loses a message: the raw bytes are stored (claimed under a unique key) before
anything else, and a message that cannot be parsed, or whose processing fails, is kept as
quarantined with the reason instead of raising. The claim and the delivery are one
transaction (a failed delivery rolls back to a savepoint after the claim): one commit per
message, and a second worker with the same message waits on the key and then finds it
taken. When even the quarantine cannot be written (the database is gone), `ingest` raises
and nothing is stored, so the source keeps the message and offers it again.

Then, in order: spam and blocked senders are suspended (spam.py), bounces are attached to
the mail they return (bounces.py), mail from our own addresses is quarantined (loops.py),
and the rest continues a ticket (threads.py) or opens one. The stored message is the part
its sender wrote (quotes.py); the full original stays in the `InboundMessage`, named by
`metadata["inbound"]`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from supportdesk.accounts.models import User
from supportdesk.accounts.services import find_or_create_requester
from supportdesk.lib.html import html_to_text, sanitize_html
from supportdesk.mail.addresses import base_address
from supportdesk.mail.bounces import is_bounce, record_bounce
from supportdesk.mail.config import own_addresses
from supportdesk.mail.loops import auto_reply_blocker, own_sender
from supportdesk.mail.models import InboundMessage, Mailbox, Outcome
from supportdesk.mail.parse import (
    CID_PLACEHOLDER,
    Parsed,
    Unparseable,
    headline,
    link_cids,
    mark_cids,
    parse,
)
from supportdesk.mail.quotes import visible_text
from supportdesk.mail.quotes_html import visible_html
from supportdesk.mail.spam import Verdict, verdict
from supportdesk.mail.threads import store_references, thread_of
from supportdesk.tickets.models import Channel, Message, Source, Status, Ticket
from supportdesk.tickets.services import Upload, complete_message_html, open_ticket, reply

log = logging.getLogger(__name__)

NO_SUBJECT = "(no subject)"
NO_TEXT = "(no text)"  # the body of a message that is only attachments or images
# "Fwd:", "FW:", "WG:", "TR:", "RV:", "Enc:", "Doorst:", "VS:", "VB:", "PD:" (after a
# mailing-list tag): a forward, whose quoted part is the request itself.
FORWARD = re.compile(r"^\s*(?:\[[^\]]{0,80}\]\s*)?(?:fwd?|wg|tr|rv|enc|doorst|vs|vb|pd)\s*:", re.I)


@dataclass(frozen=True)
class Report:
    line: str
    ticket: int | None = None


def ingest(
    raw: bytes, *, mailbox: Mailbox | None = None, recipients: Iterable[str] | None = None
) -> Report:
    """Ingest one message; see the module docstring. `recipients` are the envelope
    recipients when the source knows them (SMTP's RCPT TO): a reply address among them
    names its ticket even when the headers do not."""
    parsed, problem = read(raw)
    key = (parsed.message_id if parsed else "")[:300] or digest(raw)
    envelope = list(dict.fromkeys(r.strip().lower()[:254] for r in recipients or () if r))
    with transaction.atomic():
        record = _claim(key, raw, mailbox, parsed, envelope)
        if record is None:
            found = InboundMessage.objects.filter(key=key).first()
            ticket = found.ticket_id if found else None
            where = f"on ticket {ticket}" if ticket else "already received"
            return Report(f"duplicate of message {where}", ticket)
        return handle(record, parsed, problem, recipients=envelope)


def digest(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def read(raw: bytes) -> tuple[Parsed | None, str]:
    """(the parsed message, "") or (None, why it cannot be ingested)."""
    limit = int(getattr(settings, "MAIL_MAX_BYTES", 40 * 1024 * 1024))
    if len(raw) > limit:
        return None, f"{len(raw):,} bytes, over the limit of {limit:,}"
    try:
        return parse(raw), ""
    except Unparseable as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001  (a parser bug must not lose the message)
        log.exception("mail: parsing failed unexpectedly")
        return None, f"cannot be parsed ({type(exc).__name__}: {exc})"


def _claim(
    key: str, raw: bytes, mailbox: Mailbox | None, parsed: Parsed | None, envelope: list[str]
) -> InboundMessage | None:
    """Store the raw message under its key; None when that key is stored already (the
    same message delivered twice, or by two workers at once)."""
    sender, subject = (parsed.sender[1], parsed.subject) if parsed else headline(raw)
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(
                key=key,
                message_id=parsed.message_id[:300] if parsed else "",
                raw=raw,
                mailbox=mailbox,
                recipients=envelope,
                sender=sender[:254],
                subject=subject[:300],
            )
    except IntegrityError:
        return None


def handle(
    record: InboundMessage,
    parsed: Parsed | None,
    problem: str,
    *,
    recipients: Iterable[str] = (),
    check_spam: bool = True,
) -> Report:
    """Decide what a stored message becomes, and make it so. Shared by `ingest` and the
    agents' retry and release (services.py, which skips the spam check on release)."""
    if parsed is None:
        return quarantine(record, problem or "cannot be parsed")
    try:
        return _route(record, parsed, list(recipients), check_spam)
    except Exception as exc:  # noqa: BLE001  (kept and shown to admins, never lost)
        log.exception("mail: message %s could not be delivered", record.pk)
        return quarantine(record, f"{type(exc).__name__}: {exc}")


def _route(
    record: InboundMessage, parsed: Parsed, recipients: list[str], check_spam: bool
) -> Report:
    found = verdict(parsed) if check_spam else None
    if found is not None:
        return _suspend(record, found)
    if is_bounce(parsed):
        with transaction.atomic():
            bounce = record_bounce(record, parsed)
        return Report(bounce.line, bounce.ticket)
    if not parsed.sender[1]:
        return quarantine(record, "no sender address (From)")
    own = own_addresses()
    ours = own_sender(parsed, own)
    if ours:
        # Two of our mailboxes must never answer each other: nothing of ours is a ticket.
        return quarantine(record, f"sent from our own address <{ours}>")
    return _deliver(record, parsed, recipients, auto_reply_blocker(parsed, own), own)


def quarantine(record: InboundMessage, reason: str) -> Report:
    record.outcome, record.reason = Outcome.QUARANTINED, reason[:2000]
    record.save(update_fields=["outcome", "reason"])
    return Report(f"quarantined: {reason}")


def _suspend(record: InboundMessage, found: Verdict) -> Report:
    record.outcome, record.reason = Outcome.SUSPENDED, found.reason[:2000]
    record.save(update_fields=["outcome", "reason"])
    return Report(found.line)


@dataclass
class _Content:
    """What a message adds to a ticket, whichever service stores it."""

    body: str
    html: str
    attachments: list[Upload]
    metadata: dict[str, object]


@transaction.atomic
def _deliver(
    record: InboundMessage,
    parsed: Parsed,
    recipients: list[str],
    no_auto_reply: str,
    own: frozenset[str],
) -> Report:
    sender = find_or_create_requester(parsed.sender[1], name=parsed.sender[0][:150])
    ticket = thread_of(parsed, sender, recipients)
    # A forwarded mail that opens a ticket is kept whole: what it quotes is the request.
    body, html = visible_parts(parsed, whole=ticket is None and bool(FORWARD.match(parsed.subject)))
    metadata: dict[str, object] = {"message_id": parsed.message_id, "inbound": record.pk}
    if no_auto_reply:
        metadata["no_auto_reply"] = no_auto_reply
    uploads = [
        Upload(a.filename, a.content_type, a.content, len(a.content)) for a in parsed.attachments
    ]
    content = _Content(body, html, uploads, metadata)
    store_references(record, parsed)
    if ticket is None:
        properties = _new_ticket_properties(parsed, sender, record.mailbox, own)
        return _open(record, parsed, content, requester=sender, properties=properties)
    if ticket.status == Status.CLOSED and sender.is_agent:
        # reply() refuses agents on a closed ticket; their mail opens its follow-up, as
        # their answer to the same requester.
        return _open(record, parsed, content, requester=ticket.requester, by=sender, of=ticket)
    message = reply(
        ticket,
        author=sender,
        body=body,
        html=html,
        source=Source.EMAIL,
        channel=Channel.EMAIL,
        attachments=uploads,
        metadata=metadata,
    )
    _link_inline_images(message, parsed)
    if message.ticket_id != ticket.pk:  # a customer's mail on a closed ticket
        line = f"follow-up ticket {message.ticket_id} of {ticket.pk}"
        return _done(record, Outcome.FOLLOW_UP, message.ticket, message, line)
    return _done(record, Outcome.REPLY, ticket, message, f"reply on ticket {ticket.pk}")


def _open(
    record: InboundMessage,
    parsed: Parsed,
    content: _Content,
    *,
    requester: User,
    by: User | None = None,
    of: Ticket | None = None,
    properties: dict[str, object] | None = None,
) -> Report:
    """A new ticket (`of` None) or the follow-up of closed ticket `of`, filed by `by`."""
    ticket, message = open_ticket(
        by=by,
        requester=requester,
        author=by,
        subject=of.subject if of is not None else (parsed.subject or NO_SUBJECT),
        body=content.body,
        html=content.html,
        channel=Channel.EMAIL,
        source=Source.EMAIL,
        properties=properties,
        attachments=content.attachments,
        follow_up_of=of,
        metadata=content.metadata,
    )
    _link_inline_images(message, parsed)
    if of is None:
        return _done(record, Outcome.NEW_TICKET, ticket, message, f"new ticket {ticket.pk}")
    line = f"follow-up ticket {ticket.pk} of {of.pk}"
    return _done(record, Outcome.FOLLOW_UP, ticket, message, line)


def visible_parts(parsed: Parsed, *, whole: bool = False) -> tuple[str, str]:
    """(text, sanitised HTML) of what the sender wrote, without quoted history and
    signatures (`whole`: all of it); never empty. The HTML is cut before sanitising,
    while the mail client's quote markers are still there."""
    try:
        if whole:
            text, html = parsed.text, parsed.html
        else:
            text = visible_text(parsed.text) if parsed.text else ""
            raw_html = parsed.raw_html
            html = sanitize_html(mark_cids(visible_html(raw_html))) if raw_html else ""
    except Exception:  # noqa: BLE001  (a quote-stripping bug must not lose the message)
        log.exception("mail: finding the visible part of %s failed", parsed.message_id)
        text, html = parsed.text, parsed.html
    if not text.strip():
        text = html_to_text(html) if html else ""
    return (text if text.strip() else NO_TEXT), html


def inline_image_urls(parsed: Parsed, message: Message) -> dict[str, str]:
    """content-id (lower-case) -> URL of the stored attachment, for `link_cids`.
    The message's attachments were stored in the order of the parsed ones."""
    stored = list(message.attachments.order_by("id").only("id", "token", "filename"))
    urls = {}
    for part, attachment in zip(parsed.attachments, stored, strict=False):
        if part.content_id:
            urls[part.content_id.lower()] = reverse(
                "attachment", args=[attachment.token, attachment.filename]
            )
    return urls


def _link_inline_images(message: Message | None, parsed: Parsed) -> None:
    """Point the message's cid: images at its stored attachments, which only have URLs
    once stored. Call inside the transaction that stored the message."""
    if message is None or CID_PLACEHOLDER not in message.html:
        return
    complete_message_html(message, link_cids(message.html, inline_image_urls(parsed, message)))


def _done(
    record: InboundMessage, outcome: str, ticket: Ticket, message: Message | None, line: str
) -> Report:
    record.outcome, record.ticket, record.ticket_message = outcome, ticket, message
    record.reason = ""
    InboundMessage.objects.filter(pk=record.pk).update(
        outcome=outcome, ticket=ticket, ticket_message=message, reason=""
    )
    return Report(line, ticket.pk)


def _new_ticket_properties(
    parsed: Parsed, sender: User, mailbox: Mailbox | None, own: frozenset[str]
) -> dict[str, object]:
    ours = set(own) | ({mailbox.address.lower()} if mailbox else set())
    ccs = []
    for _, address in parsed.cc:
        if base_address(address) not in ours and address != sender.email:
            ccs.append(find_or_create_requester(address))
    properties: dict[str, object] = {"cc": ccs} if ccs else {}
    if mailbox is not None and mailbox.group_id:
        properties["group"] = mailbox.group
    return properties


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
