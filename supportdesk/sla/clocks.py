"""SLA clocks computed from a ticket's history, never from wall-clock jobs, so they are
exact after the fact and can be recomputed at any time.

Input: when the ticket was created, its status over time, its public messages (by agent
or customer), a policy's targets and paused statuses, a business-time schedule and "now".
Output: for each target, its state (active, paused, achieved, breached), due time, when
it was achieved, and by how many business minutes it was or is breached.

Clocks run while the ticket is in a status that is neither paused by the policy nor
solved or closed; a solved ticket owes nothing until it is reopened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from supportdesk.sla.businesstime import Schedule, add_business_minutes, business_minutes_between

DONE = ("solved", "closed")


@dataclass(frozen=True)
class Post:
    """A public message: when, and whether an agent wrote it."""

    at: datetime
    by_agent: bool


@dataclass
class History:
    created_at: datetime
    statuses: Sequence[tuple[datetime, str]]  # (since, status), oldest first
    posts: Sequence[Post]  # public messages, oldest first


@dataclass
class Clock:
    state: str  # active, paused, achieved, breached
    due_at: datetime | None = None
    achieved_at: datetime | None = None
    breached_minutes: float | None = None
    remaining_minutes: float | None = None
    cycles: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"state": self.state}
        for key in ("due_at", "achieved_at"):
            value = getattr(self, key)
            out[key] = value.isoformat() if value else None
        out["breached_minutes"] = _round(self.breached_minutes)
        out["remaining_minutes"] = _round(self.remaining_minutes)
        if self.cycles:
            out["cycles"] = self.cycles
        return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _segments(
    history: History, start: datetime, stop: datetime, paused: set[str]
) -> list[tuple[datetime, datetime]]:
    """The parts of [start, stop) when the clock runs."""
    out = []
    statuses = list(history.statuses)
    for i, (since, status) in enumerate(statuses):
        until = statuses[i + 1][0] if i + 1 < len(statuses) else stop
        a, b = max(since, start), min(until, stop)
        if a < b and status not in paused:
            out.append((a, b))
    return out


def _status_at(history: History, at: datetime) -> str:
    current = history.statuses[0][1] if history.statuses else "new"
    for since, status in history.statuses:
        if since <= at:
            current = status
    return current


def run_clock(
    schedule: Schedule,
    history: History,
    *,
    start: datetime,
    stop: datetime | None,
    target: float,
    paused: set[str],
    now: datetime,
) -> Clock:
    """One clock from `start` until `stop` (when the target was met) or now."""
    end = stop or now
    used = 0.0
    due = None
    for a, b in _segments(history, start, end, paused):
        minutes = business_minutes_between(schedule, a, b)
        if due is None and used + minutes >= target:
            due = add_business_minutes(schedule, a, target - used)
        used += minutes
    if stop is not None:
        if due is not None and due < stop:
            return Clock("breached", due, stop, breached_minutes=used - target)
        # Met early: the due time it had then, had nothing paused it afterwards.
        return Clock("achieved", due or add_business_minutes(schedule, stop, target - used), stop)
    if due is not None:
        return Clock("breached", due, breached_minutes=used - target)
    if _status_at(history, now) in paused:
        return Clock("paused", remaining_minutes=target - used)
    return Clock(
        "active",
        add_business_minutes(schedule, now, target - used),
        remaining_minutes=target - used,
    )


def first_reply(
    schedule: Schedule, h: History, target: float, paused: set[str], now: datetime
) -> Clock:
    answer = next((p.at for p in h.posts if p.by_agent and p.at >= h.created_at), None)
    return run_clock(
        schedule, h, start=h.created_at, stop=answer, target=target, paused=paused, now=now
    )


def next_reply(
    schedule: Schedule, h: History, target: float, paused: set[str], now: datetime
) -> Clock | None:
    """A clock per customer message that waits for an answer after an agent replied;
    the state is the latest one's, and `cycles` keeps each one's outcome."""
    cycles: list[Clock] = []
    waiting: datetime | None = None
    answered_once = False
    for post in h.posts:
        if post.by_agent:
            if waiting is not None:
                cycles.append(
                    run_clock(
                        schedule,
                        h,
                        start=waiting,
                        stop=post.at,
                        target=target,
                        paused=paused,
                        now=now,
                    )
                )
                waiting = None
            answered_once = True
        elif answered_once and waiting is None:
            waiting = post.at
    if waiting is not None:
        cycles.append(
            run_clock(schedule, h, start=waiting, stop=None, target=target, paused=paused, now=now)
        )
    if not cycles:
        return None
    latest = cycles[-1]
    latest.cycles = [
        {"state": c.state, "breached_minutes": _round(c.breached_minutes)} for c in cycles
    ]
    return latest


def periodic_update(
    schedule: Schedule, h: History, target: float, paused: set[str], now: datetime
) -> Clock:
    """An agent update at least every `target` minutes, counted from the last one."""
    updates = [p.at for p in h.posts if p.by_agent]
    start = updates[-1] if updates else h.created_at
    return run_clock(schedule, h, start=start, stop=None, target=target, paused=paused, now=now)


def resolution(
    schedule: Schedule, h: History, target: float, paused: set[str], now: datetime
) -> Clock:
    """Met when the ticket is solved; a reopened ticket owes it again, time counted on."""
    solved_at = _last_done_since(h) if _status_at(h, now) in DONE else None
    return run_clock(
        schedule, h, start=h.created_at, stop=solved_at, target=target, paused=paused, now=now
    )


def _last_done_since(h: History) -> datetime:
    """When the ticket entered its current run of solved and closed statuses."""
    since: datetime | None = None
    for at, status in h.statuses:
        if status in DONE:
            since = since or at
        else:
            since = None
    return since or h.created_at


CLOCKS = {
    "first_reply": first_reply,
    "next_reply": next_reply,
    "periodic_update": periodic_update,
    "resolution": resolution,
}


def compute(
    schedule: Schedule,
    history: History,
    targets: dict[str, float],
    pause_on: Sequence[str],
    now: datetime,
) -> dict[str, Clock]:
    """Every target's clock. Solved and closed tickets owe nothing while they stay so."""
    paused = set(pause_on) | set(DONE)
    out: dict[str, Clock] = {}
    for name, minutes in targets.items():
        if name not in CLOCKS or minutes is None:
            continue
        clock = CLOCKS[name](schedule, history, float(minutes), paused, now)
        if clock is not None:
            out[name] = clock
    return out


def next_due(clocks: dict[str, Clock]) -> datetime | None:
    """The earliest due time of a target still owed (active or breached and not met)."""
    owed = [
        c.due_at
        for c in clocks.values()
        if c.due_at is not None and c.achieved_at is None and c.state in ("active", "breached")
    ]
    return min(owed) if owed else None
