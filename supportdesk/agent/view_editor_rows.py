"""The condition rows of the view editor: one row is one condition of the condition
language, edited as three inputs (field, operator, value) instead of raw JSON.

A row keeps what the person typed (`values` are the raw strings of the value input) until
the view is saved, so a row that cannot be saved is shown again exactly as typed with its
error. `to_condition` turns a row into the JSON the language stores (ids for groups,
people and organizations, numbers as numbers, tags as a list); `from_condition` turns a
stored condition back into a row.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from supportdesk.accounts.models import STAFF_ROLES, Group, Organization, User
from supportdesk.conditions.fields import (
    OPERATORS,
    PYTHON_ONLY,
    REGISTRY,
    Field,
    field_for_definition,
)
from supportdesk.conditions.validate import ConditionError, validate
from supportdesk.tickets.models import CustomField

PARTS = ("all", "any")
MULTI = {"includes_any", "includes_all", "includes_none"}
NO_VALUE = {"is_empty"}
OPERATOR_ORDER = [
    "is",
    "is_not",
    "contains",
    "not_contains",
    "includes_any",
    "includes_all",
    "includes_none",
    "less_than",
    "greater_than",
    "is_empty",
]
OPERATOR_LABELS = {
    "is": "is",
    "is_not": "is not",
    "contains": "contains",
    "not_contains": "does not contain",
    "includes_any": "is any of",
    "includes_all": "has all of",
    "includes_none": "is none of",
    "less_than": "is less than",
    "greater_than": "is more than",
    "is_empty": "is empty",
}
TAG_OPERATOR_LABELS = {
    "includes_any": "has any of",
    "includes_none": "has none of",
    "is_empty": "has no tags",
}
FIELD_LABELS = {
    "status": "Status",
    "priority": "Priority",
    "type": "Type",
    "channel": "Channel",
    "group": "Group",
    "assignee": "Assignee",
    "organization": "Organization",
    "subject": "Subject",
    "requester_email": "Requester e-mail",
    "language": "Requester language",
    "tags": "Tags",
    "body": "Message text",
    "created_hours_ago": "Hours since created",
    "updated_hours_ago": "Hours since last update",
}
# Beyond these, ids overflow a database integer and hours reach before the year 1.
MAX_ID = 2**63 - 1
MAX_HOURS = 1_000_000
YES = {"yes", "true", "1", "on"}
NO = {"no", "false", "0", "off"}


class RowError(Exception):
    """What is wrong with one row, worded for the person who typed it."""


class Option(NamedTuple):
    value: str
    label: str
    selected: bool = False


@dataclass(frozen=True)
class FieldChoice:
    """A field the editor offers, with its label and the operators a view may use."""

    field: Field
    label: str
    section: str

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def operators(self) -> list[str]:
        usable = OPERATORS[self.field.kind] - PYTHON_ONLY
        return [op for op in OPERATOR_ORDER if op in usable]

    def operator_label(self, op: str) -> str:
        if self.field.kind == "tags" and op in TAG_OPERATOR_LABELS:
            return TAG_OPERATOR_LABELS[op]
        return OPERATOR_LABELS.get(op, op.replace("_", " "))


def choice_label(value: str) -> str:
    return value.replace("-", " ").replace("_", " ").capitalize()


class Catalogue:
    """What the editor offers, read at most once per request: the fields, and the groups
    and agents for the selects (only when a row needs them)."""

    def __init__(self, *, event_fields: bool = False) -> None:
        self.fields: dict[str, FieldChoice] = {}
        for name, f in REGISTRY.items():
            # Who caused an event is known to triggers only, never to views or policies.
            if f.event_only and not event_fields:
                continue
            if OPERATORS[f.kind] - PYTHON_ONLY:
                label = FIELD_LABELS.get(name, choice_label(name))
                self.fields[name] = FieldChoice(f, label, "Ticket")
        for definition in CustomField.objects.filter(enabled=True).order_by("position", "id"):
            f = field_for_definition(definition)
            self.fields[f.name] = FieldChoice(f, definition.label, "Custom fields")

    def sections(self) -> list[tuple[str, list[FieldChoice]]]:
        grouped: dict[str, list[FieldChoice]] = {}
        for choice in self.fields.values():
            grouped.setdefault(choice.section, []).append(choice)
        return list(grouped.items())

    @cached_property
    def groups(self) -> list[Option]:
        groups = Group.objects.order_by("name").values_list("pk", "name")
        return [Option(str(pk), name) for pk, name in groups]

    @cached_property
    def agents(self) -> list[Option]:
        people = User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("name", "email")
        return [Option(str(u.pk), f"{u.display_name} ({u.email})") for u in people]

    def ref_options(self, f: Field) -> list[Option] | None:
        """The select of a ref field, or None where the field takes typed names
        (organizations: there may be thousands)."""
        if f.refers_to == "accounts.Group":
            return self.groups
        if f.refers_to == "accounts.User":
            return self.agents
        return None


@dataclass
class Row:
    """One condition as typed: `part` is "all" or "any", `values` the raw inputs."""

    part: str
    index: int
    field: str = ""
    operator: str = ""
    values: list[str] = dataclasses.field(default_factory=list)
    error: str = ""

    @property
    def prefix(self) -> str:
        return f"{self.part}-{self.index}"

    @property
    def blank(self) -> bool:
        return not self.field and not any(v.strip() for v in self.values)


def rows_from_post(data: Any, part: str, *, limit: int) -> list[Row]:
    """The rows of one section as a browser sent them (`all-0-field`, `all-0-operator`,
    `all-0-value`, ... and `all-count`)."""
    raw_count = str(data.get(f"{part}-count", "0"))
    count = min(int(raw_count), limit) if raw_count.isdigit() else 0
    return [
        Row(
            part,
            i,
            str(data.get(f"{part}-{i}-field", "")).strip(),
            str(data.get(f"{part}-{i}-operator", "")).strip(),
            [str(v) for v in data.getlist(f"{part}-{i}-value")],
        )
        for i in range(count)
    ]


# Row -> condition ------------------------------------------------------------------------


def to_condition(row: Row, catalogue: Catalogue) -> dict[str, Any]:
    """The stored form of a non-blank row, checked by the condition language itself."""
    choice = catalogue.fields.get(row.field)
    if choice is None:
        raise RowError("Choose a field." if not row.field else f"Unknown field {row.field!r}.")
    if row.operator not in choice.operators:
        allowed = ", ".join(f"“{choice.operator_label(op)}”" for op in choice.operators)
        raise RowError(f"{choice.label} can be: {allowed}.")
    item = {"field": choice.name, "operator": row.operator, "value": _value(row, choice)}
    try:
        return validate({"all": [item]}, context="filter")["all"][0]
    except ConditionError as exc:
        raise RowError(str(exc).removeprefix("conditions.all[0]: ")) from exc


def _value(row: Row, choice: FieldChoice) -> Any:
    if row.operator in NO_VALUE:
        return None
    items = _items(row.values, multi=row.operator in MULTI, choices=choice.field.choices)
    if not items:
        raise RowError(f"Enter a value for {choice.label}.")
    if row.operator in MULTI:
        return [_one(item, choice) for item in items]
    if len(items) > 1:
        raise RowError(f"Choose one value, or use “{OPERATOR_LABELS['includes_any']}”.")
    return _one(items[0], choice)


def _items(raw: list[str], *, multi: bool, choices: tuple[str, ...]) -> list[str]:
    """The values in the inputs: a multi-select sends several, a text input one string
    that may list several, separated by commas (unless it is one choice with a comma)."""
    filled = [v for v in raw if v.strip()]
    if not multi:
        return filled
    known = {c.lower() for c in choices}
    items: list[str] = []
    for value in filled:
        if value.strip().lower() in known:
            items.append(value.strip())
        else:
            items.extend(part.strip() for part in value.split(",") if part.strip())
    return items


def _one(item: str, choice: FieldChoice) -> Any:
    f = choice.field
    if f.kind == "choice" or f.choices:
        return _match_choice(item, choice)
    if f.kind == "ref":
        return _resolve_ref(item.strip(), choice)
    if f.kind == "number":
        number = _number(item)
        if f.hours_ago and not 0 <= number <= MAX_HOURS:
            raise RowError(f"{choice.label}: between 0 and {MAX_HOURS:,} hours.")
        return number
    if f.kind == "bool":
        word = item.strip().lower()
        if word not in YES | NO:
            raise RowError(f"{choice.label}: yes or no.")
        return word in YES
    if f.kind == "tags":
        return item.strip().lower()
    if not item.strip():
        raise RowError(f"Enter a value for {choice.label}.")
    return item


def _match_choice(item: str, choice: FieldChoice) -> str:
    wanted = item.strip().lower()
    for value in choice.field.choices:
        if wanted in (value.lower(), choice_label(value).lower()):
            return value
    options = ", ".join(choice_label(c) for c in choice.field.choices)
    raise RowError(f"{choice.label} has no value {item.strip()!r}; choose one of {options}.")


def _number(item: str) -> int | float:
    try:
        number = float(item.strip())
    except ValueError as exc:
        raise RowError(f"{item.strip()!r} is not a number; write e.g. 24 or 1.5.") from exc
    if number != number or number in (float("inf"), float("-inf")):
        raise RowError("Write a finite number, e.g. 24.")
    return int(number) if number.is_integer() else number


def _resolve_ref(item: str, choice: FieldChoice) -> int:
    """An id as is (the language checks that it exists), or a name looked up."""
    if item.isdigit():
        if int(item) > MAX_ID:
            raise RowError(f"No {choice.label.lower()} with id {item}.")
        return int(item)
    target = choice.field.refers_to
    if target == "accounts.Group":
        found = list(Group.objects.filter(name__iexact=item).values_list("pk", flat=True))
    elif target == "accounts.Organization":
        found = list(Organization.objects.filter(name__iexact=item).values_list("pk", flat=True))
    elif target == "accounts.User":
        agents = User.objects.filter(role__in=STAFF_ROLES)
        found = list(agents.filter(email__iexact=item).values_list("pk", flat=True)) or list(
            agents.filter(name__iexact=item).values_list("pk", flat=True)
        )
    else:
        found = []
    if len(found) > 1:
        raise RowError(f"Several match {item!r}; use the e-mail address or the id.")
    if not found:
        raise RowError(f"No {choice.label.lower()} named {item!r}.")
    return found[0]


# Condition -> row ------------------------------------------------------------------------


def from_condition(
    part: str, index: int, item: dict[str, Any], catalogue: Catalogue, org_names: dict[int, str]
) -> Row:
    """A stored condition as the row that edits it."""
    name, op, value = item.get("field", ""), item.get("operator", ""), item.get("value")
    row = Row(part, index, str(name), str(op))
    choice = catalogue.fields.get(row.field)
    values = value if isinstance(value, list) else [] if value is None else [value]
    if choice is None:
        row.values = [", ".join(str(v) for v in values)]
    elif choice.field.refers_to == "accounts.Organization":
        row.values = [", ".join(org_names.get(v, str(v)) for v in values)]
    elif choice.field.kind == "bool":
        row.values = ["yes" if v else "no" for v in values]
    elif choice.field.kind == "tags" or (op in MULTI and _typed(choice, catalogue)):
        row.values = [", ".join(str(v) for v in values)]
    else:
        row.values = [_number_text(v) if choice.field.kind == "number" else str(v) for v in values]
    return row


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _typed(choice: FieldChoice, catalogue: Catalogue) -> bool:
    """Whether the value is a text input (not a select)."""
    f = choice.field
    if f.kind == "ref":
        return catalogue.ref_options(f) is None
    return f.kind not in ("choice", "bool") and not f.choices


def organization_names(conditions: dict[str, Any]) -> dict[int, str]:
    """Names of the organizations the conditions refer to, in one query."""
    ids = set()
    for part in PARTS:
        for item in conditions.get(part, []):
            if item.get("field") == "organization":
                value = item.get("value")
                ids.update(value if isinstance(value, list) else [value])
    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    return dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))


# Row -> inputs ---------------------------------------------------------------------------


@dataclass
class Widget:
    """The value input of a row: none, select, multi (a multi-select), text or number."""

    kind: str
    options: list[Option] = dataclasses.field(default_factory=list)
    text: str = ""
    hint: str = ""


@dataclass
class RowInputs:
    row: Row
    fields: list[tuple[str, list[Option]]]
    operators: list[Option]
    value: Widget


def inputs(row: Row, catalogue: Catalogue) -> RowInputs:
    """The three inputs of a row, each showing what the row holds, even where it does not
    fit (an unknown field, an operator the field lacks): the error says what to change."""
    choice = catalogue.fields.get(row.field)
    fields = [
        (section, [Option(c.name, c.label, c.name == row.field) for c in choices])
        for section, choices in catalogue.sections()
    ]
    if row.field and choice is None:
        fields.append(("Unknown", [Option(row.field, row.field, True)]))
    if choice is None:
        ops = [op for op in OPERATOR_ORDER if op not in PYTHON_ONLY]
        operators = [Option(op, OPERATOR_LABELS[op], op == row.operator) for op in ops]
    else:
        operators = [
            Option(op, choice.operator_label(op), op == row.operator) for op in choice.operators
        ]
    if row.operator and row.operator not in {o.value for o in operators}:
        label = OPERATOR_LABELS.get(row.operator, row.operator)
        operators.append(Option(row.operator, label, True))
    return RowInputs(row, fields, operators, _widget(row, choice, catalogue))


def fit_operator(row: Row, catalogue: Catalogue) -> None:
    """After the field changed (the htmx row refresh): keep the operator if the new field
    has it, else take the field's first one."""
    choice = catalogue.fields.get(row.field)
    if choice is not None and row.operator not in choice.operators:
        row.operator = choice.operators[0]


