"""The forms of the SLA rule pages: warning and escalation rules, stalled-ticket rules and
emergency rules, each with the policy editor's condition rows (`PolicyConditions`), and,
for escalation and stalled rules, a list of actions edited as rows.

An action row shows the input of its kind only: a notify row checkboxes for the assignee
and the group lead and a multi-select of agents, the others one select. Each kind's input
has its own name (`act-0-group`, `act-0-webhook`...), so a row whose kind was changed
without JavaScript never reads the old kind's value as the new one's: it asks for a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django import forms

from supportdesk.accounts.models import STAFF_ROLES, Group, User
from supportdesk.adminui.access import add_domain_error
from supportdesk.adminui.sla_forms import TARGET_LABELS
from supportdesk.agent.view_editor_rows import Option
from supportdesk.lib.errors import DomainError
from supportdesk.sla.models import TARGETS, EmergencyRule, EscalationRule, StalledRule
from supportdesk.sla.rules import MAX_ACTIONS, MAX_PEOPLE
from supportdesk.tickets.models import Priority
from supportdesk.webhooks.models import WebhookEndpoint

ACTION_LABELS = {
    "notify": "Notify",
    "webhook": "Send a webhook",
    "set_priority": "Raise priority to",
    "set_group": "Move to group",
}
RECIPIENT_LABELS = {"assignee": "The assignee", "group_lead": "The group's lead"}
TARGET_CHOICES = [("any", "Any target"), *((k, TARGET_LABELS[k]) for k in TARGETS)]
WHEN_CHOICES = [
    ("before", "before it is due (a warning)"),
    ("after", "after it is breached (an escalation)"),
]
# Rows beyond the service's limit are still read, so the error says how many there are.
MAX_ACTION_ROWS = MAX_ACTIONS + 10
_ACTION_WHERE = re.compile(r"^actions\[(\d+)\](?:\.value(?:\.to)?)?: (.+)$", re.DOTALL)
_NOT_AGENT = re.compile(r"^(\d+) is not an active agent")
MINUTES_MAX = 525_600


def _agents(keep: list[int] | None = None) -> Any:
    """Active agents, and the people a rule names already (so a deactivated one shows up
    selected, and saving says so instead of dropping them quietly)."""
    wanted = User.objects.filter(role__in=STAFF_ROLES, is_active=True)
    if keep:
        wanted = wanted | User.objects.filter(pk__in=keep)
    return wanted.order_by("name", "email")


def agent_label(user: User) -> str:
    state = "" if user.is_active and user.role in STAFF_ROLES else ", no longer an agent"
    return f"{user.display_name} ({user.email}{state})"


# The rule's own fields -------------------------------------------------------------------


class RuleForm(forms.Form):
    name = forms.CharField(max_length=100)
    enabled = forms.BooleanField(
        required=False, label="Enabled", help_text="A disabled rule does nothing."
    )


class EscalationForm(RuleForm):
    target = forms.ChoiceField(label="SLA target", choices=TARGET_CHOICES)
    when = forms.ChoiceField(label="Fire", choices=WHEN_CHOICES)
    hours = forms.IntegerField(label="Hours", required=False, min_value=0, max_value=8760)
    minutes = forms.IntegerField(
        label="Minutes", required=False, min_value=0, max_value=MINUTES_MAX
    )

    @staticmethod
    def initial_of(rule: EscalationRule | None) -> dict[str, Any]:
        if rule is None:
            return {"enabled": True, "target": "any", "when": "before", "minutes": 30}
        hours, minutes = divmod(rule.minutes, 60)
        return {
            "name": rule.name,
            "enabled": rule.enabled,
            "target": rule.target,
            "when": rule.when,
            "hours": hours or None,
            "minutes": minutes if minutes or not hours else None,
        }

    def total_minutes(self) -> int:
        """Hours and minutes together; both empty is 0 (at the due time itself)."""
        hours = self.cleaned_data.get("hours") or 0
        return int(hours * 60 + (self.cleaned_data.get("minutes") or 0))


class StalledForm(RuleForm):
    hours = forms.IntegerField(
        label="Business hours without an agent update",
        min_value=1,
        max_value=8760,
        help_text="Counted in the ticket's SLA calendar (around the clock without one).",
    )

    @staticmethod
    def initial_of(rule: StalledRule | None) -> dict[str, Any]:
        if rule is None:
            return {"enabled": True, "hours": 24}
        return {"name": rule.name, "enabled": rule.enabled, "hours": rule.hours}


class AgentChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return agent_label(obj)


class EmergencyForm(RuleForm):
    repeat_minutes = forms.IntegerField(
        label="Notify again every (minutes)",
        min_value=1,
        max_value=10_080,
        help_text="Until an agent acknowledges the emergency on the ticket.",
    )
    notify = AgentChoice(
        label="Agents to notify",
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Ctrl- or ⌘-click to choose several. Each gets it as their notification "
        "settings say (in the app, by e-mail).",
    )
    webhook = forms.ModelChoiceField(
        label="Webhook for a paging tool",
        queryset=WebhookEndpoint.objects.order_by("name"),
        required=False,
        empty_label="No webhook",
    )

    def __init__(self, *args: Any, keep: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        notify = self.fields["notify"]
        assert isinstance(notify, AgentChoice)
        notify.queryset = _agents(keep)

    @staticmethod
    def initial_of(rule: EmergencyRule | None) -> dict[str, Any]:
        if rule is None:
            return {"enabled": True, "repeat_minutes": 15}
        return {
            "name": rule.name,
            "enabled": rule.enabled,
            "repeat_minutes": rule.repeat_minutes,
            "notify": list(rule.notify),
            "webhook": rule.webhook_id,
        }


def add_rule_error(form: RuleForm, exc: DomainError) -> None:
    """A service error on the field it names ("name: ...", "hours: ...")."""
    where, _, rest = str(exc).partition(": ")
    if where == "minutes" and "minutes" in form.fields:
        form.add_error("minutes", f"In all at most {MINUTES_MAX:,} minutes (a year).")
    elif where == "notify" and rest.startswith("name at least one"):
        form.add_error("notify", "Choose at least one agent, or a webhook below.")
    else:
        add_domain_error(form, exc)


# Actions ---------------------------------------------------------------------------------


class ActionChoices:
    """What the action rows offer, each read at most once per request."""

    def __init__(self, keep_agents: list[int] | None = None) -> None:
        self.keep_agents = keep_agents or []

    @cached_property
    def agents(self) -> list[Option]:
        return [Option(str(u.pk), agent_label(u)) for u in _agents(self.keep_agents)]

    @cached_property
    def groups(self) -> list[Option]:
        return [
            Option(str(pk), n) for pk, n in Group.objects.order_by("name").values_list("pk", "name")
        ]

    @cached_property
    def webhooks(self) -> list[Option]:
        found = WebhookEndpoint.objects.order_by("name").values_list("pk", "name", "enabled")
        return [Option(str(pk), n if on else f"{n} (disabled)") for pk, n, on in found]

    @property
    def priorities(self) -> list[Option]:
        return [Option(p.value, str(p.label)) for p in Priority]

    def kinds(self, selected: str) -> list[Option]:
        return [Option(k, label, k == selected) for k, label in ACTION_LABELS.items()]


@dataclass
class ActionRow:
    """One action as typed: `recipients` and `agents` for notify, `value` for the others."""

    index: int
    kind: str = "notify"
    recipients: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    value: str = ""
    error: str = ""

    @property
    def prefix(self) -> str:
        return f"act-{self.index}"

    def build(self) -> dict[str, Any]:
        """The stored form; a ValueError says what to choose."""
        if self.kind == "notify":
            to: list[Any] = [r for r in RECIPIENT_LABELS if r in self.recipients]
            to += [int(a) for a in self.agents if a.isdigit()]
            if not to:
                raise ValueError("Tick the assignee or the group's lead, or choose agents.")
            if len(to) > MAX_PEOPLE:
                raise ValueError(f"At most {MAX_PEOPLE} agents per action.")
            return {"action": "notify", "value": {"to": to}}
        if self.kind == "set_priority":
            if self.value not in Priority.values:
                raise ValueError("Choose the priority to set.")
            return {"action": "set_priority", "value": self.value}
        what = {"webhook": "a webhook endpoint", "set_group": "the group to move the ticket to"}
        if self.kind not in what:
            raise ValueError("Choose what the action does.")
        if not self.value.isdigit():
            raise ValueError(f"Choose {what[self.kind]}.")
        return {"action": self.kind, "value": int(self.value)}


def _row_of(index: int, item: dict[str, Any]) -> ActionRow:
    kind, value = str(item.get("action", "")), item.get("value")
    row = ActionRow(index, kind)
    if kind == "notify" and isinstance(value, dict):
        to = value.get("to") or []
        row.recipients = [t for t in to if isinstance(t, str)]
        row.agents = [str(t) for t in to if isinstance(t, int)]
    elif value is not None:
        row.value = str(value)
    return row


@dataclass
class RuleActions:
    """The action rows of an escalation or stalled rule, with an error for the list."""

    rows: list[ActionRow] = field(default_factory=list)
    error: str = ""

    @classmethod
    def of_actions(cls, actions: list[dict[str, Any]] | None) -> RuleActions:
        if not actions:  # a new rule: the usual first action
            return cls([ActionRow(0, "notify", ["assignee"])])
        return cls([_row_of(i, item) for i, item in enumerate(actions)])

    @classmethod
    def from_post(cls, data: Any) -> RuleActions:
        raw = str(data.get("act-count", "0"))
        count = min(int(raw), MAX_ACTION_ROWS) if raw.isdigit() else 0
        rows = []
        for i in range(count):
            kind = str(data.get(f"act-{i}-kind", "")).strip()
            rows.append(
                ActionRow(
                    i,
                    kind,
                    [str(v) for v in data.getlist(f"act-{i}-to")],
                    [str(v) for v in data.getlist(f"act-{i}-agents")],
                    str(data.get(f"act-{i}-{kind.removeprefix('set_')}", "")).strip(),
                )
            )
        return cls(rows)

    def agent_ids(self) -> list[int]:
        return [int(a) for r in self.rows for a in r.agents if a.isdigit()]

    def add_row(self, kind: str) -> None:
        self.rows.append(ActionRow(len(self.rows), kind if kind in ACTION_LABELS else "notify"))

    def remove_row(self, prefix: str) -> None:
        kept = [r for r in self.rows if r.prefix != prefix]
        self.rows = [
            ActionRow(i, r.kind, r.recipients, r.agents, r.value) for i, r in enumerate(kept)
        ]

    def find_row(self, prefix: str) -> ActionRow | None:
        return next((r for r in self.rows if r.prefix == prefix), None)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.error) + (1 if self.error else 0)

    def build(self) -> list[dict[str, Any]] | None:
        """The actions to save; None when a row (or the list) has an error."""
        built = []
        self.error = ""
        for row in self.rows:
            row.error = ""
            try:
                built.append(row.build())
            except ValueError as exc:
                row.error = str(exc)
        if not self.rows:
            self.error = "Add at least one action: what should happen when the rule fires."
        elif len(self.rows) > MAX_ACTIONS:
            self.error = f"At most {MAX_ACTIONS} actions; remove {len(self.rows) - MAX_ACTIONS}."
        return None if self.error_count else built

    def put_error(self, exc: DomainError, choices: ActionChoices) -> bool:
        """Put a service error on the row it names ("actions[1].value: no group with id
        9"), or on the list ("actions: ..."); False when it names neither."""
        message = str(exc)
        if message.startswith("actions: "):
            self.error = message.removeprefix("actions: ").capitalize() + "."
            return True
        found = _ACTION_WHERE.match(message)
        if found is None or int(found.group(1)) >= len(self.rows):
            return False
        rest = found.group(2)
        gone = _NOT_AGENT.match(rest)
        if gone is not None:
            names = {o.value: o.label for o in choices.agents}
            who = names.get(gone.group(1), f"Agent #{gone.group(1)}")
            rest = f"{who} is not an active agent; unselect them"
        elif rest.startswith("no "):
            rest = f"{rest.removesuffix('.')}: it was deleted; choose another"
        self.rows[int(found.group(1))].error = rest[:1].upper() + rest[1:] + "."
        return True


@dataclass
class ActionInputs:
    """One action row with the options of its input, for the template."""

    row: ActionRow
    kinds: list[Option]
    options: list[Option]
    recipients: list[Option]


def action_inputs(row: ActionRow, choices: ActionChoices) -> ActionInputs:
    """The row's inputs showing what it holds; a selected id that is gone (a deleted
    group) stays visible as such, so saving names it instead of dropping it."""
    if row.kind == "notify":
        known = choices.agents
        picked = set(row.agents)
    else:
        known = {
            "webhook": choices.webhooks,
            "set_priority": choices.priorities,
            "set_group": choices.groups,
        }.get(row.kind, [])
        picked = {row.value} if row.value else set()
    options = [Option(o.value, o.label, o.value in picked) for o in known]
    values = {o.value for o in known}
    options += [Option(v, f"#{v} (deleted)", True) for v in sorted(picked - values)]
    recipients = [Option(k, label, k in row.recipients) for k, label in RECIPIENT_LABELS.items()]
    return ActionInputs(row, choices.kinds(row.kind), options, recipients)
