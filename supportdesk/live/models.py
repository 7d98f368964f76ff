"""Who is looking at a ticket and who is typing on it, as an append-only trail.

Presence crosses processes the way ticket events do: every web process tails this table
by id, so an agent on one process sees an agent on another. Rows are short-lived; a
periodic job deletes those older than an hour.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SignalKind(models.TextChoices):
    VIEWING = "viewing"
    TYPING = "typing"
    LEFT = "left"


class PresenceSignal(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=SignalKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "id"], name="presence_ticket"),
            models.Index(fields=["created_at"], name="presence_created"),
        ]