def _widget(row: Row, choice: FieldChoice | None, catalogue: Catalogue) -> Widget:
    multi = row.operator in MULTI
    text = ", ".join(v for v in row.values if v.strip())
    if row.operator in NO_VALUE:
        return Widget("none")
    if choice is None:
        return Widget("text", text=text, hint="a value")
    f = choice.field
    options: list[Option] | None = None
    if f.kind == "bool":
        options = [Option("yes", "Yes"), Option("no", "No")]
    elif f.choices:
        options = [Option(c, choice_label(c)) for c in f.choices]
    elif f.kind == "ref":
        options = catalogue.ref_options(f)
    if options is not None:
        return Widget("multi" if multi else "select", _selected(options, row.values, multi=multi))
    if f.kind == "number":
        return Widget("number", text=text, hint="hours" if f.hours_ago else "a number")
    if f.kind == "ref":
        hint = "names or ids, separated by commas" if multi else "a name or id"
        return Widget("text", text=text, hint=hint)
    if f.kind == "tags":
        return Widget("text", text=text, hint="tags, separated by commas")
    return Widget("text", text=text, hint="values, separated by commas" if multi else "")


def _selected(options: list[Option], values: list[str], *, multi: bool) -> list[Option]:
    """The options with the row's values selected; a value that is none of them (a
    deleted group, a typo in a text input sent before the select was shown) stays as an
    extra option so that saving again does not silently drop it."""
    by_value = {o.value: o.value for o in options}
    by_label = {o.label.lower(): o.value for o in options}

    def match(v: str) -> str | None:
        return by_value.get(v) or by_label.get(v.lower())

    wanted: list[str] = []
    for value in (v.strip() for v in values if v.strip()):
        parts = [value] if match(value) or not multi else value.split(",")
        wanted.extend(p.strip() for p in parts if p.strip())
    matched = {match(v) for v in wanted}
    shown = [Option(o.value, o.label, o.value in matched) for o in options]
    unknown = [Option(v, f"{v} (unknown)", True) for v in wanted if not match(v)]
    if multi:
        return shown + unknown
    blank = Option("", "Choose…", not matched and not unknown)
    return [blank, *shown, *unknown]
