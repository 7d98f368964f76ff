"""Outgoing e-mail, recorded before it is sent so that nothing is lost on a failure."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class MailStatus(models.TextChoices):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry


class OutgoingEmail(models.Model):
    kind = models.CharField(max_length=40)
    to = models.JSONField(help_text="List of addresses.")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="outgoing_status")]
