"""Small helpers for the SLA batch's hand-written SQL (see `current.py`, `bulk.py`): the
ORM costs more than the work there, at 100,000 tickets."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Field, Model


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return connection.ops.quote_name(field.column)


def listed(numbers: Iterable[int]) -> str:
    """An IN list written out: whole numbers only, so nothing can be injected, and the
    database plans it as fast as a parameter list without its per-parameter cost."""
    return ",".join(str(int(n)) for n in numbers) or "NULL"


def epoch(expression: str) -> str:
    """A timestamp as UTC epoch seconds (a float, to the microsecond), so no datetime is
    built for each of the instants a batch reads. SQLite stores "YYYY-MM-DD
    HH:MM:SS[.ffffff]" in UTC. Run the query with parameters (an empty list will do), so
    that '%%' reads as '%'."""
    if connection.vendor == "sqlite":
        return (
            f"(CAST(strftime('%%s', {expression}) AS REAL) "
            f"+ CAST(substr({expression}, 20) AS REAL))"
        )
    return f"CAST(EXTRACT(EPOCH FROM {expression}) AS DOUBLE PRECISION)"


def json_value() -> str:
    """The placeholder of a JSON text parameter: PostgreSQL wants it cast to jsonb."""
    return "%s" if connection.vendor == "sqlite" else "CAST(%s AS jsonb)"
