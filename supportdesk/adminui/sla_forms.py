"""The forms of the SLA admin pages: a calendar (hours typed per day as "09:00-17:00"),
a policy (targets in hours and minutes) and its condition rows.

The condition rows are the saved-view editor's (agent.view_editor_rows), so a policy's
conditions are edited exactly like a view's; what differs is that a policy may keep a
"matches" (regular expression) condition, which views refuse, so such a row is passed to
save_policy as typed and checked there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import available_timezones

from django import forms

from supportdesk.adminui.access import add_domain_error
from supportdesk.agent.view_editor_rows import (
    PARTS,
    Catalogue,
    Row,
    RowError,
    from_condition,
    organization_names,
    rows_from_post,
    to_condition,
)
from supportdesk.conditions.validate import MAX_CONDITIONS, ConditionError
from supportdesk.lib.errors import DomainError
from supportdesk.sla.models import TARGETS, Calendar, Policy

DAYS = (
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
)
TARGET_LABELS = {
    "first_reply": "First reply",
    "next_reply": "Next reply",
    "periodic_update": "Periodic update",
    "resolution": "Resolution",
}
TARGET_HELP = {
    "first_reply": "from the ticket's creation to the first public agent reply",
    "next_reply": "from each customer message to the agent's answer",
    "periodic_update": "at most this long between public agent updates",
    "resolution": "from creation until the ticket is solved",
}
PAUSE_CHOICES = [("pending", "Pending (waiting for the customer)"), ("on-hold", "On hold")]
_INTERVAL = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*[-–—]\s*(\d{1,2})(?::(\d{2}))?$")
MAX_DATES = 500
BLANK_ROWS = 1
MAX_ROWS = MAX_CONDITIONS + 10
_WHERE = re.compile(r"^conditions\.(all|any)\[(\d+)\]: ")


def zone_choices() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(available_timezones())]


# Calendars -------------------------------------------------------------------------------


def parse_day(text: str) -> list[list[str]]:
    """ "09:00-12:00, 13:00-17:00" as [["09:00", "12:00"], ["13:00", "17:00"]]; "9-17"
    is fine too. Blank (or "closed") is a closed day."""
    text = text.strip()
    if not text or text.lower() == "closed":
        return []
    intervals = []
    for part in re.split(r"[,;]", text):
        part = part.strip()
        if not part:
            continue
        found = _INTERVAL.match(part)
        if found is None:
            raise forms.ValidationError(f"Write times like 09:00-17:00, not “{part}”.")
        h1, m1, h2, m2 = found.groups()
        intervals.append([f"{int(h1):02d}:{m1 or '00'}", f"{int(h2):02d}:{m2 or '00'}"])
    return intervals


def format_day(intervals: Any) -> str:
    if not isinstance(intervals, list):
        return ""
    return ", ".join(f"{a}-{b}" for a, b in (tuple(i) for i in intervals if len(i) == 2))


class CalendarForm(forms.Form):
    name = forms.CharField(max_length=100)
    timezone = forms.CharField(
        label="Time zone", max_length=64, widget=forms.Select(choices=zone_choices())
    )
    country = forms.CharField(
        label="Holidays of country",
        max_length=10,
        required=False,
        help_text="A country code such as DE, US or GB; its public holidays are closed days.",
    )
    subdivision = forms.CharField(
        label="Region",
        max_length=10,
        required=False,
        help_text="A state or region code of that country, e.g. BE for Berlin.",
    )
    dates = forms.CharField(
        label="Other closed days",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "2026-12-24"}),
        help_text="One date per line, like 2026-12-24.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in DAYS:
            self.fields[key] = forms.CharField(
                label=label,
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": "closed", "autocomplete": "off"}),
            )
        # A zone the select lacks (typed by hand, or an alias saved through the API)
        # stays selectable, so saving again does not silently change it.
        current = str(self.data.get("timezone") or self.initial.get("timezone") or "")
        widget = self.fields["timezone"].widget
        assert isinstance(widget, forms.Select)
        if current and current not in {value for value, _ in widget.choices}:
            widget.choices = [(current, current), *widget.choices]

    @staticmethod
    def initial_of(calendar: Calendar | None) -> dict[str, Any]:
        if calendar is None:
            workday = "09:00-17:00"
            week = {key: workday if key not in ("sat", "sun") else "" for key, _ in DAYS}
            return {"timezone": "UTC", **week}
        hours = calendar.hours or {}
        return {
            "name": calendar.name,
            "timezone": calendar.timezone,
            "country": calendar.country,
            "subdivision": calendar.subdivision,
            "dates": "\n".join(calendar.dates or []),
            **{key: format_day(hours.get(key, [])) for key, _ in DAYS},
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key, _ in DAYS:
            if key in data:
                try:
                    data[f"{key}_hours"] = parse_day(data[key])
                except forms.ValidationError as exc:
                    self.add_error(key, exc)
        lines = [line.strip() for line in str(data.get("dates", "")).splitlines()]
        data["date_list"] = [line for line in lines if line]
        if len(data["date_list"]) > MAX_DATES:
            self.add_error("dates", f"At most {MAX_DATES} dates.")
        return data

    def hours(self) -> dict[str, list[list[str]]]:
        return {key: self.cleaned_data[f"{key}_hours"] for key, _ in DAYS}

    def day_fields(self) -> list[forms.BoundField]:
        return [self[key] for key, _ in DAYS]


def add_calendar_error(form: CalendarForm, exc: DomainError) -> None:
    """save_calendar names what is wrong ("hours.mon[0]: ...", "holidays.country: ...")."""
    message = str(exc)
    where, _, rest = message.partition(": ")
    target = {
        "holidays.country": "country",
        "holidays.subdivision": "subdivision",
        "holidays.dates": "dates",
    }.get(where)
    day = where.removeprefix("hours.").split("[", 1)[0]
    if target is None and where.startswith("hours.") and day in form.fields:
        target = day
    if target is not None and rest:
        form.add_error(target, rest[:1].upper() + rest[1:])
    else:
        add_domain_error(form, exc)


# Policies --------------------------------------------------------------------------------


class PolicyForm(forms.Form):
    name = forms.CharField(max_length=100)
    enabled = forms.BooleanField(
        required=False, label="Enabled", help_text="A disabled policy applies to no ticket."
    )
    calendar = forms.ModelChoiceField(
        queryset=Calendar.objects.order_by("name"),
        required=False,
        empty_label="The ticket group's calendar",
        help_text="Tickets without a group, or whose group has none, run around the clock (UTC).",
    )
    business_hours = forms.BooleanField(
        required=False,
        label="Count business hours only",
        help_text="Off: targets count every minute, day and night.",
    )
    pause_on = forms.MultipleChoiceField(
        label="Clocks pause while the ticket is",
        choices=PAUSE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in TARGETS:
            self.fields[f"{key}_hours"] = forms.IntegerField(
                label=f"{TARGET_LABELS[key]}: hours", required=False, min_value=0, max_value=8760
            )
            self.fields[f"{key}_minutes"] = forms.IntegerField(
                label=f"{TARGET_LABELS[key]}: minutes", required=False, min_value=0, max_value=59
            )

    @staticmethod
    def initial_of(policy: Policy | None) -> dict[str, Any]:
        if policy is None:
            return {"enabled": True, "business_hours": True, "pause_on": ["pending", "on-hold"]}
        initial: dict[str, Any] = {
            "name": policy.name,
            "enabled": policy.enabled,
            "calendar": policy.calendar_id,
            "business_hours": policy.business_hours,
            "pause_on": list(policy.pause_on),
        }
        for key, minutes in (policy.targets or {}).items():
            if key in TARGETS and isinstance(minutes, int):
                initial[f"{key}_hours"], initial[f"{key}_minutes"] = divmod(minutes, 60)
        return initial

    def targets(self) -> dict[str, int]:
        """Minutes per target; a target with both inputs empty is absent. A zero total
        is passed on as is so the service says it is not allowed."""
        found = {}
        for key in TARGETS:
            hours = self.cleaned_data.get(f"{key}_hours")
            minutes = self.cleaned_data.get(f"{key}_minutes")
            if hours is None and minutes is None:
                continue
            found[key] = (hours or 0) * 60 + (minutes or 0)
        return found

    def target_rows(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        return [
            (TARGET_LABELS[k], TARGET_HELP[k], self[f"{k}_hours"], self[f"{k}_minutes"])
            for k in TARGETS
        ]


def add_policy_error(form: PolicyForm, exc: DomainError) -> None:
    where, _, rest = str(exc).partition(": ")
    if where.startswith("targets.") and f"{where[8:]}_hours" in form.fields and rest:
        label = TARGET_LABELS[where[8:]]
        form.add_error(f"{where[8:]}_hours", f"{label}: {rest}.")
    elif where == "targets":
        form.add_error(None, "Set at least one target: hours or minutes for one of them.")
    else:
        add_domain_error(form, exc)


@dataclass
class PolicyConditions:
    """The condition rows of a policy as typed, per part ("all", "any")."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {p: [] for p in PARTS})
    built_from: dict[str, list[Row]] = field(default_factory=dict)

    @classmethod
    def of_policy(cls, policy: Policy | None, catalogue: Catalogue) -> PolicyConditions:
        return cls.of_conditions(policy.conditions if policy else None, catalogue)

    @classmethod
    def of_conditions(
        cls, conditions: dict[str, Any] | None, catalogue: Catalogue
    ) -> PolicyConditions:
        """The rows of stored conditions (of a policy, or an escalation or emergency rule)."""
        found = cls()
        conditions = conditions or {}
        names = organization_names(conditions)
        for part in PARTS:
            found.rows[part] = [
                from_condition(part, i, item, catalogue, names)
                for i, item in enumerate(conditions.get(part, []))
            ]
            for _ in range(BLANK_ROWS):
                found.add_row(part)
        return found

    @classmethod
    def from_post(cls, data: Any) -> PolicyConditions:
        return cls(rows={part: rows_from_post(data, part, limit=MAX_ROWS) for part in PARTS})

    def add_row(self, part: str) -> None:
        self.rows[part].append(Row(part, len(self.rows[part])))

    def remove_row(self, prefix: str) -> None:
        for part in PARTS:
            kept = [r for r in self.rows[part] if r.prefix != prefix]
            self.rows[part] = [
                Row(part, i, r.field, r.operator, r.values) for i, r in enumerate(kept)
            ]

    def find_row(self, prefix: str) -> Row | None:
        return next((r for p in PARTS for r in self.rows[p] if r.prefix == prefix), None)

    @property
    def error_count(self) -> int:
        return sum(1 for p in PARTS for r in self.rows[p] if r.error)

    def build(self, catalogue: Catalogue) -> dict[str, list[dict[str, Any]]] | None:
        """The conditions of the non-blank rows; None when a row has an error."""
        built: dict[str, list[dict[str, Any]]] = {}
        for part in PARTS:
            built[part], self.built_from[part] = [], []
            for row in self.rows[part]:
                row.error = ""
                if row.blank:
                    continue
                try:
                    item = _condition(row, catalogue)
                except RowError as exc:
                    row.error = str(exc)
                    continue
                built[part].append(item)
                self.built_from[part].append(row)
        return None if self.error_count else built

    def put_error(self, exc: DomainError) -> bool:
        """Put a service error on the row it names; False when it names none."""
        found = _WHERE.match(str(exc))
        if not isinstance(exc, ConditionError) or not found:
            return False
        part, i = found.group(1), int(found.group(2))
        rows = self.built_from.get(part, [])
        if i >= len(rows):
            return False
        rows[i].error = str(exc)[found.end() :]
        return True


def _condition(row: Row, catalogue: Catalogue) -> dict[str, Any]:
    if row.operator == "matches":
        pattern = ", ".join(v for v in row.values if v.strip())
        return {"field": row.field, "operator": "matches", "value": pattern}
    return to_condition(row, catalogue)
