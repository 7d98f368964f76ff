"""Keyset (cursor) pagination for any queryset, and offset cursors for ranked results.

A keyset page is `WHERE (sort keys) after (last row's keys) ORDER BY keys LIMIT n+1`: an
index range scan that costs the same on page 1 and page 10,000, and never skips or
repeats a row when rows are added between pages (OFFSET does both). The cursor is the
last row's sort values, base64 JSON: opaque to clients, but forgeable, so every value is
checked before it reaches the database.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet

from supportdesk.lib.errors import DomainError

T = TypeVar("T", bound=models.Model)

BAD_CURSOR = "cursor: not a cursor from this list; start again without it"
MAX_INT = 2**63 - 1
# Ranked search results are paged by offset; deep offsets cost the database a full sort.
MAX_OFFSET = 10_000


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise DomainError(BAD_CURSOR) from exc
    if not isinstance(values, list) or not values:
        raise DomainError(BAD_CURSOR)
    return values


def keyset_page(
    qs: QuerySet[T], *, order: tuple[str, ...], limit: int, cursor: str | None
) -> tuple[list[T], str | None]:
    """One page of `qs` ordered by `order` (all ascending or all descending, the last
    key unique, e.g. ("created_at", "id")), after `cursor`, and the next page's cursor."""
    descending = order[0].startswith("-")
    if any(key.startswith("-") != descending for key in order):
        raise ValueError("keyset order keys must all sort the same way")
    names = [key.lstrip("-") for key in order]
    if cursor:
        values = _parse_values(qs.model, names, decode_cursor(cursor))
        qs = qs.filter(_after(names, values, descending))
    rows = list(qs.order_by(*order)[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = [getattr(rows[-1], name) for name in names]
    return rows, encode_cursor([_dump(value) for value in last])


def _dump(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _parse_values(model: type[models.Model], names: list[str], raw: list[Any]) -> list[Any]:
    if len(raw) != len(names):
        raise DomainError(BAD_CURSOR)
    return [
        _parse_value(model._meta.get_field(n), value) for n, value in zip(names, raw, strict=True)
    ]


def _parse_value(field: Any, value: Any) -> Any:
    if isinstance(field, models.DateTimeField):
        try:
            parsed = datetime.fromisoformat(str(value))
            if parsed.tzinfo is None:
                raise ValueError("naive")
            return parsed.astimezone(UTC)
        except (ValueError, OverflowError) as exc:
            raise DomainError(BAD_CURSOR) from exc
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
            raise DomainError(BAD_CURSOR)
        return value
    if not isinstance(value, str) or "\x00" in value:
        raise DomainError(BAD_CURSOR)
    return value


def _after(names: list[str], values: list[Any], descending: bool) -> Q:
    """(a, b, c) > (x, y, z) spelled out, which every engine can plan on an index."""
    op = "lt" if descending else "gt"
    condition = Q()
    for i, name in enumerate(names):
        equal = {names[j]: values[j] for j in range(i)}
        condition |= Q(**equal, **{f"{name}__{op}": values[i]})
    return condition


def offset_cursor(offset: int) -> str:
    return encode_cursor(["offset", offset])


def parse_offset_cursor(cursor: str | None) -> int:
    """The offset an `offset_cursor` holds; 0 without a cursor."""
    if not cursor:
        return 0
    values = decode_cursor(cursor)
    if len(values) != 2 or values[0] != "offset":
        raise DomainError(BAD_CURSOR)
    offset = values[1]
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise DomainError(BAD_CURSOR)
    return offset
