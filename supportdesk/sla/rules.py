"""The only writers of escalation, stalled-ticket and emergency rules.

Each rule has conditions in the one condition language (context "policy") and, for
escalation and stalled rules, a list of actions validated here, so the engine
(`escalations.py`) can trust what it reads:

    {"action": "notify", "value": {"to": ["assignee", "group_lead", 12]}}
    {"action": "webhook", "value": 3}          # a WebhookEndpoint id
    {"action": "set_priority", "value": "high"}
    {"action": "set_group", "value": 5}        # a Group id
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from supportdesk.accounts.models import STAFF_ROLES, Group, User
from supportdesk.accounts.services import require_admin
from supportdesk.conditions.validate import validate
from supportdesk.lib.errors import DomainError
from supportdesk.sla.models import TARGETS, EmergencyRule, EscalationRule, StalledRule
from supportdesk.tickets.models import Priority
from supportdesk.webhooks.models import WebhookEndpoint

ACTIONS = ("notify", "webhook", "set_priority", "set_group")
RECIPIENTS = ("assignee", "group_lead")
WHEN = ("before", "after")
MAX_ACTIONS = 20
MAX_PEOPLE = 50


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _agent_ids(ids: Any, where: str) -> list[int]:
    """Ids of active agents; a customer or unknown id is refused by name."""
    if not isinstance(ids, list) or len(ids) > MAX_PEOPLE or not all(_is_id(i) for i in ids):
        raise DomainError(f"{where}: a list of at most {MAX_PEOPLE} agent ids")
    found = set(
        User.objects.filter(pk__in=ids, role__in=STAFF_ROLES, is_active=True).values_list(
            "pk", flat=True
        )
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise DomainError(f"{where}: {missing[0]} is not an active agent")
    return list(dict.fromkeys(ids))


def _clean_notify(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not isinstance(value.get("to"), list) or not value["to"]:
        raise DomainError(f'{where}: {{"to": ["assignee", "group_lead", <agent id>...]}}')
    roles = [t for t in value["to"] if isinstance(t, str)]
    bad = [t for t in roles if t not in RECIPIENTS]
    if bad:
        raise DomainError(f"{where}.to: {bad[0]!r} is not assignee, group_lead or an agent id")
    ids = _agent_ids([t for t in value["to"] if not isinstance(t, str)], f"{where}.to")
    # Channels are each agent's own preference (in app, e-mail, digest): not chosen here.
    return {"to": list(dict.fromkeys(roles)) + ids}


def _clean_action(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict) or set(item) - {"action", "value"}:
        raise DomainError(f'{where}: {{"action": ..., "value": ...}}')
    action: Any = item.get("action")
    value: Any = item.get("value")
    if action not in ACTIONS:
        raise DomainError(f"{where}.action: unknown action {action!r}; use {', '.join(ACTIONS)}")
    if action == "notify":
        value = _clean_notify(value, f"{where}.value")
    elif action == "webhook":
        if not _is_id(value) or not WebhookEndpoint.objects.filter(pk=value).exists():
            raise DomainError(f"{where}.value: no webhook endpoint with id {value!r}")
    elif action == "set_priority":
        if value not in Priority.values:
            raise DomainError(
                f"{where}.value: priority {value!r} is not one of {', '.join(Priority.values)}"
            )
    elif not _is_id(value) or not Group.objects.filter(pk=value).exists():
        raise DomainError(f"{where}.value: no group with id {value!r}")
    return {"action": action, "value": value}


def clean_actions(actions: Any) -> list[dict[str, Any]]:
    if not isinstance(actions, list) or not actions or len(actions) > MAX_ACTIONS:
        raise DomainError(f"actions: a list of 1 to {MAX_ACTIONS} actions")
    return [_clean_action(item, f"actions[{i}]") for i, item in enumerate(actions)]


def clean_rule_name(model: type[models.Model], name: str, current: models.Model | None) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise DomainError("name: between 1 and 100 characters")
    others = model._default_manager.filter(name=name)
    if current is not None:
        others = others.exclude(pk=current.pk)
    if others.exists():
        raise DomainError(f"name: a rule named {name!r} exists")
    return name


def rule_position(model: type[models.Model], position: int | None, rule: Any) -> int:
    if position is not None:
        if position < 0:
            raise DomainError("position: 0 or more")
        return position
    if rule.pk is not None:
        return int(rule.position)
    last = model._default_manager.order_by("-position").values_list("position", flat=True)
    return int(last.first() or 0) + 1


def _whole(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(f"{field}: whole number between {low} and {high:,}")
    return value


@transaction.atomic
def save_escalation_rule(
    *,
    by: User,
    rule: EscalationRule | None = None,
    name: str,
    target: str = "any",
    when: str = "before",
    minutes: Any = 0,
    conditions: Any = None,
    actions: Any = None,
    position: int | None = None,
    enabled: bool = True,
) -> EscalationRule:
    require_admin(by)
    rule = rule or EscalationRule()
    rule.name = clean_rule_name(EscalationRule, name, rule if rule.pk else None)
    if target not in (*TARGETS, "any"):
        raise DomainError(f"target: one of {', '.join(TARGETS)} or any")
    if when not in WHEN:
        raise DomainError("when: before or after the breach")
    rule.target, rule.when = target, when
    rule.minutes = _whole(minutes, "minutes", 0, 525_600)
    rule.conditions = validate(conditions or {"all": [], "any": []}, context="policy")
    rule.actions = clean_actions(actions)
    rule.position = rule_position(EscalationRule, position, rule)
    rule.enabled = enabled
    rule.save()
    return rule


@transaction.atomic
def save_stalled_rule(
    *,
    by: User,
    rule: StalledRule | None = None,
    name: str,
    hours: Any,
    conditions: Any = None,
    actions: Any = None,
    position: int | None = None,
    enabled: bool = True,
) -> StalledRule:
    require_admin(by)
    rule = rule or StalledRule()
    rule.name = clean_rule_name(StalledRule, name, rule if rule.pk else None)
    rule.hours = _whole(hours, "hours", 1, 8_760)
    rule.conditions = validate(conditions or {"all": [], "any": []}, context="policy")
    rule.actions = clean_actions(actions)
    rule.position = rule_position(StalledRule, position, rule)
    rule.enabled = enabled
    rule.save()
    return rule


@transaction.atomic
def save_emergency_rule(
    *,
    by: User,
    rule: EmergencyRule | None = None,
    name: str,
    conditions: Any,
    notify: Any = None,
    webhook: WebhookEndpoint | None = None,
    repeat_minutes: Any = 15,
    position: int | None = None,
    enabled: bool = True,
) -> EmergencyRule:
    require_admin(by)
    rule = rule or EmergencyRule()
    rule.name = clean_rule_name(EmergencyRule, name, rule if rule.pk else None)
    clean = validate(conditions or {"all": [], "any": []}, context="policy")
    if not clean.get("all") and not clean.get("any"):
        # No conditions would page everyone about every open ticket.
        raise DomainError("conditions: say what an emergency is (e.g. tags contain outage)")
    rule.conditions = clean
    rule.notify = _agent_ids(notify if notify is not None else [], "notify")
    if not rule.notify and webhook is None:
        raise DomainError("notify: name at least one agent, or a webhook")
    rule.webhook = webhook
    rule.repeat_minutes = _whole(repeat_minutes, "repeat_minutes", 1, 10_080)
    rule.position = rule_position(EmergencyRule, position, rule)
    rule.enabled = enabled
    rule.save()
    return rule


def delete_rule(rule: EscalationRule | StalledRule | EmergencyRule, *, by: User) -> None:
    """Delete a rule with its record of what it fired (and, for emergencies, raised)."""
    require_admin(by)
    rule.delete()


@transaction.atomic
def move_rule(rule: Any, *, by: User, offset: int) -> None:
    """Move a rule `offset` places earlier (negative) or later among the rules of its kind,
    numbering them all 1..n so that equal positions cannot tie."""
    require_admin(by)
    rows = type(rule)._default_manager.select_for_update().order_by("position", "id")
    positions = dict(rows.values_list("pk", "position"))
    ids = list(positions)
    if rule.pk not in positions:
        raise DomainError("rule: no such rule")
    old = ids.index(rule.pk)
    ids.insert(max(0, min(len(ids) - 1, old + offset)), ids.pop(old))
    for position, pk in enumerate(ids, start=1):
        if positions[pk] != position:
            type(rule)._default_manager.filter(pk=pk).update(position=position)
