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
