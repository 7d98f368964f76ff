"""The SLA card of the ticket page: the policy, each target's state in words, and its
history (for "next reply", every customer message that waited for an answer).

The clocks are computed afresh from the ticket's history for the page (a few queries), so
time left and the size of an ongoing breach are exact now, not as of the last recompute.
Times are shown in the agent's own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.agent.cells import sla_text
from supportdesk.sla.clocks import Clock, next_due
from supportdesk.sla.current import current_clocks
from supportdesk.sla.models import TARGETS
from supportdesk.tickets.models import Ticket

TARGET_LABELS = {
    "first_reply": "First reply",
    "next_reply": "Next reply",
    "periodic_update": "Update",
    "resolution": "Resolution",
}
ENDED = {
    "first_reply": "answered",
    "next_reply": "answered",
    "periodic_update": "updated",
    "resolution": "solved",
}
SHOWN_CYCLES = 10


@dataclass
class Step:
    """One owed answer (a next-reply cycle) or the whole of another target."""

    started: str
    due: str
    ended: str
    text: str
    urgency: str


@dataclass
class Row:
    key: str
    label: str
    text: str
    urgency: str
    due: str
    ended_word: str
    summary: str = ""
    history: list[Step] = field(default_factory=list)
    older: int = 0


def _zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _minutes(value: float | None) -> str:
    minutes = round(value or 0)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _state(clock: Clock, now: datetime) -> tuple[str, str]:
    """The state in words and its urgency class."""
    if clock.achieved is not None:  # met: in time ("achieved") or late ("breached")
        if clock.breached_minutes:
            return f"met late, by {_minutes(clock.breached_minutes)}", "sla-late"
        return "met", "sla-ok"
    if clock.state == "paused":
        return f"paused, {_minutes(clock.remaining_minutes)} left", ""
    return sla_text(clock.due_at, now)


def _local(moment: datetime | None, zone: ZoneInfo, now: datetime) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return f"today {local:%H:%M}"
    return f"{local:%a %d %b %H:%M}"


def _step(clock: Clock, zone: ZoneInfo, now: datetime) -> Step:
    text, urgency = _state(clock, now)
    return Step(
        started=_local(clock.started_at, zone, now),
        due=_local(clock.due_at, zone, now),
        ended=_local(clock.achieved_at, zone, now),
        text=text,
        urgency=urgency,
    )


def _row(key: str, clock: Clock, zone: ZoneInfo, now: datetime) -> Row:
    text, urgency = _state(clock, now)
    due = _local(clock.due_at, zone, now)
    row = Row(key, TARGET_LABELS.get(key, key), text, urgency, due, ENDED.get(key, "met"))
    cycles = clock.cycles if key == "next_reply" else [clock]
    shown = cycles[-SHOWN_CYCLES:]
    row.history = [_step(c, zone, now) for c in reversed(shown)]
    row.older = len(cycles) - len(shown)
    if key == "next_reply":
        late = sum(1 for c in cycles if c.breached_minutes)
        row.summary = f"{len(cycles)} customer message{'s' if len(cycles) != 1 else ''} waited"
        row.summary += f", {late} answered late" if late else ""
    elif clock.achieved is not None:
        row.summary = f"{row.ended_word.capitalize()} {_local(clock.achieved_at, zone, now)}"
    else:
        row.summary = f"Due {due}" if due else "Details"
    return row


def sla_panel(ticket: Ticket, user: User, now: datetime | None = None) -> dict[str, Any] | None:
    """The card's content, or None when no policy applies to the ticket."""
    now = now or timezone.now()
    found = current_clocks(ticket.number, now=now)
    if found is None or found.policy is None:
        return None
    zone = _zone(user)
    rows = [_row(key, found.clocks[key], zone, now) for key in TARGETS if key in found.clocks]
    head, head_urgency = sla_text(next_due(found.clocks), now)
    calendar = found.calendar.name if found.calendar else ""
    if not found.policy.business_hours:
        calendar = "around the clock"
    return {
        "policy": found.policy.name,
        "calendar": calendar or "around the clock (no calendar)",
        "rows": rows,
        "next": head,
        "next_urgency": head_urgency,
        "zone": str(zone),
    }
