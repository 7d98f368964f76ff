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


class Auth(models.TextChoices):
    PASSWORD = "password", "password"
    XOAUTH2 = "xoauth2", "OAuth 2 (XOAUTH2)"


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
    # Sending replies from this address (see outbound.py); no host: the site's mail server.
    smtp_host = models.CharField(max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(default=587)
    smtp_security = models.CharField(
        max_length=10, default="starttls", help_text="starttls (port 587), ssl (465), or none"
    )
    smtp_username = models.CharField(max_length=255, blank=True)
    smtp_password = models.CharField(max_length=255, blank=True)
    # How IMAP and SMTP log in: a password, or XOAUTH2 with a refresh token (oauth.py).
    auth = models.CharField(max_length=10, choices=Auth.choices, default=Auth.PASSWORD)
    oauth_token_url = models.URLField(blank=True, help_text="The provider's token endpoint")
    oauth_client_id = models.CharField(max_length=255, blank=True)
    oauth_client_secret = models.CharField(max_length=255, blank=True)
    oauth_refresh_token = models.TextField(blank=True)
    oauth_access_token = models.TextField(blank=True)
    oauth_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return self.address


class Outcome(models.TextChoices):
    NEW_TICKET = "new", "new ticket"
    REPLY = "reply", "reply"
    FOLLOW_UP = "follow_up", "follow-up ticket"
    QUARANTINED = "quarantined", "quarantined"
    SUSPENDED = "suspended", "suspended (spam or blocked sender)"
    BOUNCE = "bounce", "bounce"
    DELETED = "deleted", "deleted by an agent"


class InboundMessage(models.Model):
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    key = models.CharField(max_length=300, unique=True, help_text="Message-ID or sha256:...")
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    raw = models.BinaryField()
    # The envelope recipients (SMTP's RCPT TO, X-Envelope-To) when the source knew them:
    # a retry after a fix threads by them as the first delivery would have.
    recipients = models.JSONField(default=list, blank=True)
    # For the admin lists (quarantine, suspended); the full headers are in `raw`.
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
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
            ),
            models.Index(
                fields=["received_at"],
                condition=models.Q(outcome="suspended"),
                name="inbound_suspended",
            ),
        ]


class InboundReference(models.Model):
    """A Message-ID that a stored message names in In-Reply-To or References, so that a
    message arriving after its replies (out of order) finds their ticket."""

    message = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="refs")
    referenced_id = models.CharField(max_length=300, db_index=True)


class BlockedSender(models.Model):
    """Mail from these senders is suspended, not turned into tickets. `pattern` is an
    address (ann@example.com) or a whole domain (@example.com)."""

    pattern = models.CharField(max_length=254, unique=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return self.pattern


class AutoReplyLog(models.Model):
    """Automatic mail sent to an address, for the per-address rate limit (loop protection)."""

    address = models.EmailField()
    sent_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["address", "sent_at"], name="autoreply_address")]


class Template(models.Model):
    """Mail texts the admin edits, by name ("acknowledgement"). Placeholders are rendered
    by outbound.py; an absent row means the built-in default."""

    name = models.CharField(max_length=50, unique=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=now)
