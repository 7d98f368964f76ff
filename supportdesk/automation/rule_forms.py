"""The editors of triggers and time rules (views_rules.py): the rule's own fields and
its condition rows; and the previews that the pages and the API share (a count of the
tickets a rule selects, a dry run on one ticket).

Condition rows are the SLA editor's (`PolicyConditions` over the view editor's rows),
with the operators rules may use on top: `matches` (a regular expression, Python only)
and, in triggers, `changed`, `changed_to` and `changed_from`, and the trigger-only field
of who caused the event. Action rows are in rule_actions.py.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import datetime
from functools import cached_property
from typing import Any

from django import forms
from django.db import transaction
from django.utils import timezone

from supportdesk.adminui.sla_forms import PolicyConditions
from supportdesk.agent.view_editor_rows import (
    PARTS,
    Catalogue,
    FieldChoice,
    Option,
    Row,
    RowError,
    RowInputs,
    Widget,
    choice_label,
    inputs,
    to_condition,
)
from supportdesk.automation.models import EVENTS, SINCE, TimeRule, TimeRuleFired, Trigger
from supportdesk.automation.preview import DryRun, MatchCount, dry_run, time_rule_matches
from supportdesk.automation.preview import would_match as _would_match
from supportdesk.automation.services import MAX_DESCRIPTION, MAX_HOURS
from supportdesk.automation.timerules import ANCHORS
from supportdesk.conditions.fields import EVENT_OPERATORS, OPERATORS, REGISTRY
from supportdesk.conditions.validate import ConditionError, validate
from supportdesk.lib.errors import DomainError
from supportdesk.tickets.models import Status, Ticket

# What a time rule may count from: what the model allows and the pass has a column for.
# The two lists are kept apart; a value only one knows would fail at every pass.
USABLE_SINCE = tuple(s for s in SINCE if s in ANCHORS)
EVENT_LABELS = {
    "ticket.created": "A ticket is created",
    "ticket.updated": "A ticket is changed",
    "ticket.customer_replied": "The customer replies",
    "ticket.agent_replied": "An agent replies",
    "ticket.note_added": "An internal note is added",
    "ticket.status_changed": "The status changes",
    "sla.warning": "An SLA target is nearly due",
    "sla.breached": "An SLA target is breached",
}
SINCE_LABELS = {
    "created": "the ticket was created",
    "updated": "the ticket was last updated",
    "status": "the status last changed",
    "pending": "the ticket was set to pending",
    "solved": "the ticket was solved",
    "customer_message": "the customer last wrote",
}
RULE_FIELD_LABELS = {
    "sla_state": "SLA state",
    "mailbox": "Mailbox",
    "actor_role": "Who caused the event",
    "language": "Requester language",
}
EXTRA_OPERATOR_LABELS = {
    "matches": "matches the pattern",
    "changed": "changed",
    "changed_to": "changed to",
    "changed_from": "changed from",
}


# Previews, shared with the API ----------------------------------------------------------


def check_since(since: Any) -> None:
    if since not in USABLE_SINCE:
        raise DomainError(f"since: one of {', '.join(USABLE_SINCE)}")


def ticket_conditions(conditions: dict[str, Any]) -> dict[str, Any]:
    """The conditions without those on who caused the event: no ticket column holds it,
    so a count in the database cannot ask (like `changed`, which would_match drops)."""
    return {
        part: [
            c
            for c in conditions.get(part, [])
            if not getattr(REGISTRY.get(c["field"]), "event_only", False)
        ]
        for part in PARTS
    }


def count_matches(rule: Trigger | TimeRule) -> MatchCount:
    """Open tickets a trigger's conditions select now, or the tickets a time rule's next
    pass would fire on. Works on unsaved rules (the editor's test panel)."""
    if isinstance(rule, Trigger):
        return _would_match(ticket_conditions(rule.conditions))
    check_since(rule.since)
    if rule.pk is None:
        # The pass leaves out tickets the rule already fired on, a filter on the rule
        # that Django refuses for an unsaved one; id 0 is no rule's, so nothing is left out.
        rule = copy.copy(rule)
        rule.pk = 0
    return time_rule_matches(rule)


def try_on_ticket(
    rule: Trigger | TimeRule, ticket: Ticket, *, now: datetime | None = None
) -> DryRun:
    """The dry run of `rule` on `ticket`, in a savepoint that is always rolled back, so
    nothing it touches is kept. For a time rule, also whether the ticket is in the state
    the rule counts from and how long it has been."""
    if isinstance(rule, TimeRule):
        check_since(rule.since)
    with transaction.atomic():
        result = dry_run(rule, ticket)
        transaction.set_rollback(True)
    if isinstance(rule, TimeRule):
        applies, words = _timing(rule, ticket, now or timezone.now())
        return DryRun(result.matches and applies, f"{result.reason}; {words}", result.lines)
    return result


def _hours(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0") + (" hour" if value == 1 else " hours")


def _timing(rule: TimeRule, ticket: Ticket, now: datetime) -> tuple[bool, str]:
    column, status = ANCHORS[rule.since]
    since = SINCE_LABELS.get(rule.since, rule.since)
    if ticket.status == Status.CLOSED:
        return False, "the ticket is closed, and time rules leave closed tickets alone"
    if status is not None and ticket.status != status:
        return False, f"the rule counts from when {since}, and this ticket is {ticket.status}"
    start = getattr(ticket, column, None)
    if start is None:
        return False, f"the rule counts from when {since}, which has not happened"
    passed = max(0.0, (now - start).total_seconds() / 3600)
    fired = TimeRuleFired.objects.filter(rule_id=rule.pk, ticket=ticket, window_start=start)
    if rule.pk and fired.exists():
        return False, f"it already fired on this ticket since {since}"
    if rule.business_hours:
        # Business hours need the ticket's calendar; the pass counts them, this only says.
        wait = f"it fires after {_hours(rule.hours)} of business hours"
        return True, f"{_hours(passed)} (calendar) since {since}; {wait}"
    if passed >= rule.hours:
        return True, f"{_hours(passed)} since {since}: due at the next pass"
    return True, f"{_hours(passed)} since {since}; it fires at {_hours(rule.hours)}"


# The rule's own fields -------------------------------------------------------------------


class RuleForm(forms.Form):
    name = forms.CharField(max_length=100)
    enabled = forms.BooleanField(
        required=False, label="Enabled", help_text="A disabled rule does nothing."
    )
    description = forms.CharField(
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For the other admins: why the rule exists.",
    )


class TriggerForm(RuleForm):
    event = forms.ChoiceField(label="When", choices=list(EVENT_LABELS.items()))

    @staticmethod
    def initial_of(rule: Trigger | None) -> dict[str, Any]:
        if rule is None:
            return {"enabled": True, "event": EVENTS[0]}
        values = {"name": rule.name, "enabled": rule.enabled, "event": rule.event}
        return {**values, "description": rule.description}


class TimeRuleForm(RuleForm):
    hours = forms.FloatField(
        label="Hours",
        min_value=0.05,
        max_value=MAX_HOURS,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    since = forms.ChoiceField(label="after", choices=[(s, SINCE_LABELS[s]) for s in USABLE_SINCE])
    business_hours = forms.BooleanField(
        required=False,
        label="Count business hours only",
        help_text="In the calendar of the ticket's SLA policy or group; off: every hour.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A rule saved through an older API with a value the form lacks stays selectable,
        # so saving says what is wrong instead of silently changing it.
        current = str(self.initial.get("since") or "")
        field = self.fields["since"]
        assert isinstance(field, forms.ChoiceField)
        if current and current not in USABLE_SINCE:
            known = [(s, SINCE_LABELS.get(s, s)) for s in USABLE_SINCE]
            field.choices = [*known, (current, f"{current} (not supported)")]

    @staticmethod
    def initial_of(rule: TimeRule | None) -> dict[str, Any]:
        if rule is None:
            return {"enabled": True, "since": "pending", "hours": 72}
        hours: float | int = int(rule.hours) if float(rule.hours).is_integer() else rule.hours
        values = {"name": rule.name, "enabled": rule.enabled, "since": rule.since}
        return {
            **values,
            "hours": hours,
            "business_hours": rule.business_hours,
            "description": rule.description,
        }


# Conditions ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RuleFieldChoice(FieldChoice):
    """A field with the operators rules have on top of the view editor's."""

    extra: tuple[str, ...] = ()

    @property
    def operators(self) -> list[str]:
        return [*super().operators, *self.extra]

    def operator_label(self, op: str) -> str:
        return EXTRA_OPERATOR_LABELS.get(op) or super().operator_label(op)


class RuleCatalogue(Catalogue):
    """The view editor's fields, with the operators of `context` ("event" for triggers,
    "policy" for time rules) and the fields only triggers know (who caused the event)."""

    def __init__(self, context: str) -> None:
        super().__init__(event_fields=True)
        self.context = context
        fields: dict[str, FieldChoice] = {}
        for name, choice in self.fields.items():
            f = choice.field
            if f.event_only and context != "event":
                continue
            extra = ["matches"] if "matches" in OPERATORS[f.kind] else []
            if context == "event" and f.kind != "body" and not (f.hours_ago or f.event_only):
                # A tag list is never equal to one tag: only "changed" means something.
                extra += ["changed"] if f.kind == "tags" else sorted(EVENT_OPERATORS)
            label = RULE_FIELD_LABELS.get(name, choice.label)
            section = "Event" if f.event_only else choice.section
            fields[name] = RuleFieldChoice(f, label, section, tuple(extra))
        self.fields = fields

    @cached_property
    def mailboxes(self) -> list[Option]:
        from supportdesk.mail.models import Mailbox

        found = Mailbox.objects.order_by("name").values_list("pk", "name", "address")
        return [Option(str(pk), f"{name} ({address})") for pk, name, address in found]

    def ref_options(self, f: Any) -> list[Option] | None:
        if f.refers_to == "mail.Mailbox":
            return self.mailboxes
        return super().ref_options(f)


def rule_condition(row: Row, catalogue: RuleCatalogue) -> dict[str, Any]:
    """The stored form of a non-blank row, checked for the rule's context."""
    choice = catalogue.fields.get(row.field)
    op = row.operator
    if choice is None or op not in choice.operators:
        return to_condition(row, catalogue)  # it words the problem
    if op == "matches":
        pattern = next((v for v in row.values if v.strip()), "")
        if not pattern:
            raise RowError("Enter a regular expression, e.g. refund|chargeback.")
        item: dict[str, Any] = {"field": choice.name, "operator": op, "value": pattern}
    elif op == "changed":
        item = {"field": choice.name, "operator": op, "value": None}
    elif choice.field.event_only:
        item = {"field": choice.name, "operator": op, "value": _event_value(row, choice)}
    elif op in EVENT_OPERATORS:
        # "changed to X" takes the value "is X" takes.
        item = {**to_condition(dataclasses.replace(row, operator="is"), catalogue), "operator": op}
    else:
        return to_condition(row, catalogue)
    try:
        return validate({"all": [item]}, context=catalogue.context)["all"][0]
    except ConditionError as exc:
        raise RowError(str(exc).removeprefix("conditions.all[0]: ")) from exc


def _event_value(row: Row, choice: FieldChoice) -> Any:
    """The value of a choice field known only during an event (who acted)."""
    picked = []
    for raw in (v.strip().lower() for v in row.values if v.strip()):
        found = next((c for c in choice.field.choices if raw in (c, choice_label(c).lower())), None)
        if found is None:
            raise RowError(f"{choice.label}: choose one of the list.")
        picked.append(found)
    if not picked:
        raise RowError(f"Choose a value for {choice.label}.")
    if row.operator in ("includes_any", "includes_none"):
        return picked
    if len(picked) > 1:
        raise RowError("Choose one value, or use “is any of”.")
    return picked[0]


class RuleConditions(PolicyConditions):
    """The SLA editor's condition rows, built with the rule's operators."""

    def build(self, catalogue: Catalogue) -> dict[str, list[dict[str, Any]]] | None:
        assert isinstance(catalogue, RuleCatalogue)
        built: dict[str, list[dict[str, Any]]] = {}
        for part in PARTS:
            built[part], self.built_from[part] = [], []
            for row in self.rows[part]:
                row.error = ""
                if row.blank:
                    continue
                try:
                    built[part].append(rule_condition(row, catalogue))
                except RowError as exc:
                    row.error = str(exc)
                    continue
                self.built_from[part].append(row)
        return None if self.error_count else built


def rule_inputs(row: Row, catalogue: RuleCatalogue) -> RowInputs:
    """The view editor's inputs of a row, with the value input the rule operators need:
    none for "changed", a pattern for "matches"."""
    found = inputs(row, catalogue)
    if row.operator == "changed":
        found.value = Widget("none")
    elif row.operator == "matches":
        text = next((v for v in row.values if v.strip()), "")
        found.value = Widget("text", text=text, hint="a regular expression, e.g. refund|chargeback")
    return found
