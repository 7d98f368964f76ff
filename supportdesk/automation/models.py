"""Rules that do the mechanical work: triggers (on events), time rules (on a clock),
routing settings per group and per agent, and macros (canned replies with actions).

Conditions are in the one condition language (`supportdesk.conditions`); actions are
validated by `actions.clean_actions` when saved, so the engines trust what they read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

EVENTS = (
    "ticket.created",
    "ticket.updated",
    "ticket.customer_replied",
    "ticket.agent_replied",
    "ticket.note_added",
    "ticket.status_changed",
    "sla.warning",
    "sla.breached",
)


class Trigger(models.Model):
    """A rule run on an event: when its conditions hold, its actions run, in order."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    event = models.CharField(max_length=40, choices=[(e, e) for e in EVENTS])
    conditions = models.JSONField(default=dict)
    actions = models.JSONField(default=list)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["event", "enabled", "position"], name="trigger_event")]

    def __str__(self) -> str:
        return self.name


# What a time rule counts from; each is a column (or an expression) of the ticket.
SINCE = ("created", "updated", "status", "pending", "solved", "customer_message")


class TimeRule(models.Model):
    """A rule checked every few minutes on tickets that are not closed: when `hours`
    have passed since `since` (in calendar or business hours) and the conditions hold,
    the actions run, once per ticket and start of that period."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    since = models.CharField(max_length=20, choices=[(s, s) for s in SINCE])
    hours = models.FloatField()
    business_hours = models.BooleanField(default=False)
    conditions = models.JSONField(default=dict)
    actions = models.JSONField(default=list)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class TimeRuleFired(models.Model):
    """That a time rule fired on a ticket for the period that began at `window_start`;
    the unique key keeps two workers from firing it twice."""

    rule = models.ForeignKey(TimeRule, on_delete=models.CASCADE, related_name="fired")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    fired_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "ticket", "window_start"], name="timerulefired_once"
            )
        ]


class SlaSignal(models.Model):
    """That `sla.warning` or `sla.breached` was raised for a ticket's due time, once."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    due_at = models.DateTimeField()
    raised_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind", "due_at"], name="slasignal_once")
        ]


class Strategy(models.TextChoices):
    MANUAL = "manual", "Manual"
    ROUND_ROBIN = "round_robin", "Round-robin"
    LEAST_LOADED = "least_loaded", "Least loaded"
    SKILLS = "skills", "Skill-based"


class GroupRouting(models.Model):
    """How a group's new tickets find an agent."""

    group = models.OneToOneField(
        "accounts.Group", on_delete=models.CASCADE, primary_key=True, related_name="routing"
    )
    strategy = models.CharField(max_length=20, choices=Strategy.choices, default=Strategy.MANUAL)
    # Custom field keys whose value is a skill a ticket needs ("product" -> "product:x").
    skill_fields = models.JSONField(default=list, blank=True)
    return_when_offline = models.BooleanField(default=False)
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class AgentProfile(models.Model):
    """What routing knows of an agent: how many open tickets they take, and their skills
    ("language:de", "product:billing", "tier:2")."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="routing_profile",
    )
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="None: no limit")
    skills = models.JSONField(default=list, blank=True)


class Macro(models.Model):
    """A canned reply with placeholders and the changes it makes; shared (no owner) or
    personal, in a folder, with a short variant for chat."""

    name = models.CharField(max_length=100)
    folder = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    body = models.TextField(blank=True, help_text="The reply, for e-mail and the portal")
    chat_body = models.TextField(blank=True, help_text="A short variant for chat")
    public = models.BooleanField(default=True, help_text="False: an internal note")
    actions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["folder", "position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="macro_name_per_owner"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(owner=None), name="macro_shared_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MacroUse(models.Model):
    """One use of a macro on a ticket: the admin list's "last used" and "uses in 90 days"."""

    macro = models.ForeignKey(Macro, on_delete=models.CASCADE, related_name="uses")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["macro", "used_at"], name="macrouse_macro")]
