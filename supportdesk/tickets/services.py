"""The only writers of tickets: create, reply, change properties.

Every function checks the actor's role, changes rows with `update_fields`, appends one
`TicketEvent` per change and publishes the events (see `events.py`). The property
setters are in `changes.py`; merging, linking and the trash in `structure.py`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.models import Role, User
from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.lib.html import html_to_text, sanitize_html
from supportdesk.tickets.changes import (
    apply_changes,
    check_choice,
    clean_subject,
    set_requester,
    set_status,
)
from supportdesk.tickets.events import EventLog
from supportdesk.tickets.fields import clean_custom_fields, missing_required
from supportdesk.tickets.models import (
    Attachment,
    Channel,
    EventKind,
    Message,
    Source,
    Status,
    Ticket,
    TicketForm,
)
from supportdesk.tickets.visibility import can_see

MAX_BODY = 1_000_000


class TooLarge(DomainError):
    """An upload over the configured size (a 413 in the API)."""


@dataclass
class Upload:
    """A file handed to a service: from a form, the API or a mail part."""

    filename: str
    content_type: str
    data: bytes | BinaryIO
    size: int


def _check_can_work(by: User | None) -> None:
    if by is not None and by.role not in (Role.ADMIN, Role.AGENT):
        raise PermissionDenied("only agents may change tickets")


def _clean_body(body: str, html: str) -> tuple[str, str]:
    clean_html = sanitize_html(html) if html else ""
    text = (body or "").strip() or (html_to_text(clean_html) if clean_html else "")
    if not text:
        raise DomainError("body: the message is empty")
    if len(text) > MAX_BODY or len(clean_html) > 4 * MAX_BODY:
        raise TooLarge(f"body: at most {MAX_BODY:,} characters")
    return text, clean_html


def create_ticket(
    *,
    by: User | None,
    requester: User,
    subject: str,
    body: str = "",
    html: str = "",
    channel: str = Channel.PORTAL,
    source: str = Source.WEB,
    properties: dict[str, Any] | None = None,
    attachments: Sequence[Upload] = (),
    follow_up_of: Ticket | None = None,
    metadata: dict[str, Any] | None = None,
) -> Ticket:
    """Open a ticket for `requester` with a first public message authored by them.

    `by` is who files it: the requester, an agent on their behalf, or None for the system.
    `properties` takes the same keys as `update_ticket` (priority, type, group, assignee,
    tags, custom_fields, cc, followers, form); customers may only set priority, type,
    custom_fields, form and cc.
    """
    ticket, _ = open_ticket(
        by=by,
        requester=requester,
        subject=subject,
        body=body,
        html=html,
        channel=channel,
        source=source,
        properties=properties,
        attachments=attachments,
        follow_up_of=follow_up_of,
        metadata=metadata,
    )
    return ticket


@transaction.atomic
def open_ticket(
    *,
    by: User | None,
    requester: User,
    subject: str,
    body: str = "",
    html: str = "",
    channel: str = Channel.PORTAL,
    source: str = Source.WEB,
    properties: dict[str, Any] | None = None,
    attachments: Sequence[Upload] = (),
    follow_up_of: Ticket | None = None,
    metadata: dict[str, Any] | None = None,
    author: User | None = None,
) -> tuple[Ticket, Message]:
    """`create_ticket`, also giving its first message (for channels that store more about
    it, such as a mail's inline images), without reading it back.

    `author`: who wrote the first message, when not the requester: the agent who files
    it (`by`), for a ticket that starts with our message to the customer (an agent's mail
    on a closed ticket opens a follow-up this way). Such a ticket starts open, answered."""
    properties = dict(properties or {})
    author = author or requester
    _check_create_permission(by, requester, properties)
    if author.pk != requester.pk and (by is None or by.pk != author.pk or not author.is_agent):
        raise PermissionDenied("only the agent who files a ticket may write its first message")
    check_choice("channel", channel, Channel.values)
    ticket = Ticket(
        subject=clean_subject(subject),
        requester=requester,
        organization=requester.organization,
        channel=channel,
        follow_up_of=follow_up_of,
        status=Status.OPEN if author.is_agent and author.pk != requester.pk else Status.NEW,
    )
    text, clean_html = _clean_body(body, html)
    form = properties.pop("form", None)
    _apply_form(ticket, form, properties)
    now = timezone.now()
    # The counters are set before the row is first written: no second write for them.
    _count_message(ticket, author, public=True, now=now)
    ticket.save()
    log = EventLog(actor=by, source=source)
    log.add(
        ticket,
        EventKind.CREATED,
        new={"subject": ticket.subject, "channel": channel, "requester": requester.pk},
    )
    message = _store_message(
        ticket,
        log,
        author=author,
        text=text,
        html=clean_html,
        public=True,
        channel=channel,
        attachments=attachments,
        metadata=metadata,
        now=now,
    )
    if properties:
        apply_changes(ticket, properties, log, by=by)
    if follow_up_of is not None:
        log.add(ticket, EventKind.LINKED, field="follow_up_of", new=follow_up_of.pk)
    log.publish()
    return ticket, message


def _check_create_permission(by: User | None, requester: User, properties: dict[str, Any]) -> None:
    if by is None:
        return
    if by.role == Role.LIGHT_AGENT:
        raise PermissionDenied("light agents may only add internal notes")
    if by.is_customer:
        if by.pk != requester.pk:
            raise PermissionDenied("customers file requests for themselves")
        forbidden = set(properties) - CUSTOMER_SETTABLE
        if forbidden:
            raise PermissionDenied(f"customers cannot set {', '.join(sorted(forbidden))}")
    if not requester.is_active:
        raise DomainError("requester: this person is deactivated")


def _apply_form(ticket: Ticket, form: TicketForm | None, properties: dict[str, Any]) -> None:
    if form is None:
        return
    if not form.enabled:
        raise DomainError("form: this form is not in use")
    ticket.form = form
    values = clean_custom_fields(properties.pop("custom_fields", {}) or {}, {})
    missing = missing_required(list(form.fields.filter(enabled=True)), values)
    if missing:
        raise DomainError(f"custom_fields: {', '.join(missing)} required by form {form.name}")
    ticket.custom_fields = values


def add_message(
    ticket: Ticket,
    log: EventLog,
    *,
    author: User,
    text: str,
    html: str,
    public: bool,
    channel: str,
    attachments: Sequence[Upload] = (),
    metadata: dict[str, Any] | None = None,
) -> Message:
    """Store a message and keep the ticket's counters. Call inside the transaction that
    holds the ticket (locked with select_for_update); the caller checked roles."""
    now = timezone.now()
    message = _store_message(
        ticket,
        log,
        author=author,
        text=text,
        html=html,
        public=public,
        channel=channel,
        attachments=attachments,
        metadata=metadata,
        now=now,
    )
    # The caller holds the row, so the count in hand is current.
    ticket.save(update_fields=_count_message(ticket, author, public=public, now=now))
    return message


def _count_message(ticket: Ticket, author: User, *, public: bool, now: datetime) -> list[str]:
    """Count a new message on the ticket in hand; the fields that changed."""
    fields = ["message_count", "last_activity_at", "updated_at"]
    ticket.message_count += 1
    ticket.last_activity_at = ticket.updated_at = now
    if public:
        ticket.last_public_by = author
        ticket.last_public_by_agent = author.is_agent
        fields += ["last_public_by", "last_public_by_agent"]
        if author.is_agent and ticket.first_reply_at is None:
            ticket.first_reply_at = now
            fields.append("first_reply_at")
        if not author.is_agent:
            ticket.customer_replied_at = now
            fields.append("customer_replied_at")
    return fields


def _store_message(
    ticket: Ticket,
    log: EventLog,
    *,
    author: User,
    text: str,
    html: str,
    public: bool,
    channel: str,
    attachments: Sequence[Upload],
    metadata: dict[str, Any] | None,
    now: datetime,
) -> Message:
    message = Message.objects.create(
        ticket=ticket,
        author=author,
        public=public,
        body=text,
        html=html,
        channel=channel,
        metadata=metadata or {},
        created_at=now,
    )
    for upload in attachments:
        _store_attachment(message, upload)
    log.add(
        ticket,
        EventKind.MESSAGE,
        message=message,
        public=public,
        new={"public": public, "author": author.pk},
    )
    return message


def complete_message_html(message: Message, html: str) -> None:
    """Give a message stored a moment ago its final HTML: the same text with the URLs of
    its own attachments filled in (inline images), which a channel only knows once they
    are stored. Call in the transaction that stored it; no event, since nobody changed
    what was said."""
    clean = sanitize_html(html)
    Message.objects.filter(pk=message.pk).update(html=clean)
    message.html = clean


def _store_attachment(message: Message, upload: Upload) -> Attachment:
    if upload.size > settings.MAX_ATTACHMENT_BYTES:
        raise TooLarge(
            f"attachment {upload.filename!r} is {upload.size:,} bytes; "
            f"the limit is {settings.MAX_ATTACHMENT_BYTES:,}"
        )
    name = _safe_filename(upload.filename)
    content = (
        ContentFile(upload.data, name=name)
        if isinstance(upload.data, bytes)
        else File(upload.data, name=name)
    )
    att = Attachment(
        message=message,
        token=secrets.token_urlsafe(16),
        filename=name,
        content_type=(upload.content_type or "application/octet-stream")[:100],
        size=upload.size,
    )
    att.file.save(name, content, save=False)
    att.save()
    return att


def _safe_filename(name: str) -> str:
    name = (name or "file").replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    keep = "".join(ch for ch in name if ch.isalnum() or ch in " ._-()[]")
    return (keep or "file")[:150]


@transaction.atomic
def reply(
    ticket: Ticket,
    *,
    author: User,
    body: str = "",
    html: str = "",
    public: bool = True,
    source: str = Source.WEB,
    channel: str | None = None,
    status: str | None = None,
    attachments: Sequence[Upload] = (),
    metadata: dict[str, Any] | None = None,
    rule: str = "",
) -> Message:
    """Add a public reply or an internal note, optionally setting the status in the same
    change. A customer's reply to a closed ticket opens a follow-up ticket instead.
    `rule`: the name of the rule or macro that wrote it, for the events."""
    caller_copy = ticket
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _check_reply_permission(ticket, author, public)
    text, clean_html = _clean_body(body, html)
    if ticket.status == Status.CLOSED:
        if author.is_agent:
            raise DomainError("this ticket is closed; open a follow-up ticket instead")
        _, first = open_ticket(
            by=author,
            requester=author,
            subject=ticket.subject,
            body=text,
            html=clean_html,
            channel=channel or ticket.channel,
            source=source,
            attachments=attachments,
            follow_up_of=ticket,
            metadata=metadata,
        )
        return first
    if status == Status.NEW and public and author.is_agent:
        raise DomainError("status: an answered ticket cannot stay new")
    if status is not None:
        # The same rule as update_ticket: customers may only mark their request solved,
        # light agents change nothing.
        if author.is_customer and status != Status.SOLVED:
            raise PermissionDenied("customers may only mark their request as solved")
        if not author.is_customer:
            _check_can_work(author)
    log = EventLog(actor=author, source=source, rule=rule)
    message = add_message(
        ticket,
        log,
        author=author,
        text=text,
        html=clean_html,
        public=public,
        channel=channel or (Channel.API if source == Source.API else Channel.PORTAL),
        attachments=attachments,
        metadata=metadata,
    )
    if status is not None:
        apply_changes(ticket, {"status": status}, log, by=author)
    elif public and author.is_agent and ticket.status == Status.NEW:
        set_status(ticket, Status.OPEN, log)
    elif public and not author.is_agent and ticket.status in (Status.PENDING, Status.SOLVED):
        set_status(ticket, Status.OPEN, log)
    log.publish()
    _sync(caller_copy, ticket)
    return message


def _sync(caller_copy: Ticket, fresh: Ticket) -> None:
    """Leave the caller's instance as current as the row, so that a view or rule that
    goes on using it never acts on stale values."""
    if caller_copy is not fresh:
        caller_copy.__dict__.update(
            {k: v for k, v in fresh.__dict__.items() if not k.startswith("_")}
        )
        caller_copy._state.fields_cache = dict(fresh._state.fields_cache)
        caller_copy.__dict__.pop("_prefetched_objects_cache", None)


def _check_reply_permission(ticket: Ticket, author: User, public: bool) -> None:
    if author.is_customer:
        if not public:
            raise PermissionDenied("customers cannot add internal notes")
        if not can_see(ticket, author):
            raise PermissionDenied("you cannot reply to this ticket")
    elif public and author.role == Role.LIGHT_AGENT:
        raise PermissionDenied("light agents may only add internal notes")
    if ticket.deleted_at is not None:
        raise DomainError("this ticket is in the trash; restore it first")


# What a customer may set when filing a request; afterwards only "solved" (update_ticket).
CUSTOMER_SETTABLE = {"priority", "type", "custom_fields", "form", "cc"}


@transaction.atomic
def update_ticket(
    ticket: Ticket,
    *,
    by: User | None,
    changes: dict[str, Any],
    source: str = Source.WEB,
    rule: str = "",
) -> Ticket:
    """Change properties of a ticket. `changes` maps property names (see `SETTERS`) to
    new values: model objects for relations, codes for choices. Unchanged values leave no
    event. Customers may only mark their ticket solved."""
    caller_copy = ticket
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if by is not None and by.is_customer:
        if set(changes) - {"status"} or changes.get("status") != Status.SOLVED:
            raise PermissionDenied("customers may only mark their request as solved")
        if not Ticket.objects.visible_to(by).filter(pk=ticket.pk).exists():
            raise PermissionDenied("you cannot change this ticket")
    else:
        _check_can_work(by)
    if ticket.deleted_at is not None:
        raise DomainError("this ticket is in the trash; restore it first")
    log = EventLog(actor=by, source=source, rule=rule)
    apply_changes(ticket, changes, log, by=by, touch=True)
    log.publish()
    _sync(caller_copy, ticket)
    return caller_copy


@transaction.atomic
def record_automation(
    ticket: Ticket,
    *,
    text: str,
    rule: str = "",
    details: dict[str, Any] | None = None,
    source: str = Source.RULE,
) -> None:
    """Record what a rule or routing did that changed no property (a mail sent, an agent
    chosen or none found, a chain of rules stopped), as an internal event."""
    log = EventLog(actor=None, source=source, rule=rule)
    log.add(
        ticket, EventKind.AUTOMATION, new={"text": text[:1000], **(details or {})}, public=False
    )
    log.publish()


def close_solved_tickets(*, older_than: datetime, batch: int = 500) -> int:
    """Close tickets solved before `older_than`, one transaction per ticket so that a
    long run never holds the write lock. Returns how many it closed."""
    closed = 0
    numbers = list(
        Ticket.objects.filter(status=Status.SOLVED, solved_at__lt=older_than).values_list(
            "number", flat=True
        )[:batch]
    )
    for number in numbers:
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update()
                .filter(number=number, status=Status.SOLVED)
                .first()
            )
            if ticket is None:
                continue
            log = EventLog(actor=None, source=Source.SYSTEM)
            set_status(ticket, Status.CLOSED, log)
            ticket.updated_at = timezone.now()
            ticket.save(update_fields=["updated_at"])
            log.publish()
            closed += 1
    return closed


def reassign_requester(source: User, target: User, *, by: User) -> int:
    """Move every ticket of `source` to `target` (used when merging customers)."""
    moved = 0
    for ticket in Ticket.objects.filter(requester=source).select_for_update():
        log = EventLog(actor=by, source=Source.WEB)
        set_requester(ticket, target, log)
        log.publish()
        moved += 1
    return moved
