"""Sign-ups waiting for the person to confirm their address."""

from __future__ import annotations

import hashlib

from django.db import models
from django.utils import timezone


class PendingSignup(models.Model):
    """A portal sign-up that becomes an account once its address is confirmed.

    Nothing is created before then: an unconfirmed account would join the organization
    of its domain (and see its shared tickets), and would catch the mail its real owner
    sends us later. `password` is a hash from `make_password`; the link's token is
    stored as its SHA-256 only.
    """

    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    password = models.CharField(max_length=128)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["email"], name="pendingsignup_email"),
            models.Index(fields=["created_at"], name="pendingsignup_created"),
        ]

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
