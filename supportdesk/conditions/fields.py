"""The fields conditions can test, in one registry that apps extend.

A field knows how to read its value from a ticket (for the Python predicate) and which
ORM path holds it (for the database filter); its kind decides which operators and values
are valid. Apps add fields with `register` (the SLA app adds sla_state, the mail app
mailbox); `custom_fields.KEY` resolves against the custom field definitions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from supportdesk.tickets.models import (
    Channel,
    CustomField,
    FieldType,
    Priority,
    Status,
    Ticket,
    TicketType,
)

# Kinds and the operators each allows; "changed*" only where an event is evaluated.
OPERATORS: dict[str, set[str]] = {
    "choice": {"is", "is_not", "includes_any", "includes_none"},
    "ref": {"is", "is_not", "is_empty", "includes_any", "includes_none"},
    "text": {"is", "is_not", "contains", "not_contains", "is_empty", "matches"},
    "body": {"contains", "not_contains", "matches"},
    "tags": {"includes_any", "includes_all", "includes_none", "is_empty"},
    "number": {"is", "less_than", "greater_than"},
    "bool": {"is"},
}
EVENT_OPERATORS = {"changed", "changed_to", "changed_from"}
# Operators that only a Python predicate can run (never in a database filter).
PYTHON_ONLY = {"matches", *EVENT_OPERATORS}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    lookup: str  # ORM path on Ticket for the database filter
    read: Callable[[Ticket], Any]  # the value for the Python predicate
    choices: tuple[str, ...] = ()
    hours_ago: bool = False  # a datetime compared as hours before "now"
    refers_to: str = ""  # "app.Model" whose id a ref value must be
    # A filter of its own, for a field that is no plain column: (operator, value, now) -> Q.
    to_q: Callable[[str, Any, Any], Any] | None = None
    # Known only while an event is handled (who acted): event rules only.
    event_only: bool = False


REGISTRY: dict[str, Field] = {}


def register(field: Field) -> Field:
    REGISTRY[field.name] = field
    return field


def _attr(name: str) -> Callable[[Ticket], Any]:
    return lambda ticket: getattr(ticket, name)


for _name, _choices in (
    ("status", Status.values),
    ("priority", Priority.values),
    ("type", TicketType.values),
    ("channel", Channel.values),
):
    register(Field(_name, "choice", _name, _attr(_name), tuple(_choices)))
for _name, _model in (
    ("group", "accounts.Group"),
    ("assignee", "accounts.User"),
    ("organization", "accounts.Organization"),
):
    register(Field(_name, "ref", f"{_name}_id", _attr(f"{_name}_id"), refers_to=_model))
register(Field("subject", "text", "subject", _attr("subject")))
register(Field("requester_email", "text", "requester__email", lambda t: t.requester.email))
register(Field("language", "text", "requester__language", lambda t: t.requester.language))
register(Field("tags", "tags", "tags", lambda t: list(t.tags)))
register(
    Field(
        "body",
        "body",
        "messages__body",
        lambda t: [m for m in t.messages.values_list("body", flat=True)],
    )
)
register(Field("created_hours_ago", "number", "created_at", _attr("created_at"), hours_ago=True))
register(Field("updated_hours_ago", "number", "updated_at", _attr("updated_at"), hours_ago=True))


def custom_field(key: str) -> Field | None:
    """`custom_fields.KEY` as a field of the kind its definition gives."""
    definition = CustomField.objects.filter(key=key, enabled=True).first()
    return None if definition is None else field_for_definition(definition)


def field_for_definition(definition: CustomField) -> Field:
    """The field of one custom field definition; editors that list every custom field
    call this on the rows of one query instead of `custom_field` per key."""
    key = definition.key
    kind = {
        FieldType.TEXT: "text",
        FieldType.NUMBER: "number",
        FieldType.DROPDOWN: "choice",
        FieldType.CHECKBOX: "bool",
        FieldType.DATE: "text",
    }[FieldType(definition.type)]
    return Field(
        f"custom_fields.{key}",
        kind,
        f"custom_fields__{key}",
        lambda t: t.custom_fields.get(key),
        tuple(str(o) for o in definition.options),
    )


def field_named(name: str) -> Field | None:
    if name.startswith("custom_fields."):
        return custom_field(name.split(".", 1)[1])
    return REGISTRY.get(name)
