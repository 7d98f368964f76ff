"""The text that ticket search looks in, one row per ticket.

The full-text index over these rows is engine-specific and created by migration 0002:
an FTS5 table kept in sync by triggers on SQLite, generated tsvector columns with GIN
indexes on PostgreSQL.
"""

from __future__ import annotations

from django.db import models


class TicketDocument(models.Model):
    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.TextField()
    public_text = models.TextField(help_text="Public messages: what the customer may search.")
    private_text = models.TextField(help_text="Internal notes: agents only.")
