"""The daily digest: one mail per agent with the notifications they chose to batch.

The job runs every hour and sends each agent's digest at DIGEST_HOUR in their own time
zone, so a team spread over the world reads it with the morning coffee, not at 3 a.m.
An hour the worker misses only delays the items to the next day; none are lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.notify.models import DigestItem
from supportdesk.notify.services import send_email

DIGEST_HOUR = 8
KEEP_SENT = timedelta(days=30)


def send_due_digests(now: datetime | None = None) -> int:
    """Send the digest of every agent for whom it is now DIGEST_HOUR o'clock; returns
    how many went out."""
    now = now or timezone.now()
    waiting = (
        DigestItem.objects.filter(sent_at__isnull=True).values_list("user_id", flat=True).distinct()
    )
    sent = 0
    for user in User.objects.filter(pk__in=list(waiting)):
        if local_hour(user, now) == DIGEST_HOUR and send_digest(user, now=now):
            sent += 1
    DigestItem.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    return sent


def local_hour(user: User, now: datetime) -> int:
    try:
        zone = ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    return now.astimezone(zone).hour


@transaction.atomic
def send_digest(user: User, *, now: datetime | None = None) -> bool:
    """Mail the user every digest item not sent yet, and mark them sent. Safe to run twice
    at once: the items are claimed with a conditional update, and a run that claims
    fewer than it read leaves them to the one that won."""
    now = now or timezone.now()
    items = list(
        DigestItem.objects.select_for_update()
        .filter(user=user, sent_at__isnull=True)
        .order_by("id")
    )
    if not items:
        return False
    claimed = DigestItem.objects.filter(pk__in=[i.pk for i in items], sent_at__isnull=True).update(
        sent_at=now
    )
    if claimed != len(items):
        transaction.set_rollback(True)
        return False
    if user.is_active and user.is_agent:
        send_email(
            kind="digest",
            to=[user.email],
            subject=f"Your daily digest: {_count(len(items))}",
            body=_body(user, items),
        )
    return True


def _count(n: int) -> str:
    return f"{n} notification" if n == 1 else f"{n} notifications"


def _body(user: User, items: list[DigestItem]) -> str:
    lines = [f"Hello {user.display_name},", "", "What happened since your last digest:", ""]
    for item in items:
        lines.append(f"- {item.text}")
        if item.ticket_id:
            lines.append(f"  {settings.SITE_URL}/agent/tickets/{item.ticket_id}/")
    lines += [
        "",
        "Choose what reaches you, and how:",
        f"{settings.SITE_URL}/agent/notifications/preferences/",
    ]
    return "\n".join(lines) + "\n"
