"""Reads of an agent's notifications, shared by the pages, the bell and the live app."""

from __future__ import annotations

from supportdesk.accounts.models import User
from supportdesk.lib.pagination import keyset_page
from supportdesk.notify.models import Notification

UNREAD_CAP = 99
PAGE_SIZE = 30


def unread_count(user: User) -> int:
    """Unread notifications, counted up to UNREAD_CAP + 1 (shown as "99+"): the LIMIT
    keeps it a short range scan of the (user, read_at, id) index however many pile up."""
    if not user.is_authenticated or not user.is_agent:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True)[: UNREAD_CAP + 1].count()


def page_notifications(
    user: User, *, cursor: str | None, limit: int = PAGE_SIZE
) -> tuple[list[Notification], str | None]:
    """Newest first; raises DomainError for a cursor that is not ours."""
    qs = Notification.objects.filter(user=user).select_related("actor", "ticket")
    return keyset_page(qs, order=("-id",), limit=limit, cursor=cursor)
