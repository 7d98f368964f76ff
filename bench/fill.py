"""Bulk writing for the benchmark generator: rows straight into tables, fast.

This is the one place that writes tickets without the services, on purpose: a million
tickets through `create_ticket` and `reply` would take hours. The rows must therefore
come out exactly as the services would leave them (see `bench/tickets.py`), and the test
in `bench/test_generate.py` checks that they do.

SQLite: executemany inside large transactions with journaling and foreign-key checks off,
secondary indexes and the full-text triggers dropped during the load and rebuilt once at
the end (sorting once beats updating twenty b-trees row by row). PostgreSQL: COPY.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

# Tables that hold one row or more per ticket: loaded with their indexes dropped.
BULK_TABLES = (
    "tickets_ticket",
    "tickets_message",
    "tickets_ticketevent",
    "tickets_tickettag",
    "search_ticketdocument",
)
FTS_TABLE = "search_ticket_fts"


class Table:
    """Insert statements for one model, with the columns we provide first and every
    other column filled with the field's default, so a column added by a later migration
    does not break the generator (and a required one without default fails loudly)."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], vendor: str) -> None:
        from django.db import connection

        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        # Auto-numbered keys we do not give are left to the database.
        rest = [c for c, f in fields.items() if c not in columns and not _auto(f)]
        self.name = model._meta.db_table
        self.defaults = tuple(_default(fields[c], connection) for c in rest)
        self.columns = [*columns, *rest]
        names = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join("?" for _ in self.columns)
        # Table and column names come from the models, never from input.
        self.insert_sql = f'INSERT INTO "{self.name}" ({names}) VALUES ({marks})'  # noqa: S608
        self.copy_sql = f'COPY "{self.name}" ({names}) FROM STDIN'
        self.vendor = vendor


def _auto(field: models.Field) -> bool:
    return isinstance(field, models.AutoField | models.BigAutoField | models.SmallAutoField)


def _default(field: models.Field, connection: BaseDatabaseWrapper) -> Any:
    value = field.get_default()
    if value is None and not field.null:
        raise ValueError(
            f"{field.model.__name__}.{field.name} is required and has no default; "
            "teach bench/ to fill it"
        )
    return field.get_db_prep_save(value, connection)


class Writer:
    """Rows into the database behind Django's default connection."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        connection.ensure_connection()
        self.connection = connection
        self.vendor = connection.vendor
        self.raw = connection.connection
        self.times = Times(self.vendor)
        self.rows_written = 0

    def table(self, model: type[models.Model], columns: Sequence[str]) -> Table:
        return Table(model, columns, self.vendor)

    def insert(self, table: Table, rows: list[tuple]) -> None:
        if not rows:
            return
        if table.defaults:
            rows = [row + table.defaults for row in rows]
        if self.vendor == "sqlite":
            self.raw.executemany(table.insert_sql, rows)
        else:
            with self.raw.cursor() as cursor, cursor.copy(table.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        self.rows_written += len(rows)

    def execute(self, sql: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)


class Times:
    """Epoch seconds to the text the database stores for a DateTimeField, cheaply: a
    million tickets have twenty million time stamps."""

    def __init__(self, vendor: str) -> None:
        suffix = "+00" if vendor == "postgresql" else ""  # SQLite keeps naive UTC text
        self.clock = [
            f" {h:02d}:{m:02d}:{s:02d}{suffix}"
            for h in range(24)
            for m in range(60)
            for s in range(60)
        ]
        self.days: dict[int, str] = {}

    def __call__(self, ts: int) -> str:
        day, second = divmod(ts, 86400)
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d")
        return text + self.clock[second]


@contextmanager
def bulk_mode(writer: Writer) -> Iterator[dict[str, float]]:
    """Load faster, then put every index (and on SQLite the full-text triggers) back.
    Yields a dict that receives the seconds spent on rebuilding. No try/finally: after a
    failed load the half-built database is thrown away anyway."""
    timing = {"rebuild_seconds": 0.0}
    load = _sqlite_bulk if writer.vendor == "sqlite" else _postgres_bulk
    rebuild = load(writer)
    yield timing
    began = time.perf_counter()
    rebuild()
    timing["rebuild_seconds"] = time.perf_counter() - began


def _sqlite_bulk(writer: Writer) -> Callable[[], None]:
    raw = writer.raw
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "foreign_keys=OFF",
                   "cache_size=-1000000", "temp_store=MEMORY"):  # fmt: skip
        raw.execute(f"PRAGMA {pragma}")
    names = ", ".join(f"'{t}'" for t in BULK_TABLES)
    saved = raw.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({names}) "  # noqa: S608
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL"
    ).fetchall()
    for kind, name, _sql in saved:
        raw.execute(f'DROP {kind.upper()} "{name}"')

    def rebuild() -> None:
        raw.execute("BEGIN")
        for kind, _name, sql in saved:
            if kind == "index":
                raw.execute(sql)
        raw.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608
        for kind, _name, sql in saved:
            if kind == "trigger":
                raw.execute(sql)
        raw.execute("COMMIT")
        raw.execute("PRAGMA foreign_keys=ON")

    return rebuild


def _postgres_bulk(writer: Writer) -> Callable[[], None]:
    """Drop the secondary indexes (the full-text GIN ones included) that no constraint
    needs; COPY then only computes the generated search vectors."""
    with writer.raw.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
               JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
               WHERE t.relname = ANY(%s) AND NOT i.indisprimary AND NOT EXISTS
               (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
            [list(BULK_TABLES)],
        )
        saved = cursor.fetchall()
        for name, _sql in saved:
            cursor.execute(f'DROP INDEX "{name}"')
    writer.raw.commit()

    def rebuild() -> None:
        with writer.raw.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for _name, sql in saved:
                cursor.execute(sql)
        writer.raw.commit()

    return rebuild


def finish_sqlite(writer: Writer) -> None:
    """Leave the file as supportdesk expects it: WAL mode, nothing pending."""
    writer.raw.execute("PRAGMA journal_mode=WAL")
    writer.raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def reset_sequences(writer: Writer, models_: Sequence[type[models.Model]]) -> None:
    """Rows got explicit ids; make the next insert continue after them (PostgreSQL; on
    SQLite AUTOINCREMENT tables follow explicit ids by themselves)."""
    if writer.vendor == "sqlite":
        return
    from django.core.management.color import no_style

    for sql in writer.connection.ops.sequence_reset_sql(no_style(), list(models_)):
        writer.execute(sql)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())
