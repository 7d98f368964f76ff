"""Schemas of tickets, messages, events and links, and the functions that fill them.

Output is built field by field from rows fetched with their relations, so what a client
sees is exactly what is listed here, and a customer's view leaves out what only agents
may see (followers, internal custom fields).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from django.urls import reverse
from pydantic import Field, field_validator

from supportdesk.accounts.models import User
from supportdesk.api.schemas import (
    Cursor,
    Id,
    Input,
    Limit,
    NamedRef,
    Out,
    Patch,
    Ref,
    UserRef,
    named_ref,
    person_ref,
    user_ref,
)
from supportdesk.tickets.models import (
    Attachment,
    Channel,
    CustomField,
    LinkKind,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketType,
)
from supportdesk.tickets.queries import attach_people

Tag = Annotated[str, Field(max_length=80)]
Sort = Literal["-number", "number", "-updated_at", "updated_at"]


# Output -------------------------------------------------------------------------------


class TicketOut(Out):
    number: int
    subject: str
    status: str
    priority: str
    type: str
    channel: str
    requester: UserRef
    organization: NamedRef | None
    group: NamedRef | None
    assignee: UserRef | None
    cc: list[UserRef]
    followers: list[UserRef] = Field(description="agents who follow; empty for customers")
    tags: list[str]
    custom_fields: dict[str, Any]
    form: NamedRef | None
    message_count: int
    follow_up_of: int | None
    merged_into: int | None
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime
    first_reply_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    deleted_at: datetime | None = Field(description="in the trash since")


class TicketPage(Out):
    items: list[TicketOut]
    next: str | None


class AttachmentOut(Out):
    id: int
    token: str
    filename: str
    content_type: str
    size: int
    url: str


class MessageOut(Out):
    id: int
    ticket: int
    author: UserRef
    public: bool
    body: str
    html: str
    channel: str
    created_at: datetime
    attachments: list[AttachmentOut]


class MessagePage(Out):
    items: list[MessageOut]
    next: str | None


class EventOut(Out):
    id: int
    kind: str
    field: str
    old: Any
    new: Any
    actor: UserRef | None
    source: str
    rule: str
    message: int | None
    public: bool
    created_at: datetime


class EventPage(Out):
    items: list[EventOut]
    next: str | None


class LinkedTicket(Out):
    number: int
    subject: str
    status: str


class LinkOut(Out):
    id: int
    kind: str
    direction: Literal["out", "in"] = Field(
        description="out: this ticket is the source (e.g. the incident); in: the target"
    )
    ticket: LinkedTicket
    created_at: datetime


class LinkPage(Out):
    items: list[LinkOut]
    next: str | None


def hidden_custom_fields(viewer: User) -> set[str]:
    """Custom field keys the viewer may not see: agents see all, customers the
    customer-visible ones."""
    if viewer.is_agent:
        return set()
    return set(CustomField.objects.filter(customer_visible=False).values_list("key", flat=True))


def ticket_out(ticket: Ticket, viewer: User, hidden: set[str]) -> TicketOut:
    """`ticket` from `access_ticket`, or from `with_list_relations` + `attach_people`."""
    agent = viewer.is_agent
    return TicketOut(
        number=ticket.number,
        subject=ticket.subject,
        status=ticket.status,
        priority=ticket.priority,
        type=ticket.type,
        channel=ticket.channel,
        requester=person_ref(ticket.requester),
        organization=named_ref(ticket.organization),
        group=named_ref(ticket.group),
        assignee=user_ref(ticket.assignee),
        cc=[person_ref(u) for u in ticket.cc_people],  # type: ignore[attr-defined]
        followers=[person_ref(u) for u in ticket.follower_people]  # type: ignore[attr-defined]
        if agent
        else [],
        tags=list(ticket.tags),
        custom_fields={k: v for k, v in ticket.custom_fields.items() if k not in hidden},
        form=named_ref(ticket.form),
        message_count=ticket.message_count,
        follow_up_of=ticket.follow_up_of_id,
        merged_into=ticket.merged_into_id,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        last_activity_at=ticket.last_activity_at,
        first_reply_at=ticket.first_reply_at,
        solved_at=ticket.solved_at,
        closed_at=ticket.closed_at,
        deleted_at=ticket.deleted_at,
    )


def ticket_page(rows: list[Ticket], viewer: User, next_cursor: str | None) -> TicketPage:
    """A page of tickets as `viewer` sees them, with CCs and followers in two queries."""
    attach_people(rows)
    hidden = hidden_custom_fields(viewer)
    return TicketPage(items=[ticket_out(t, viewer, hidden) for t in rows], next=next_cursor)


def attachment_out(att: Attachment) -> AttachmentOut:
    url = reverse("attachment", kwargs={"token": att.token, "filename": att.filename})
    return AttachmentOut(
        id=att.pk,
        token=att.token,
        filename=att.filename,
        content_type=att.content_type,
        size=att.size,
        url=url,
    )


def message_out(message: Message) -> MessageOut:
    """`message` fetched through `messages_of` (author and attachments loaded)."""
    return MessageOut(
        id=message.pk,
        ticket=message.ticket_id,
        author=person_ref(message.author),
        public=message.public,
        body=message.body,
        html=message.html,
        channel=message.channel,
        created_at=message.created_at,
        attachments=[attachment_out(a) for a in message.attachments.all()],
    )


def event_out(event: TicketEvent) -> EventOut:
    return EventOut(
        id=event.pk,
        kind=event.kind,
        field=event.field,
        old=event.old,
        new=event.new,
        actor=user_ref(event.actor),
        source=event.source,
        rule=event.rule,
        message=event.message_id,
        public=event.public,
        created_at=event.created_at,
    )


def link_out(link: TicketLink, ticket: Ticket) -> LinkOut:
    out = link.source_id == ticket.number
    other = link.target if out else link.source
    return LinkOut(
        id=link.pk,
        kind=link.kind,
        direction="out" if out else "in",
        ticket=LinkedTicket(number=other.number, subject=other.subject, status=other.status),
        created_at=link.created_at,
    )


# Input --------------------------------------------------------------------------------


def _split_choices(value: str | None, choices: list[str], name: str) -> list[str] | None:
    if value is None or not value.strip():
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    wrong = [v for v in items if v not in choices]
    if wrong:
        raise ValueError(f"{name} {', '.join(wrong)} unknown; use {', '.join(choices)}")
    return items


class TicketFilters(Input):
    status: str | None = Field(None, max_length=200, description="comma-separated, e.g. new,open")
    priority: str | None = Field(None, max_length=200, description="comma-separated")
    group: Ref | None = None
    assignee: Ref | None = Field(None, description='id, e-mail, or "none" for unassigned')
    requester: Ref | None = None
    organization: Ref | None = None
    tag: Tag | None = None
    updated_since: datetime | None = None
    q: str | None = Field(None, max_length=500, description="full-text search, best first")
    sort: Sort = Field("-number", description="ignored with q: search results are ranked")
    trashed: bool = Field(False, description="list the trash instead (agents)")
    limit: Limit = 25
    cursor: Cursor = None

    @field_validator("status")
    @classmethod
    def _status(cls, value: str | None) -> str | None:
        _split_choices(value, Status.values, "status")
        return value

    @field_validator("priority")
    @classmethod
    def _priority(cls, value: str | None) -> str | None:
        _split_choices(value, Priority.values, "priority")
        return value

    @field_validator("updated_since")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return aware(value)

    def statuses(self) -> list[str] | None:
        return _split_choices(self.status, Status.values, "status")

    def priorities(self) -> list[str] | None:
        return _split_choices(self.priority, Priority.values, "priority")

    def narrows(self) -> bool:
        """Whether any filter besides q restricts the list."""
        keys = ("status", "priority", "group", "assignee", "requester", "organization")
        return any(getattr(self, k) for k in keys) or bool(
            self.tag or self.updated_since or self.trashed
        )


def aware(value: datetime | None) -> datetime | None:
    """A time with an offset (naive ones are UTC) that the database can store."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("time out of range") from exc


