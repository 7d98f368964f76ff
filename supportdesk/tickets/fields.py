"""Validation of ticket property values: tags and typed custom fields."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from supportdesk.lib.errors import DomainError
from supportdesk.tickets.models import CustomField, FieldType

_TAG = re.compile(r"^[\w\-.:/]{1,80}$")


def clean_tags(tags: Any) -> list[str]:
    """Lower-case, de-duplicated tags in the order given; spaces become underscores."""
    if isinstance(tags, str) or not isinstance(tags, list | tuple | set):
        raise DomainError("tags must be a list of words")
    clean: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            raise DomainError("tags must be a list of words")
        value = "_".join(tag.strip().lower().split())
        if not value:
            continue
        if not _TAG.match(value):
            raise DomainError(f"tag {tag!r} may only hold letters, digits and - _ . : /")
        if value not in clean:
            clean.append(value)
    if len(clean) > 50:
        raise DomainError("a ticket holds at most 50 tags")
    return clean


def clean_custom_fields(values: Any, current: dict[str, Any]) -> dict[str, Any]:
    """Merge `values` into `current`, checking each against its field definition.
    A None value removes the key."""
    if not isinstance(values, dict):
        raise DomainError("custom_fields must be an object of field keys to values")
    defs = {f.key: f for f in CustomField.objects.filter(key__in=list(values), enabled=True)}
    merged = dict(current)
    for key, value in values.items():
        field = defs.get(key)
        if field is None:
            raise DomainError(f"unknown custom field {key!r}")
        if value is None or value == "":
            merged.pop(key, None)
            continue
        merged[key] = _check_value(field, value)
    return merged


def _check_value(field: CustomField, value: Any) -> Any:
    kind = field.type
    if kind == FieldType.TEXT:
        if not isinstance(value, str) or len(value) > 10_000:
            raise DomainError(f"{field.key} must be text of at most 10,000 characters")
        return value
    if kind == FieldType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DomainError(f"{field.key} must be a number")
        return value
    if kind == FieldType.CHECKBOX:
        if not isinstance(value, bool):
            raise DomainError(f"{field.key} must be true or false")
        return value
    if kind == FieldType.DATE:
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise DomainError(f"{field.key} must be a date like 2026-01-31") from exc
    if kind == FieldType.DROPDOWN:
        if value not in field.options:
            raise DomainError(f"{field.key} must be one of {', '.join(map(str, field.options))}")
        return value
    raise DomainError(f"{field.key} has an unknown type")


def missing_required(form_fields: list[CustomField], values: dict[str, Any]) -> list[str]:
    return [f.key for f in form_fields if f.required and f.key not in values]
