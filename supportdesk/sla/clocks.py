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
from datetime import UTC, datetime
from typing import Any

from supportdesk.sla.businesstime import Schedule, add_business_seconds, business_seconds_between

DONE = ("solved", "closed")
OWED = ("active", "breached")
MAX_CYCLES = 50  # the newest next-reply cycles kept for the ticket page


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
    """One target's clock. Instants are UTC epoch seconds (`due`, `started`, `achieved`);
    the `*_at` properties give them as datetimes."""

    state: str  # active, paused, achieved, breached
    due: float | None = None
    started: float | None = None
    achieved: float | None = None
    breached_minutes: float | None = None
    remaining_minutes: float | None = None
    cycles: list[Clock] = field(default_factory=list)  # next reply: each answer owed

    @property
    def due_at(self) -> datetime | None:
        return _when(self.due)

    @property
    def started_at(self) -> datetime | None:
        return _when(self.started)

    @property
    def achieved_at(self) -> datetime | None:
        return _when(self.achieved)

    def as_json(self) -> dict[str, Any]:
        """The clock as the API and the ticket page show it, as of the computation."""
        out = self._fields()
        if self.cycles:
            out["cycles"] = [c._fields() for c in self.cycles]
        return out

    def _fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"state": self.state}
        for key in ("started_at", "due_at", "achieved_at"):
            value = getattr(self, key)
            out[key] = value.isoformat() if value else None
        out["breached_minutes"] = _round(self.breached_minutes)
        out["remaining_minutes"] = _round(self.remaining_minutes)
        return out

    def stored(self) -> dict[str, Any]:
        """What `TicketSla.targets` keeps: only what is set and stable (not an active
        clock's time left nor an ongoing breach's size, which change every minute), so
        recomputing an unchanged ticket writes nothing; instants as epoch seconds."""
        out = self._stored_fields()
        if self.cycles:
            out["cycles"] = [c._stored_fields() for c in self.cycles]
        return out

    def _stored_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"state": self.state}
        # Epoch floats as computed: the same history gives the same floats, so the same
        # text, and they keep the microsecond.
        if self.started is not None:
            out["started"] = self.started
        if self.due is not None:
            out["due"] = self.due
        if self.achieved is not None:
            out["achieved"] = self.achieved
            if self.breached_minutes is not None:
                out["breached_minutes"] = _round(self.breached_minutes)
        if self.state == "paused":
            out["remaining_minutes"] = _round(self.remaining_minutes)
        return out


def stored_due(clock: dict[str, Any]) -> datetime | None:
    """The due time of a stored clock still owed (active or breached, not met)."""
    if clock.get("state") not in OWED or clock.get("achieved") is not None:
        return None
    due = clock.get("due")
    return _when(float(due)) if due is not None else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass
class Timeline:
    """A history in UTC epoch seconds (what the clocks work on: a batch reads these
    straight from the database, and no sum converts a datetime)."""

    created: float
    statuses: list[tuple[float, str]]
    posts: list[tuple[float, bool]]

    @classmethod
    def of(cls, h: History) -> Timeline:
        return cls(
            h.created_at.timestamp(),
            [(at.timestamp(), status) for at, status in h.statuses],
            [(p.at.timestamp(), p.by_agent) for p in h.posts],
        )

    def status_at(self, at: float) -> str:
        current = self.statuses[0][1] if self.statuses else "new"
        for since, status in self.statuses:
            if since > at:
                break
            current = status
        return current


