"""The only writer of presence signals."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.live.models import PresenceSignal, SignalKind
from supportdesk.live.wake import wake_streams
from supportdesk.tickets.models import Ticket

KEEP = timedelta(hours=1)


def signal_presence(ticket: Ticket, *, user: User, kind: str) -> PresenceSignal:
    """Record that `user` is viewing, typing on, or has left `ticket` (agents only)."""
    if not user.is_agent:
        raise PermissionDenied("only agents share presence")
    if kind not in SignalKind.values:
        raise DomainError(f"kind: one of {', '.join(SignalKind.values)}")
    row = PresenceSignal.objects.create(ticket=ticket, user=user, kind=kind)
    wake_streams()
    return row


def prune_signals() -> int:
    deleted, _ = PresenceSignal.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return deleted
