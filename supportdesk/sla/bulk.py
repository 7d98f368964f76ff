"""Recomputing the clocks of many tickets at once, after a calendar or policy changes.

A batch is read by `current.clocks_of` (tickets, status changes, public messages, a query
per policy), compared with what is stored, and only what changed is written back: a row
per changed clock set, an UPDATE per changed due time, an event per policy switch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from supportdesk.jobs import job
from supportdesk.sla.clocks import next_due
from supportdesk.sla.current import clocks_of
from supportdesk.sla.models import TicketSla
from supportdesk.sla.sql import column, json_value, listed, table
from supportdesk.tickets.events import EventLog
from supportdesk.tickets.models import Source, Status, Ticket

BATCH = 2000
OPEN = [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD]


def recompute_open(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """Recompute every open ticket's clocks; returns how many."""
    now = now or timezone.now()
    numbers = list(
        Ticket.objects.filter(status__in=OPEN, deleted_at__isnull=True)
        .order_by("number")
        .values_list("number", flat=True)
    )
    for i in range(0, len(numbers), batch):
        recompute_many(numbers[i : i + batch], now=now)
    return len(numbers)


def _stored(numbers: list[int]) -> dict[int, tuple[int | None, Any]]:
    """The policy and clocks (as the database returns the JSON: text, or on some drivers
    already decoded) each ticket has stored now."""
    t = TicketSla
    sql = (
        f"SELECT {column(t, 'ticket')}, {column(t, 'policy')}, {column(t, 'targets')} "  # noqa: S608
        f"FROM {table(t)} WHERE {column(t, 'ticket')} IN ({listed(numbers)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [])
        return {number: (policy, targets) for number, policy, targets in cursor.fetchall()}


def _same(stored: Any, text: str, targets: dict[str, Any]) -> bool:
    """Whether stored clocks equal these: the text first (SQLite keeps it byte for byte),
    decoded only when that differs (PostgreSQL's jsonb text has its own spacing)."""
    if isinstance(stored, str | bytes):
        return stored == text or json.loads(stored) == targets
    return bool(stored == targets)


@transaction.atomic
def recompute_many(numbers: Iterable[int], *, now: datetime) -> None:
    """Compute and store the clocks of these tickets; a policy switch is an event."""
    computed = clocks_of(list(numbers), now=now)
    before = _stored([c.number for c in computed])
    rows: list[tuple[int, int | None, str]] = []
    dues: list[tuple[datetime | None, int]] = []
    switched: list[tuple[int, int | None, int | None]] = []
    for c in computed:
        targets = {name: clock.stored() for name, clock in c.clocks.items()}
        text = json.dumps(targets)
        policy = c.policy.pk if c.policy else None
        old = before.get(c.number)
        if old is not None and old[0] != policy or old is None and policy:
            switched.append((c.number, old[0] if old else None, policy))
        # Only what moved is written: a ticket's recompute after one of its events, or a
        # change of one calendar, leaves most rows as they are.
        if old is None or old[0] != policy or not _same(old[1], text, targets):
            rows.append((c.number, policy, text))
        due = next_due(c.clocks)
        if due != c.due_at:
            dues.append((due, c.number))
    _write_clocks(rows, now)
    _set_due_times(dues)
    _log_switches(switched)


def _write_clocks(rows: list[tuple[int, int | None, str]], now: datetime) -> None:
    """Insert or update each ticket's row in one executemany: bulk_create's upsert
    builds a statement per few hundred rows at a cost far above the database's."""
    if not rows:
        return
    t = TicketSla
    names = [column(t, name) for name in ("ticket", "policy", "targets", "computed_at")]
    updates = ", ".join(f"{name} = excluded.{name}" for name in names[1:])
    sql = (
        f"INSERT INTO {table(t)} ({', '.join(names)}) "  # noqa: S608
        f"VALUES (%s, %s, {json_value()}, %s) "
        f"ON CONFLICT ({names[0]}) DO UPDATE SET {updates}"
    )
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(number, policy, text, at) for number, policy, text in rows])


def _log_switches(switched: list[tuple[int, int | None, int | None]]) -> None:
    """An event per ticket whose policy changed (rare: read those tickets only)."""
    if not switched:
        return
    log = EventLog(actor=None, source=Source.SYSTEM)
    tickets = Ticket.objects.in_bulk([number for number, _, _ in switched])
    for number, old, new in switched:
        log.changed(tickets[number], "sla_policy", old, new)
    log.publish()


def _set_due_times(dues: list[tuple[datetime | None, int]]) -> None:
    """One UPDATE per ticket in a single executemany: bulk_update's CASE expressions
    cost more to build than the database takes to run them."""
    if not dues:
        return
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        f"UPDATE {table(Ticket)} SET {column(Ticket, 'sla_due_at')} = %s "  # noqa: S608
        f"WHERE {column(Ticket, 'number')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(adapt(due), number) for due, number in dues])


@job()
def recompute_open_job() -> int:
    return recompute_open()
