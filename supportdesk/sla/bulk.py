"""Recomputing the clocks of many tickets at once, after a calendar or policy changes.

A batch is read by `current.clocks_of` (tickets, status changes, public messages, a query
per policy) and computed outside any transaction, so the database's write lock (SQLite
has one) is held only while the result is written: only what changed, a row per changed
clock set, an UPDATE per changed due time, an event per policy switch. A ticket that got
an event meanwhile is left out: that event's own recompute follows.

Every open ticket (after a calendar or policy change) is recomputed in processes of their
own when there are many and the machine has cores to spare: the work is Python, which one
process runs on one core.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from supportdesk.jobs import job
from supportdesk.sla import children
from supportdesk.sla.clocks import next_due
from supportdesk.sla.current import clocks_of
from supportdesk.sla.models import TicketSla
from supportdesk.sla.sql import column, json_value, listed, table
from supportdesk.tickets.events import EventLog
from supportdesk.tickets.models import Source, Status, Ticket, TicketEvent

BATCH = 2000
OPEN = [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD]


PARALLEL_FROM = 20_000  # tickets; below this, starting processes costs more than it saves
MAX_PROCESSES = 4


def recompute_open(
    *, now: datetime | None = None, batch: int = BATCH, processes: int | None = None
) -> int:
    """Recompute every open ticket's clocks; returns how many."""
    numbers = list(
        Ticket.objects.filter(status__in=OPEN, deleted_at__isnull=True)
        .order_by("number")
        .values_list("number", flat=True)
    )
    recompute_all(numbers, now=now or timezone.now(), batch=batch, processes=processes)
    return len(numbers)


def recompute_all(
    numbers: list[int], *, now: datetime, batch: int = BATCH, processes: int | None = None
) -> None:
    """Recompute these tickets in batches; `processes`: how many processes share the
    work (default: the SLA_RECOMPUTE_PROCESSES setting, or one per core up to 4 from
    20,000 tickets)."""
    batches = [numbers[i : i + batch] for i in range(0, len(numbers), batch)]
    if processes is None:
        processes = processes_for(len(numbers))
    if processes <= 1 or len(batches) <= 1:
        for numbers_ in batches:
            recompute_many(numbers_, now=now)
    else:
        _in_processes(batches, now, processes)


def processes_for(count: int) -> int:
    configured = int(getattr(settings, "SLA_RECOMPUTE_PROCESSES", 0) or 0)
    if configured:
        return configured
    return min(os.cpu_count() or 1, MAX_PROCESSES) if count >= PARALLEL_FROM else 1


def _in_processes(batches: list[list[int]], now: datetime, count: int) -> None:
    # spawn, not fork: the parent may run threads (the job worker does), and a child
    # needs its own database connections anyway. Each child sets Django up from the
    # environment it inherits (DJANGO_SETTINGS_MODULE, DATABASE_URL...).
    context = multiprocessing.get_context("spawn")
    connections.close_all()
    with ProcessPoolExecutor(count, mp_context=context, initializer=children.start) as pool:
        for _ in pool.map(children.recompute_batch, batches, [now] * len(batches)):
            pass


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
    """Whether stored clocks equal these. SQLite keeps the text byte for byte as
    json.dumps wrote it (keys in a fixed order), so the text decides; PostgreSQL's jsonb
    gives back its own spacing and key order, so a differing text is decoded."""
    if isinstance(stored, str | bytes):
        if stored == text or connection.vendor == "sqlite":
            return stored == text
        return bool(json.loads(stored) == targets)
    return bool(stored == targets)


def recompute_many(numbers: Iterable[int], *, now: datetime) -> None:
    """Compute and store the clocks of these tickets; a policy switch is an event."""
    mark = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
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
    if rows or dues or switched:
        _store(rows, dues, switched, mark, now)


@transaction.atomic
def _store(
    rows: list[tuple[int, int | None, str]],
    dues: list[tuple[datetime | None, int]],
    switched: list[tuple[int, int | None, int | None]],
    mark: int,
    now: datetime,
) -> None:
    """Write what changed, except for tickets with an event newer than `mark`: they
    changed while this batch was computed, and their own recompute is queued."""
    numbers = {n for n, _, _ in rows} | {n for _, n in dues} | {n for n, _, _ in switched}
    moved = set(
        TicketEvent.objects.filter(id__gt=mark, ticket_id__in=numbers).values_list(
            "ticket_id", flat=True
        )
    )
    if moved:
        rows = [r for r in rows if r[0] not in moved]
        dues = [d for d in dues if d[1] not in moved]
        switched = [s for s in switched if s[0] not in moved]
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
