"""Webhook endpoints that admins register, the deliveries other apps send them, and a
log of every HTTP attempt of each delivery."""

from __future__ import annotations

import json

from django.db import models
from django.utils import timezone


class WebhookEndpoint(models.Model):
    """A URL outside supportdesk that receives signed JSON POSTs.

    The secret is kept in clear because we sign with it (HMAC needs the key itself);
    only admins see it, on the endpoint's page, and it never reaches a log.
    """

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"  # waiting for its first attempt or a retry
    DELIVERED = "delivered"  # a 2xx answer
    FAILED = "failed"  # gave up after the last attempt


class WebhookDelivery(models.Model):
    """One event sent to one endpoint, retried until it is delivered or we give up.

    `attempts` counts the attempts of the current series (a redelivery starts a new one);
    `next_attempt_at` is when the next one is due while pending, so a sweeper can find
    deliveries whose scheduled retry was lost.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["endpoint", "id"], name="webhook_delivery_endpoint"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    @property
    def payload_text(self) -> str:
        """The payload as indented JSON, for people to read."""
        return json.dumps(self.payload, indent=2, ensure_ascii=False)


class WebhookAttempt(models.Model):
    """One HTTP POST of a delivery: its answer, or the network error (no status code)."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
