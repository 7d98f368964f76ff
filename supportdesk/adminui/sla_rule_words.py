"""The SLA rules in words for their list page: when a rule fires ("30 min before first
reply is due") and what it does ("notify the assignee and Ann Agent; move to Billing").

The names of the groups, people, organizations and webhook endpoints that the rules
refer to by id are read in one query per kind for the whole page (`ref_names`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from supportdesk.accounts.models import Group, Organization, User
from supportdesk.adminui.views.sla import duration
from supportdesk.agent.view_editor_rows import PARTS, Catalogue
from supportdesk.sla.models import EmergencyRule, EscalationRule, StalledRule
from supportdesk.webhooks.models import WebhookEndpoint

GROUP, USER, ORG, WEBHOOK = (
    "accounts.Group",
    "accounts.User",
    "accounts.Organization",
    "webhooks.WebhookEndpoint",
)
TARGET_WORDS = {
    "any": "any target",
    "first_reply": "first reply",
    "next_reply": "next reply",
    "periodic_update": "periodic update",
    "resolution": "resolution",
}
Names = dict[str, dict[int, str]]
Rule = EscalationRule | StalledRule | EmergencyRule


def _ids(value: Any) -> list[int]:
    found = value if isinstance(value, list) else [value]
    return [i for i in found if isinstance(i, int) and not isinstance(i, bool)]


def _wanted(rules: Iterable[Rule], catalogue: Catalogue) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = {GROUP: set(), USER: set(), ORG: set(), WEBHOOK: set()}
    for rule in rules:
        for part in PARTS:
            for item in (rule.conditions or {}).get(part, []):
                choice = catalogue.fields.get(item.get("field", ""))
                target = choice.field.refers_to if choice else None
                if target in wanted:
                    wanted[target].update(_ids(item.get("value")))
        if isinstance(rule, EmergencyRule):
            wanted[USER].update(_ids(rule.notify))
            continue
        for action in rule.actions or []:
            kind, value = action.get("action"), action.get("value")
            if kind == "notify" and isinstance(value, dict):
                wanted[USER].update(_ids(value.get("to")))
            elif kind in ("set_group", "webhook"):
                wanted[GROUP if kind == "set_group" else WEBHOOK].update(_ids(value))
    return wanted


def ref_names(rules: Iterable[Rule], catalogue: Catalogue) -> Names:
    """Names by model label and id of everything the rules name; a query per kind used."""
    names: Names = {}
    for target, ids in _wanted(rules, catalogue).items():
        if not ids:
            names[target] = {}
        elif target == USER:
            people = User.objects.filter(pk__in=ids).only("name", "email")
            names[target] = {u.pk: u.display_name for u in people}
        else:
            model: Any = {GROUP: Group, ORG: Organization, WEBHOOK: WebhookEndpoint}[target]
            names[target] = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
    return names


def listing(words: list[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _name(names: Names, target: str, pk: Any) -> str:
    return names.get(target, {}).get(pk, f"#{pk} (deleted)")


def when_text(rule: Rule) -> str:
    """When the rule fires, in words."""
    if isinstance(rule, StalledRule):
        unit = "business hour" if rule.hours == 1 else "business hours"
        return f"no agent update for {rule.hours} {unit}"
    if isinstance(rule, EmergencyRule):
        return f"repeat every {duration(rule.repeat_minutes)} until acknowledged"
    target = TARGET_WORDS.get(rule.target, rule.target)
    event = "is due" if rule.when == "before" else "is breached"
    if not rule.minutes:
        return f"when {target} {event}"
    return f"{duration(rule.minutes)} {rule.when} {target} {event}"


def _notify_text(to: list[Any], names: Names) -> str:
    words = [
        "the assignee" if t == "assignee" else "the group lead"
        for t in to
        if t in ("assignee", "group_lead")
    ]
    words += [_name(names, USER, t) for t in _ids(to)]
    return f"notify {listing(words)}"


def _action_text(action: dict[str, Any], names: Names) -> str:
    kind, value = action.get("action"), action.get("value")
    if kind == "notify":
        return _notify_text((value or {}).get("to", []) if isinstance(value, dict) else [], names)
    if kind == "set_priority":
        verb = "raise" if value in ("high", "urgent") else "set"
        return f"{verb} priority to {value}"
    if kind == "set_group":
        return f"move to {_name(names, GROUP, value)}"
    if kind == "webhook":
        return f"webhook {_name(names, WEBHOOK, value)}"
    return str(kind)


def does_text(rule: Rule, names: Names) -> str:
    """What the rule does, in words: its actions joined by semicolons."""
    if isinstance(rule, EmergencyRule):
        parts = [_notify_text(list(rule.notify), names)] if rule.notify else []
        if rule.webhook_id is not None:
            parts.append(f"webhook {_name(names, WEBHOOK, rule.webhook_id)}")
        return "; ".join(parts) or "nothing (no agent or webhook)"
    return "; ".join(_action_text(a, names) for a in rule.actions or []) or "nothing"
