"""Mailboxes and every message that came in through them, kept raw.

An `InboundMessage` row is written for every message before anything else happens, with a
unique key (its Message-ID, or a hash of its bytes when it has none), so a message
delivered twice, or fetched by two workers at once, is ingested once.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.timezone import now


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Mailbox(models.Model):
    """An address customers write to, and the group its new tickets go to."""

    name = models.CharField(max_length=100)
    address = models.EmailField(unique=True)
    group = models.ForeignKey(
        "accounts.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enabled = models.BooleanField(default=True)
    # For the HTTP endpoint that mail services post raw messages to.
    secret = models.CharField(max_length=64, default=new_secret)
    # IMAP polling (see imap.py); no host: this mailbox is not polled.
    imap_host = models.CharField(max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(default=993)
    imap_security = models.CharField(
        max_length=10, default="ssl", help_text="ssl (port 993), starttls, or none"
    )
    imap_username = models.CharField(max_length=255, blank=True)
    imap_password = models.CharField(max_length=255, blank=True)
    imap_folder = models.CharField(max_length=255, default="INBOX")
    imap_move_to = models.CharField(
        max_length=255, blank=True, help_text="Folder to move imported mail to; blank: flag it"
    )
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return self.address


class Outcome(models.TextChoices):
    NEW_TICKET = "new", "new ticket"
    REPLY = "reply", "reply"
    FOLLOW_UP = "follow_up", "follow-up ticket"
    QUARANTINED = "quarantined", "quarantined"


class InboundMessage(models.Model):
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    key = models.CharField(max_length=300, unique=True, help_text="Message-ID or sha256:...")
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    raw = models.BinaryField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was quarantined")
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket_message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=models.Q(outcome="quarantined"),
                name="inbound_quarantined",
            )
        ]
