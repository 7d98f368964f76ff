"""The two compilers of the one condition language: to a database filter (lists, views,
previews) and to a Python predicate (events). A property test shows they agree."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import regex
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from supportdesk.conditions.fields import Field, field_named
from supportdesk.tickets.models import Message, Ticket, TicketTag

# A runaway pattern on a long body gives up after this long and does not match.
REGEX_TIMEOUT_SECONDS = 0.05


# Database filter -------------------------------------------------------------------------


def to_q(conditions: dict[str, list[dict[str, Any]]], *, now: datetime | None = None) -> Q:
    """A filter for validated conditions (context "filter"), for Ticket querysets."""
    now = now or timezone.now()
    q = Q()
    for item in conditions.get("all", []):
        q &= _q(item, now)
    any_items = conditions.get("any", [])
    if any_items:
        either = Q(pk__in=[])
        for item in any_items:
            either |= _q(item, now)
        q &= either
    return q


def _q(item: dict[str, Any], now: datetime) -> Q:
    field = _field(item["field"])
    op, value, path = item["operator"], item["value"], field.lookup
    if field.to_q is not None:
        return field.to_q(op, value, now)  # type: ignore[no-any-return]
    if field.kind == "tags":
        return _tags_q(op, value)
    if field.kind == "body":
        found = Exists(Message.objects.filter(ticket=OuterRef("pk"), body__icontains=value))
        return Q(found) if op == "contains" else ~Q(found)
    if field.hours_ago:
        cutoff = now - timedelta(hours=value)
        # "less than N hours ago" is "after the cutoff".
        return Q(**{f"{path}__gt": cutoff}) if op == "less_than" else Q(**{f"{path}__lt": cutoff})
    if op == "is":
        return Q(**{path: value})
    if op == "is_not":
        return ~Q(**{path: value}) | Q(**{f"{path}__isnull": True})
    if op == "is_empty":
        empty = Q(**{f"{path}__isnull": True})
        return empty if field.kind == "ref" else empty | Q(**{path: ""})
    if op == "contains":
        return Q(**{f"{path}__icontains": value})
    if op == "not_contains":
        return ~Q(**{f"{path}__icontains": value}) | Q(**{f"{path}__isnull": True})
    if op == "includes_any":
        return Q(**{f"{path}__in": value})
    if op == "includes_none":
        return ~Q(**{f"{path}__in": value}) | Q(**{f"{path}__isnull": True})
    if op in ("less_than", "greater_than"):
        return Q(**{f"{path}__{'lt' if op == 'less_than' else 'gt'}": value})
    raise ValueError(f"{op} cannot run in the database")


def _tags_q(op: str, value: Any) -> Q:
    def tagged(tag: str) -> Q:
        return Q(Exists(TicketTag.objects.filter(ticket=OuterRef("pk"), name=tag)))

    if op == "is_empty":
        return ~Q(Exists(TicketTag.objects.filter(ticket=OuterRef("pk"))))
    if op == "includes_all":
        q = Q()
        for tag in value:
            q &= tagged(tag)
        return q
    some = Q(Exists(TicketTag.objects.filter(ticket=OuterRef("pk"), name__in=value)))
    return some if op == "includes_any" else ~some


# Python predicate ------------------------------------------------------------------------


def matches(
    ticket: Ticket,
    conditions: dict[str, list[dict[str, Any]]],
    *,
    changes: dict[str, tuple[Any, Any]] | None = None,
    now: datetime | None = None,
) -> bool:
    """Whether `ticket` meets validated conditions. `changes` maps field names to
    (old, new) for the event being handled (the changed* operators)."""
    now = now or timezone.now()
    changes = changes or {}
    if not all(_holds(item, ticket, changes, now) for item in conditions.get("all", [])):
        return False
    any_items = conditions.get("any", [])
    return not any_items or any(_holds(item, ticket, changes, now) for item in any_items)


def _holds(item: dict[str, Any], ticket: Ticket, changes: dict, now: datetime) -> bool:
    field = _field(item["field"])
    op, value = item["operator"], item["value"]
    if op in ("changed", "changed_to", "changed_from"):
        if field.name not in changes:
            return False
        old, new = changes[field.name]
        return op == "changed" or (new if op == "changed_to" else old) == value
    current = field.read(ticket)
    if field.kind == "tags":
        return _tags_hold(op, value, set(current))
    if field.kind == "body":
        if op == "matches":
            return any(_search(value, text) for text in current)
        found = any(value.lower() in text.lower() for text in current)
        return found if op == "contains" else not found
    if field.hours_ago:
        hours = (now - current).total_seconds() / 3600
        return hours < value if op == "less_than" else hours > value
    return _scalar_holds(op, value, current)


def _scalar_holds(op: str, value: Any, current: Any) -> bool:
    if op == "is":
        return current == value
    if op == "is_not":
        return current != value
    if op == "is_empty":
        return current is None or current == ""
    if op in ("contains", "not_contains"):
        found = current is not None and str(value).lower() in str(current).lower()
        return found if op == "contains" else not found
    if op == "includes_any":
        return current in value
    if op == "includes_none":
        return current not in value
    if op == "matches":
        return current is not None and _search(value, str(current))
    if current is None or isinstance(current, bool) or not isinstance(current, int | float):
        return False
    return current < value if op == "less_than" else current > value


def _tags_hold(op: str, value: Any, tags: set[str]) -> bool:
    if op == "is_empty":
        return not tags
    if op == "includes_all":
        return set(value) <= tags
    some = bool(tags & set(value))
    return some if op == "includes_any" else not some


def _search(pattern: str, text: str) -> bool:
    try:
        return regex.search(pattern, text, timeout=REGEX_TIMEOUT_SECONDS) is not None
    except TimeoutError:
        return False


def _field(name: str) -> Field:
    field = field_named(name)
    if field is None:
        raise ValueError(f"unknown field {name!r}; validate conditions when saving them")
    return field
