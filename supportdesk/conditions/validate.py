"""Checking conditions when a rule, view or policy is saved, never at run time.

    {"all": [{"field": "priority", "operator": "is", "value": "urgent"}, ...],
     "any": [{"field": "tags", "operator": "includes_any", "value": ["vip"]}]}

A ticket matches when every `all` condition holds and, if `any` is not empty, at least
one `any` condition holds. No nesting.
"""

from __future__ import annotations

from typing import Any

import regex
from django.apps import apps

from supportdesk.conditions.fields import EVENT_OPERATORS, OPERATORS, PYTHON_ONLY, field_named
from supportdesk.lib.errors import DomainError

# Where conditions run: a database filter (views, lists), an event rule (Python, may ask
# what changed), or an SLA policy (Python, no event operators).
CONTEXTS = {"filter", "event", "policy"}
MAX_CONDITIONS = 50
MAX_TEXT = 1000


class ConditionError(DomainError):
    """A condition that cannot be saved, with the reason a person can act on."""


def validate(conditions: Any, *, context: str) -> dict[str, list[dict[str, Any]]]:
    """The conditions, cleaned (tags lower-cased, numbers as numbers), or ConditionError."""
    if context not in CONTEXTS:
        raise ValueError(f"unknown context {context!r}")
    if not isinstance(conditions, dict) or set(conditions) - {"all", "any"}:
        raise ConditionError('conditions: an object with "all" and "any" lists')
    clean: dict[str, list[dict[str, Any]]] = {}
    for part in ("all", "any"):
        items = conditions.get(part, [])
        if not isinstance(items, list) or len(items) > MAX_CONDITIONS:
            raise ConditionError(f"conditions.{part}: a list of at most {MAX_CONDITIONS}")
        clean[part] = [
            _one(item, f"conditions.{part}[{i}]", context) for i, item in enumerate(items)
        ]
    return clean


def _one(item: Any, where: str, context: str) -> dict[str, Any]:
    if not isinstance(item, dict) or set(item) - {"field", "operator", "value"}:
        raise ConditionError(f'{where}: an object with "field", "operator" and "value"')
    name, operator = item.get("field"), item.get("operator")
    field = field_named(name) if isinstance(name, str) else None
    if field is None:
        raise ConditionError(f"{where}: unknown field {name!r}")
    if field.event_only and context != "event":
        raise ConditionError(f"{where}: {name} is only known in trigger conditions")
    allowed = OPERATORS[field.kind] | (EVENT_OPERATORS if context == "event" else set())
    if field.kind == "body" or field.hours_ago:
        allowed -= EVENT_OPERATORS
    if operator not in allowed:
        raise ConditionError(
            f"{where}: {name} takes the operators {', '.join(sorted(allowed))}, not {operator!r}"
        )
    if context == "filter" and operator in PYTHON_ONLY:
        raise ConditionError(f"{where}: {operator} cannot select tickets in a list or view")
    value = _value(field, operator, item.get("value"), where)
    return {"field": name, "operator": operator, "value": value}


MAX_HOURS = 1_000_000  # about 114 years


def _value(field: Any, operator: str, value: Any, where: str) -> Any:
    if operator in ("is_empty", "changed"):
        return None
    if operator in ("includes_any", "includes_all", "includes_none"):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{where}: a non-empty list of values")
        return [_scalar(field, v, where) for v in value]
    if operator == "matches":
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise ConditionError(f"{where}: a regular expression")
        try:
            regex.compile(value)
        except regex.error as exc:
            raise ConditionError(f"{where}: not a valid regular expression ({exc})") from exc
        return value
    if operator in ("less_than", "greater_than") or field.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConditionError(f"{where}: a number")
        # Hours before now: a bound keeps the date arithmetic of both compilers in range.
        if getattr(field, "hours_ago", False) and not 0 <= value <= MAX_HOURS:
            raise ConditionError(f"{where}: between 0 and {MAX_HOURS:,} hours")
        return value
    return _scalar(field, value, where)


def _scalar(field: Any, value: Any, where: str) -> Any:
    if field.kind == "bool":
        if not isinstance(value, bool):
            raise ConditionError(f"{where}: true or false")
        return value
    if field.kind == "ref":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConditionError(f"{where}: an id")
        # Ids, not names, so that a rename breaks nothing; an unknown one is refused now.
        if not apps.get_model(field.refers_to).objects.filter(pk=value).exists():
            raise ConditionError(f"{where}: no {field.name} with id {value}")
        return value
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ConditionError(f"{where}: text of at most {MAX_TEXT} characters")
    if field.kind == "tags":
        return value.strip().lower()
    if field.choices and value not in field.choices:
        raise ConditionError(f"{where}: one of {', '.join(field.choices)}")
    return value
