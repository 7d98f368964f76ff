"""Business-hours calendars, SLA policies, and each ticket's computed clocks.

A ticket's clocks are computed from its events (see `clocks.py`), so they can always be
recomputed; `TicketSla` holds the last result, and `Ticket.sla_due_at` the next due time,
indexed, so queues sort by "breaches next".
"""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now

TARGETS = ("first_reply", "next_reply", "periodic_update", "resolution")


class Calendar(models.Model):
    """A weekly schedule in a time zone, with a country's holidays and custom dates."""

    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")
    hours = models.JSONField(
        default=dict, help_text='{"mon": [["09:00", "17:00"]], ...}; an empty day is closed'
    )
    country = models.CharField(max_length=10, blank=True)
    subdivision = models.CharField(max_length=10, blank=True)
    dates = models.JSONField(default=list, blank=True, help_text="Extra holidays, ISO dates")
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return self.name


class GroupCalendar(models.Model):
    """The calendar of a group's tickets when their policy names none."""

    group = models.OneToOneField("accounts.Group", on_delete=models.CASCADE, related_name="+")
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="+")


class Policy(models.Model):
    """Targets in minutes for the tickets its conditions match; the first match applies."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    calendar = models.ForeignKey(
        Calendar, null=True, blank=True, on_delete=models.PROTECT, related_name="policies"
    )
    business_hours = models.BooleanField(default=True)
    conditions = models.JSONField(default=dict)
    targets = models.JSONField(default=dict, help_text="minutes per target; absent = none")
    pause_on = models.JSONField(default=list, help_text="statuses that stop the clocks")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.name


class TicketSla(models.Model):
    """The last computation of a ticket's clocks: its policy and each target's state."""

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="sla"
    )
    policy = models.ForeignKey(Policy, null=True, blank=True, on_delete=models.SET_NULL)
    targets = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=now)


# Warnings, escalations, stalled tickets and emergencies (see rules.py, escalations.py,
# emergencies.py). Actions are validated JSON lists, like conditions.


class EscalationRule(models.Model):
    """Actions N minutes before or after a target's breach, once per ticket and due time."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    target = models.CharField(max_length=20, default="any")
    when = models.CharField(max_length=10, default="before")
    minutes = models.PositiveIntegerField(default=0)
    conditions = models.JSONField(default=dict)
    actions = models.JSONField(default=list)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class EscalationFired(models.Model):
    """That a rule ran for a ticket's target with this due time (a new cycle: a new one)."""

    rule = models.ForeignKey(EscalationRule, on_delete=models.CASCADE, related_name="fired")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    target = models.CharField(max_length=20)
    due_at = models.DateTimeField()
    fired_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "ticket", "target", "due_at"], name="escalation_fired_once"
            )
        ]


class StalledRule(models.Model):
    """Actions when an open ticket had no agent update for N business hours."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    hours = models.PositiveIntegerField(default=24)
    conditions = models.JSONField(default=dict)
    actions = models.JSONField(default=list)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class StalledFired(models.Model):
    """That a stalled rule ran for a ticket whose last agent update was at `since`."""

    rule = models.ForeignKey(StalledRule, on_delete=models.CASCADE, related_name="fired")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()
    fired_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "ticket", "since"], name="stalled_fired_once")
        ]


class EmergencyRule(models.Model):
    """What an emergency is, who is told, and how often until someone acknowledges it."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    conditions = models.JSONField(default=dict)
    notify = models.JSONField(default=list, help_text="user ids")
    # SET_NULL: deleting an endpoint must not be blocked by, nor delete, a paging rule;
    # the rule keeps notifying people in the app and by e-mail.
    webhook = models.ForeignKey(
        "webhooks.WebhookEndpoint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    repeat_minutes = models.PositiveIntegerField(default=15)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Emergency(models.Model):
    """A ticket that met an emergency rule: raised once, re-notified until acknowledged."""

    rule = models.ForeignKey(EmergencyRule, on_delete=models.CASCADE, related_name="emergencies")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="emergencies"
    )
    raised_at = models.DateTimeField(default=now)
    last_notified_at = models.DateTimeField(default=now)
    notified_count = models.PositiveIntegerField(default=0)
    acknowledged_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "ticket"], name="emergency_once_per_rule")
        ]
        indexes = [
            models.Index(
                fields=["last_notified_at"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="emergency_open",
            )
        ]
