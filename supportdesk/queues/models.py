"""Saved views (queues): a named selection of tickets in the condition language, with a
sort order and the columns to show; personal to an agent or shared with everyone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

COLUMNS = (
    "number",
    "subject",
    "sla",
    "requester",
    "status",
    "priority",
    "type",
    "channel",
    "group",
    "assignee",
    "organization",
    "tags",
    "created_at",
    "updated_at",
)
COLUMN_LABELS = {
    "number": "Ticket number",
    "subject": "Subject",
    "requester": "Requester",
    "status": "Status",
    "priority": "Priority",
    "type": "Type",
    "channel": "Channel",
    "group": "Group",
    "assignee": "Assignee",
    "organization": "Organization",
    "tags": "Tags",
    "created_at": "Created",
    "updated_at": "Last updated",
    "sla": "SLA",
}
# SLA next to the subject: on a phone the first columns are what shows without scrolling.
DEFAULT_COLUMNS = ["number", "subject", "sla", "requester", "status", "priority", "updated_at"]


class SavedView(models.Model):
    name = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    shared = models.BooleanField(default=False, help_text="Every agent sees it.")
    conditions = models.JSONField(default=dict)
    sort = models.CharField(max_length=20, default="-updated_at")
    columns = models.JSONField(default=list)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["shared", "position"], name="savedview_shared")]

    def __str__(self) -> str:
        return self.name
