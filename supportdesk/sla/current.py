"""Computing the clocks of a batch of tickets from the database, without writing them.

One path for one ticket (the ticket page, the API) and for 100,000 (after a calendar
change): the batch is read in a handful of queries that fetch only the columns the clocks
need, with plain cursors, because building model instances and converting every timestamp
through the ORM cost more than the arithmetic itself. Policies are matched in the
database, one query per policy and batch, with the condition language's SQL compiler;
only a condition it cannot compile (a regular expression) is matched in Python.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.db import connection

from supportdesk.accounts.models import STAFF_ROLES, User
from supportdesk.conditions.compile import matches, to_q
from supportdesk.conditions.fields import PYTHON_ONLY
from supportdesk.sla.businesstime import Schedule
from supportdesk.sla.clocks import Clock, Timeline, compute
from supportdesk.sla.models import Calendar, GroupCalendar, Policy
from supportdesk.sla.services import schedule_of
from supportdesk.sla.sql import column, epoch, listed, table
from supportdesk.tickets.models import EventKind, Message, Status, Ticket, TicketEvent


@dataclass
class TicketClocks:
    """A ticket's policy now and its clocks (empty without a policy)."""

    number: int
    policy: Policy | None
    clocks: dict[str, Clock]
    due_at: datetime | None  # what the ticket row holds now
    calendar: Calendar | None = None


@dataclass(frozen=True)
class _Row:
    number: int
    created: float  # epoch seconds
    group_id: int | None
    sla_due_at: datetime | None
    deleted: bool


def _maybe_when(value: Any) -> datetime | None:
    """SQLite hands back text (or Django's naive datetime), PostgreSQL an aware one."""
    if value is None or isinstance(value, datetime) and value.tzinfo:
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


@lru_cache(maxsize=64)
def _status(value: Any) -> str:
    """A status change's stored JSON value: a handful of distinct strings, decoded once."""
    return str(json.loads(value) if isinstance(value, str | bytes) else value)


def _rows(numbers: Sequence[int]) -> list[_Row]:
    t = Ticket
    sql = (
        f"SELECT {column(t, 'number')}, {epoch(column(t, 'created_at'))}, "  # noqa: S608
        f"{column(t, 'group')}, {column(t, 'sla_due_at')}, {column(t, 'deleted_at')} "
        f"FROM {table(t)} "
        f"WHERE {column(t, 'number')} IN ({listed(numbers)}) ORDER BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [])  # with parameters, so '%%' reads as '%'
        return [
            _Row(number, created, group, _maybe_when(due), deleted is not None)
            for number, created, group, due, deleted in cursor.fetchall()
        ]


def _statuses(numbers: Sequence[int]) -> dict[int, list[tuple[float, str]]]:
    e = TicketEvent
    sql = (
        f"SELECT {column(e, 'ticket')}, {epoch(column(e, 'created_at'))}, {column(e, 'new')} "  # noqa: S608
        f"FROM {table(e)} WHERE {column(e, 'ticket')} IN ({listed(numbers)}) "
        # 'status' written out, not a parameter: so the planner can use the partial index
        # event_status.
        f"AND {column(e, 'field')} = 'status' AND {column(e, 'kind')} = %s "
        f"ORDER BY 1, {column(e, 'id')}"
    )
    out: dict[int, list[tuple[float, str]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, [EventKind.CHANGED.value])
        for number, at, new in cursor.fetchall():
            out[number].append((at, _status(new)))
    return out


def _posts(numbers: Sequence[int]) -> dict[int, list[tuple[float, bool]]]:
    m, u = Message, User
    staff = ",".join(f"'{role}'" for role in STAFF_ROLES)  # our own constants
    sql = (
        f"SELECT m.{column(m, 'ticket')}, {epoch('m.' + column(m, 'created_at'))}, "  # noqa: S608
        f"u.{column(u, 'role')} IN ({staff}) FROM {table(m)} m "
        f"LEFT JOIN {table(u)} u ON u.{column(u, 'id')} = m.{column(m, 'author')} "
        f"WHERE m.{column(m, 'ticket')} IN ({listed(numbers)}) AND m.{column(m, 'public')} "
        f"ORDER BY 1, 2, m.{column(m, 'id')}"
    )
    out: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, [])  # with parameters, so '%%' reads as '%'
        for number, at, by_agent in cursor.fetchall():
            out[number].append((at, bool(by_agent)))
    return out


def _among(numbers: set[int]) -> Any:
    """Tickets with these numbers. A dense batch (as `recompute_open` makes) is a range,
    which costs the database nothing more and Django far less to build than 2,000
    parameters; the caller keeps only the numbers it asked for."""
    low, high = min(numbers), max(numbers)
    if high - low < 4 * len(numbers):
        return Ticket.objects.filter(number__range=(low, high))
    return Ticket.objects.filter(number__in=numbers)


def _policies_of(
    rows: list[_Row], policies: list[Policy], now: datetime
) -> dict[int, Policy | None]:
    """The first enabled policy each (not trashed) ticket meets."""
    left = {r.number for r in rows if not r.deleted}
    chosen: dict[int, Policy | None] = {r.number: None for r in rows}
    for policy in policies:
        if not left:
            break
        conditions = policy.conditions or {}
        items = [i for part in ("all", "any") for i in conditions.get(part, [])]
        if not items:
            met = set(left)
        elif any(i.get("operator") in PYTHON_ONLY for i in items):
            tickets = Ticket.objects.filter(number__in=left).select_related("requester")
            met = {t.pk for t in tickets if matches(t, conditions)}
        else:
            found = _among(left).filter(to_q(conditions, now=now))
            met = left.intersection(found.values_list("number", flat=True))
        for number in met:
            chosen[number] = policy
        left -= met
    return chosen


def clocks_of(numbers: Sequence[int], *, now: datetime) -> list[TicketClocks]:
    """Each existing ticket's policy and clocks as of `now`, in number order."""
    rows = _rows(numbers)
    if not rows:
        return []
    policies = list(Policy.objects.filter(enabled=True).select_related("calendar"))
    chosen = _policies_of(rows, policies, now)
    with_policy = [r.number for r in rows if chosen[r.number] is not None]
    statuses, posts = _statuses(with_policy), _posts(with_policy)
    group_calendars: dict[int, Calendar] = {
        link.group_id: link.calendar for link in GroupCalendar.objects.select_related("calendar")
    }
    schedules: dict[tuple[int, int | None], Schedule] = {}
    out = []
    for row in rows:
        policy = chosen[row.number]
        if policy is None:
            out.append(TicketClocks(row.number, None, {}, row.sla_due_at))
            continue
        calendar = policy.calendar or group_calendars.get(row.group_id or 0)
        key = (policy.pk, calendar.pk if calendar else None)
        schedule = schedules.get(key)
        if schedule is None:
            schedule = schedules[key] = schedule_of(calendar, business_hours=policy.business_hours)
        timeline = Timeline(
            row.created,
            [(row.created, Status.NEW.value), *statuses.get(row.number, [])],
            posts.get(row.number, []),
        )
        clocks = compute(schedule, timeline, policy.targets, policy.pause_on, now)
        out.append(TicketClocks(row.number, policy, clocks, row.sla_due_at, calendar))
    return out


def current_clocks(number: int, *, now: datetime) -> TicketClocks | None:
    """One ticket's clocks right now, for the ticket page and the API: nothing stored."""
    found = clocks_of([number], now=now)
    return found[0] if found else None