def _when(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _running(
    statuses: list[tuple[float, str]], start: float, end: float, paused: set[str]
) -> list[tuple[float, float]]:
    """The parts of [start, end) when the clock runs, adjacent running statuses joined
    (new then open is one stretch: one sum instead of two)."""
    out: list[tuple[float, float]] = []
    opened: float | None = None
    for since, status in statuses:
        if since >= end:
            break
        at = since if since > start else start
        if status in paused:
            if opened is not None and at > opened:
                out.append((opened, at))
            opened = None
        elif opened is None:
            opened = at
    if opened is not None and end > opened:
        out.append((opened, end))
    return out


def run_clock(
    schedule: Schedule,
    tl: Timeline,
    *,
    start: float,
    stop: float | None,
    target: float,
    paused: set[str],
    now: float,
) -> Clock:
    """One clock from `start` until `stop` (when the target was met) or now; `target` in
    business seconds, instants in epoch seconds."""
    end = stop if stop is not None else now
    used = 0.0
    due = None
    for a, b in _running(tl.statuses, start, end, paused):
        seconds = business_seconds_between(schedule, a, b)
        if due is None and used + seconds >= target:
            due = add_business_seconds(schedule, a, target - used)
        used += seconds
    if stop is not None:
        if due is not None and due < stop:
            over = (used - target) / 60
            return Clock("breached", due, start, stop, breached_minutes=over)
        # Met early: the due time it had then, had nothing paused it afterwards.
        due = due if due is not None else add_business_seconds(schedule, stop, target - used)
        return Clock("achieved", due, start, stop)
    if due is not None:
        return Clock("breached", due, start, breached_minutes=(used - target) / 60)
    left = (target - used) / 60
    if tl.status_at(now) in paused:
        return Clock("paused", started=start, remaining_minutes=left)
    due = add_business_seconds(schedule, now, target - used)
    return Clock("active", due, start, remaining_minutes=left)


def first_reply(
    schedule: Schedule, tl: Timeline, target: float, paused: set[str], now: float
) -> Clock:
    answer = next((at for at, by_agent in tl.posts if by_agent and at >= tl.created), None)
    return run_clock(
        schedule, tl, start=tl.created, stop=answer, target=target, paused=paused, now=now
    )


def next_reply(
    schedule: Schedule, tl: Timeline, target: float, paused: set[str], now: float
) -> Clock | None:
    """A clock per customer message that waits for an answer after an agent replied;
    the state is the latest one's, and `cycles` keeps each one's outcome."""
    cycles: list[Clock] = []
    waiting: float | None = None
    answered_once = False
    for at, by_agent in tl.posts:
        if by_agent:
            if waiting is not None:
                cycles.append(
                    run_clock(
                        schedule, tl, start=waiting, stop=at, target=target, paused=paused, now=now
                    )
                )
                waiting = None
            answered_once = True
        elif answered_once and waiting is None:
            waiting = at
    if waiting is not None:
        cycles.append(
            run_clock(schedule, tl, start=waiting, stop=None, target=target, paused=paused, now=now)
        )
    if not cycles:
        return None
    latest = cycles[-1]
    latest.cycles = cycles[-MAX_CYCLES:]
    return latest


def periodic_update(
    schedule: Schedule, tl: Timeline, target: float, paused: set[str], now: float
) -> Clock:
    """An agent update at least every `target` seconds, counted from the last one."""
    updates = [at for at, by_agent in tl.posts if by_agent]
    start = updates[-1] if updates else tl.created
    return run_clock(schedule, tl, start=start, stop=None, target=target, paused=paused, now=now)


def resolution(
    schedule: Schedule, tl: Timeline, target: float, paused: set[str], now: float
) -> Clock:
    """Met when the ticket is solved; a reopened ticket owes it again, time counted on."""
    solved_at = _last_done_since(tl) if tl.status_at(now) in DONE else None
    return run_clock(
        schedule, tl, start=tl.created, stop=solved_at, target=target, paused=paused, now=now
    )


def _last_done_since(tl: Timeline) -> float:
    """When the ticket entered its current run of solved and closed statuses."""
    since: float | None = None
    for at, status in tl.statuses:
        if status in DONE:
            since = since if since is not None else at
        else:
            since = None
    return since if since is not None else tl.created


CLOCKS = {
    "first_reply": first_reply,
    "next_reply": next_reply,
    "periodic_update": periodic_update,
    "resolution": resolution,
}


def compute(
    schedule: Schedule,
    history: History | Timeline,
    targets: dict[str, float],
    pause_on: Sequence[str],
    now: datetime,
) -> dict[str, Clock]:
    """Every target's clock. Solved and closed tickets owe nothing while they stay so."""
    paused = set(pause_on) | set(DONE)
    timeline = history if isinstance(history, Timeline) else Timeline.of(history)
    at = now.timestamp()
    out: dict[str, Clock] = {}
    for name, minutes in targets.items():
        if name not in CLOCKS or minutes is None:
            continue
        clock = CLOCKS[name](schedule, timeline, float(minutes) * 60, paused, at)
        if clock is not None:
            out[name] = clock
    return out


def next_due(clocks: dict[str, Clock]) -> datetime | None:
    """The earliest due time of a target still owed (active or breached and not met)."""
    owed = [
        c.due
        for c in clocks.values()
        if c.due is not None and c.achieved is None and c.state in OWED
    ]
    return _when(min(owed)) if owed else None
