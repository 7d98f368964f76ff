"""Triggers and time rules in words, for their list page: what a rule applies to
("Priority is Urgent and Subject contains refund"), when it runs ("72 hours after the
ticket was set to pending") and what it does ("add tags refund; move to Billing").

The names of what rules refer to by id (groups, agents, organizations, mailboxes, webhook
endpoints, macros) are read in one query per kind for the whole page (`ref_names`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from supportdesk.accounts.models import Group, Organization, User
from supportdesk.agent.view_editor_rows import PARTS, choice_label
from supportdesk.automation.models import Macro, TimeRule, Trigger
from supportdesk.automation.rule_actions import MAIL_TO_LABELS, ROUTING_LABELS
from supportdesk.automation.rule_forms import EVENT_LABELS, SINCE_LABELS, RuleCatalogue
from supportdesk.mail.models import Mailbox
from supportdesk.webhooks.models import WebhookEndpoint

GROUP, USER, ORG = "accounts.Group", "accounts.User", "accounts.Organization"
MAILBOX, WEBHOOK, MACRO = "mail.Mailbox", "webhooks.WebhookEndpoint", "automation.Macro"
MODELS: dict[str, Any] = {
    GROUP: Group,
    USER: User,
    ORG: Organization,
    MAILBOX: Mailbox,
    WEBHOOK: WebhookEndpoint,
    MACRO: Macro,
}
# Actions whose value (or part of it) is an id of these.
ACTION_REFS = {"set_group": GROUP, "set_assignee": USER, "apply_macro": MACRO}
Names = dict[str, dict[int, str]]


def _ids(value: Any) -> list[int]:
    found = value if isinstance(value, list) else [value]
    return [i for i in found if isinstance(i, int) and not isinstance(i, bool)]


def _wanted(rules: Iterable[Trigger | TimeRule], catalogue: RuleCatalogue) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = {target: set() for target in MODELS}
    for rule in rules:
        for part in PARTS:
            for item in (rule.conditions or {}).get(part, []):
                choice = catalogue.fields.get(item.get("field", ""))
                target = choice.field.refers_to if choice else ""
                if target in wanted:
                    wanted[target].update(_ids(item.get("value")))
        for action in rule.actions or []:
            kind, value = action.get("action"), action.get("value")
            if kind in ACTION_REFS:
                wanted[ACTION_REFS[kind]].update(_ids(value))
            elif kind == "notify" and isinstance(value, dict):
                wanted[USER].update(_ids(value.get("to")))
            elif kind == "webhook" and isinstance(value, dict):
                wanted[WEBHOOK].update(_ids(value.get("endpoint")))
    return wanted


def ref_names(rules: Iterable[Trigger | TimeRule], catalogue: RuleCatalogue) -> Names:
    """Names by model label and id of everything the rules name; a query per kind used."""
    names: Names = {}
    for target, ids in _wanted(rules, catalogue).items():
        if not ids:
            names[target] = {}
        elif target == USER:
            people = User.objects.filter(pk__in=ids).only("name", "email")
            names[target] = {u.pk: u.display_name for u in people}
        else:
            found = MODELS[target].objects.filter(pk__in=ids).values_list("pk", "name")
            names[target] = dict(found)
    return names


def listing(words: list[str], joiner: str = "and") -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def _name(names: Names, target: str, pk: Any) -> str:
    return names.get(target, {}).get(pk, f"#{pk} (deleted)")


def hours_text(hours: float) -> str:
    """0.5 -> "30 minutes"; 72 -> "72 hours"; 1.25 -> "1.25 hours"."""
    if hours < 1:
        minutes = round(hours * 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    shown = f"{hours:,.2f}".rstrip("0").rstrip(".")
    return f"{shown} hour{'s' if hours != 1 else ''}"


def when_text(rule: Trigger | TimeRule) -> str:
    """When the rule runs, in words."""
    if isinstance(rule, Trigger):
        return EVENT_LABELS.get(rule.event, rule.event)
    since = SINCE_LABELS.get(rule.since, rule.since)
    kind = " business" if rule.business_hours else ""
    text = hours_text(rule.hours)
    if kind:
        text = text.replace(" hour", " business hour").replace(" minute", " business minute")
    return f"{text} after {since}"


def _condition_text(item: dict[str, Any], catalogue: RuleCatalogue, names: Names) -> str:
    name, op, value = item.get("field", ""), item.get("operator", ""), item.get("value")
    choice = catalogue.fields.get(name)
    label = choice.label if choice else str(name)
    op_label = choice.operator_label(op) if choice else op.replace("_", " ")
    if op == "matches":
        return f"{label} matches /{value}/"
    if op in ("is_empty", "changed"):
        return f"{label} {op_label}"
    values = value if isinstance(value, list) else [value]
    target = choice.field.refers_to if choice else ""
    if target in MODELS:
        words = [_name(names, target, v) if isinstance(v, int) else str(v) for v in values]
    elif choice is not None and choice.field.choices:
        words = [choice_label(str(v)) for v in values]
    elif choice is not None and choice.field.kind == "bool":
        words = ["yes" if v else "no" for v in values]
    else:
        words = [str(v) for v in values]
    return f"{label} {op_label} {', '.join(words)}"


def rule_conditions_text(conditions: dict[str, Any], catalogue: RuleCatalogue, names: Names) -> str:
    every = [_condition_text(i, catalogue, names) for i in conditions.get("all", [])]
    some = [_condition_text(i, catalogue, names) for i in conditions.get("any", [])]
    text = " and ".join(every)
    if some:
        either = " or ".join(some)
        text = f"{text}, and {either}" if text else either
    return text or "Every ticket"


def _notify_text(value: Any, names: Names) -> str:
    to = value.get("to", []) if isinstance(value, dict) else []
    words = [
        {"assignee": "the assignee", "group": "the group", "group_lead": "the group lead"}[t]
        for t in to
        if t in ("assignee", "group", "group_lead")
    ]
    words += [_name(names, USER, t) for t in _ids(to)]
    return f"notify {listing(words)}"


def _mail_text(value: Any) -> str:
    value = value if isinstance(value, dict) else {}
    to = str(value.get("to", ""))
    who = MAIL_TO_LABELS.get(to, to).lower() if to != "other" else to
    if value.get("template"):
        return f"e-mail {who} the {value['template']}"
    return f"e-mail {who}: “{value.get('subject', '')}”"


def _assignee_text(value: Any, names: Names) -> str:
    if value is None:
        return "unassign"
    if value in ROUTING_LABELS:
        return f"assign by {value.replace('_', '-')} routing"
    return f"assign to {_name(names, USER, value)}"


def _action_text(action: dict[str, Any], names: Names) -> str:
    kind, value = action.get("action"), action.get("value")
    if kind in ("set_status", "set_priority", "set_type"):
        return f"set {str(kind).removeprefix('set_')} to {choice_label(str(value)).lower()}"
    if kind in ("add_tags", "remove_tags") and isinstance(value, list):
        verb = "add" if kind == "add_tags" else "remove"
        return f"{verb} tag{'s' if len(value) != 1 else ''} {', '.join(map(str, value))}"
    if kind == "set_field" and isinstance(value, dict):
        return f"set {value.get('key')} to {value.get('value')}"
    texts = {
        "set_group": lambda: f"move to {_name(names, GROUP, value)}",
        "set_assignee": lambda: _assignee_text(value, names),
        "add_note": lambda: "add an internal note",
        "send_email": lambda: _mail_text(value),
        "notify": lambda: _notify_text(value, names),
        "webhook": lambda: (
            "call webhook "
            + _name(names, WEBHOOK, value.get("endpoint") if isinstance(value, dict) else value)
        ),
        "apply_macro": lambda: f"apply macro {_name(names, MACRO, value)}",
    }
    found = texts.get(str(kind))
    return found() if found else str(kind)


def does_text(actions: list[dict[str, Any]], names: Names) -> str:
    """What the rule does, in words: its actions joined by semicolons."""
    return "; ".join(_action_text(a, names) for a in actions) or "nothing"