class TicketIn(Input):
    subject: str = Field(max_length=1000)
    body: str = Field("", description="plain text of the first message")
    html: str = Field("", description="HTML of the first message; sanitised")
    requester: Ref | None = Field(
        None, description="id or e-mail; agents may name someone new, customers only themself"
    )
    requester_name: str | None = Field(None, max_length=200, description="for a new person")
    channel: Channel | None = Field(None, description="agents only; default api")
    status: Status | None = Field(None, description="agents only")
    priority: Priority | None = None
    type: TicketType | None = None
    group: Ref | None = None
    assignee: Ref | None = None
    tags: list[Tag] | None = Field(None, max_length=50)
    custom_fields: dict[str, Any] | None = None
    cc: list[Ref] | None = Field(None, max_length=100)
    followers: list[Ref] | None = Field(None, max_length=100)
    form: Ref | None = None


class TicketPatch(Patch):
    nullable = frozenset({"group", "assignee"})

    subject: str | None = Field(None, max_length=1000)
    status: Status | None = None
    priority: Priority | None = None
    type: TicketType | None = None
    group: Ref | None = Field(None, description="null to clear")
    assignee: Ref | None = Field(None, description="null to unassign")
    requester: Ref | None = None
    tags: list[Tag] | None = Field(None, max_length=50)
    custom_fields: dict[str, Any] | None = Field(None, description="merged; null removes a key")
    cc: list[Ref] | None = Field(None, max_length=100)
    followers: list[Ref] | None = Field(None, max_length=100)


class MessageIn(Input):
    body: str = Field("", description="plain text")
    html: str = Field("", description="HTML; sanitised before it is stored")
    public: bool = Field(True, description="false for an internal note (agents)")
    status: Status | None = Field(None, description="set the status in the same change")


class MergeIn(Input):
    into: Id = Field(description="number of the ticket to merge into")


class LinkIn(Input):
    target: Id
    kind: LinkKind
