"""Outgoing e-mail, recorded before it is sent so that nothing is lost on a failure; agents'
in-app notifications, their delivery preferences and the items of their daily digest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class MailStatus(models.TextChoices):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry
    BOUNCED = "bounced"  # sent, then a delivery status notification came back


class OutgoingEmail(models.Model):
    kind = models.CharField(max_length=40)
    to = models.JSONField(help_text="List of addresses.")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Mail to customers about a ticket: sent from a mailbox, threaded, possibly with HTML
    # and the message's attachments; empty for plain notifications from the site address.
    html = models.TextField(blank=True)
    ticket_message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="mails"
    )
    mailbox = models.ForeignKey(
        "mail.Mailbox", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_address = models.CharField(max_length=300, blank=True)
    reply_to = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True, help_text="More headers to set")
    attachment_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="outgoing_status")]


class Notification(models.Model):
    """Something an agent should know, shown in their notification list and bell.

    Rows are only appended (and marked read), and ids increase, so the live app tails
    `filter(user=..., id__gt=last)` to push new ones to a connected agent.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "id"], name="notification_user"),
            models.Index(fields=["user", "read_at", "id"], name="notification_unread"),
        ]


class NotificationPreference(models.Model):
    """How one agent wants one kind delivered; no row means the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs"
    )
    kind = models.CharField(max_length=40)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    digest = models.BooleanField(
        default=False, help_text="E-mail once a day in a digest instead of one mail each."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")
        ]


class DigestItem(models.Model):
    """A notification waiting for its agent's daily digest e-mail.

    Kept apart from `Notification` because the digest goes out even when the agent
    turned the in-app list off for that kind.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "user", "id"], name="digest_pending")]
