"""Tickets, their messages and attachments, links, custom fields, and the append-only
event trail that every change leaves."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from supportdesk.tickets.visibility import TicketQuerySet


class Status(models.TextChoices):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on-hold"
    SOLVED = "solved"
    CLOSED = "closed"


class Priority(models.TextChoices):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TicketType(models.TextChoices):
    QUESTION = "question"
    INCIDENT = "incident"
    PROBLEM = "problem"
    TASK = "task"


class Channel(models.TextChoices):
    EMAIL = "email"
    PORTAL = "portal"
    CHAT = "chat"
    API = "api"
    PHONE = "phone"
    BOT = "bot"


class Source(models.TextChoices):
    """Where a change came from, recorded on every event."""

    WEB = "web"
    API = "api"
    EMAIL = "email"
    RULE = "rule"
    SYSTEM = "system"


class FieldType(models.TextChoices):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    DROPDOWN = "dropdown"
    CHECKBOX = "checkbox"


class CustomField(models.Model):
    """A typed ticket field an admin defines; values live in `Ticket.custom_fields[key]`."""

    key = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=20, choices=FieldType.choices)
    options = models.JSONField(default=list, blank=True, help_text="Choices of a dropdown.")
    required = models.BooleanField(default=False)
    customer_visible = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class TicketForm(models.Model):
    """A set of custom fields a requester fills in for one kind of request."""

    name = models.CharField(max_length=100, unique=True)
    fields = models.ManyToManyField(CustomField, blank=True, related_name="forms")
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    """A customer's request and everything done about it.

    The number is the primary key: unique and increasing, with gaps where tickets were
    deleted. Fields after `closed_at` are denormalised for fast lists and kept right by
    the services.
    """

    number = models.BigAutoField(primary_key=True)
    subject = models.CharField(max_length=255)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_tickets"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    group = models.ForeignKey(
        "accounts.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    type = models.CharField(max_length=10, choices=TicketType.choices, default=TicketType.QUESTION)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    form = models.ForeignKey(TicketForm, null=True, blank=True, on_delete=models.SET_NULL)
    custom_fields = models.JSONField(default=dict, blank=True)
    # Tags are read from here and filtered through TicketTag, which carries the index.
    tags = models.JSONField(default=list, blank=True)
    cc = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="cc_tickets")
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="followed_tickets"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    first_reply_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    last_public_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_public_by_agent = models.BooleanField(default=False)
    message_count = models.PositiveIntegerField(default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="In the trash since.")
    sla_due_at = models.DateTimeField(
        null=True, blank=True, help_text="The next SLA due time, kept by the sla app."
    )
    # What time rules count from ("pending for 3 days", "no customer reply for 2 days").
    status_changed_at = models.DateTimeField(default=timezone.now)
    customer_replied_at = models.DateTimeField(
        null=True, blank=True, help_text="The requester's or a CC's last public message."
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        # Each list filter has an index that ends in the sort key, so a filtered page is
        # an index range scan that stops after `limit` rows.
        indexes = [
            models.Index(fields=["status", "group", "number"], name="ticket_status_group"),
            models.Index(fields=["status", "number"], name="ticket_status"),
            models.Index(fields=["group", "number"], name="ticket_group"),
            models.Index(fields=["assignee", "status", "number"], name="ticket_assignee"),
            models.Index(fields=["requester", "number"], name="ticket_requester"),
            models.Index(fields=["organization", "number"], name="ticket_org"),
            models.Index(fields=["priority", "number"], name="ticket_priority"),
            models.Index(fields=["updated_at", "number"], name="ticket_updated"),
            models.Index(fields=["status", "solved_at"], name="ticket_solved"),
            models.Index(fields=["status", "status_changed_at"], name="ticket_status_since"),
            # "Breaches next": only tickets that owe something have a due time.
            models.Index(
                fields=["sla_due_at", "number"],
                condition=models.Q(sla_due_at__isnull=False),
                name="ticket_sla_due",
            ),
            # Only the trash: an index on every row's deleted_at would tempt SQLite's
            # planner away from the filter indexes above for `deleted_at IS NULL`.
            models.Index(
                fields=["number"],
                condition=models.Q(deleted_at__isnull=False),
                name="ticket_trashed",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.SOLVED, Status.CLOSED)


class TicketTag(models.Model):
    """One row per tag on a ticket: the index behind the tag filter."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="tag_rows")
    name = models.CharField(max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "name"], name="tickettag_unique")]
        indexes = [models.Index(fields=["name", "ticket"], name="tickettag_name")]


class Message(models.Model):
    """A public reply or an internal note on a ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages"
    )
    public = models.BooleanField(default=True)
    body = models.TextField(help_text="Plain text.")
    html = models.TextField(blank=True, help_text="Sanitised HTML, when the input had HTML.")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket")]


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{timezone.now():%Y/%m}/{instance.token}/{filename}"


class Attachment(models.Model):
    """A file on a message, stored through Django's storage."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    token = models.CharField(max_length=32, unique=True)
    file = models.FileField(upload_to=attachment_path, max_length=500)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)


class LinkKind(models.TextChoices):
    RELATED = "related"
    INCIDENT_OF = "incident_of"  # source is an incident of the target problem
    CHILD_OF = "child_of"  # source is a child of the target parent


class TicketLink(models.Model):
    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="ticketlink_unique")
        ]


class EventKind(models.TextChoices):
    CREATED = "created"
    CHANGED = "changed"  # a property: field, old, new
    MESSAGE = "message"  # a reply or note: message
    MERGED = "merged"
    AUTOMATION = "automation"  # what a rule did that changed no property: new["text"]
    LINKED = "linked"
    TRASHED = "trashed"
    RESTORED = "restored"


class TicketEvent(models.Model):
    """One change to a ticket, appended by a service and never updated.

    The timeline, SLA clocks, live updates and reports read these rows; `id` order is
    the order of changes across processes.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    field = models.CharField(max_length=50, blank=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    rule = models.CharField(max_length=200, blank=True)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public = models.BooleanField(default=True, help_text="False for note events.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "id"], name="event_ticket"),
            # A ticket's status history, which SLA clocks read for thousands of tickets
            # at a time, without reading its other events.
            models.Index(
                fields=["ticket", "id"], name="event_status", condition=models.Q(field="status")
            ),
        ]
