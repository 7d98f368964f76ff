"""The only writers of triggers and time rules (macros: `macros.py`; routing settings:
`routing.py`). Conditions and actions are checked here, when saved, never at run time."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.accounts.services import require_admin
from supportdesk.automation.actions import TRIGGER_ACTIONS, clean_actions
from supportdesk.automation.engine import forget
from supportdesk.automation.models import EVENTS, SINCE, TimeRule, Trigger
from supportdesk.conditions.validate import validate
from supportdesk.lib.errors import DomainError
from supportdesk.sla.rules import clean_rule_name, move_rule, rule_position

MAX_HOURS = 24 * 366
MAX_DESCRIPTION = 2000


def _description(text: Any) -> str:
    text = (text or "").strip() if isinstance(text, str) else None
    if text is None or len(text) > MAX_DESCRIPTION:
        raise DomainError(f"description: text of at most {MAX_DESCRIPTION:,} characters")
    return text


@transaction.atomic
def save_trigger(
    *,
    by: User,
    trigger: Trigger | None = None,
    name: str,
    event: str,
    conditions: Any = None,
    actions: Any = None,
    position: int | None = None,
    enabled: bool = True,
    description: str = "",
) -> Trigger:
    require_admin(by)
    trigger = trigger or Trigger()
    trigger.name = clean_rule_name(Trigger, name, trigger if trigger.pk else None)
    if event not in EVENTS:
        raise DomainError(f"event: one of {', '.join(EVENTS)}")
    trigger.event = event
    trigger.conditions = validate(conditions or {"all": [], "any": []}, context="event")
    trigger.actions = clean_actions(actions, allowed=TRIGGER_ACTIONS)
    trigger.position = rule_position(Trigger, position, trigger)
    trigger.enabled = bool(enabled)
    trigger.description = _description(description)
    trigger.updated_at = timezone.now()
    trigger.save()
    return trigger


@transaction.atomic
def save_time_rule(
    *,
    by: User,
    rule: TimeRule | None = None,
    name: str,
    since: str,
    hours: Any,
    business_hours: bool = False,
    conditions: Any = None,
    actions: Any = None,
    position: int | None = None,
    enabled: bool = True,
    description: str = "",
) -> TimeRule:
    require_admin(by)
    rule = rule or TimeRule()
    rule.name = clean_rule_name(TimeRule, name, rule if rule.pk else None)
    if since not in SINCE:
        raise DomainError(f"since: one of {', '.join(SINCE)}")
    if isinstance(hours, bool) or not isinstance(hours, int | float):
        raise DomainError("hours: a number")
    if not 0.05 <= hours <= MAX_HOURS:
        raise DomainError(f"hours: between 0.05 (3 minutes) and {MAX_HOURS:,}")
    rule.since, rule.hours, rule.business_hours = since, float(hours), bool(business_hours)
    # Time rules are selected in the database and checked in Python: "policy" allows
    # regular expressions but not the event operators (nothing "changed" on a clock).
    rule.conditions = validate(conditions or {"all": [], "any": []}, context="policy")
    rule.actions = clean_actions(actions, allowed=TRIGGER_ACTIONS)
    rule.position = rule_position(TimeRule, position, rule)
    rule.enabled = bool(enabled)
    rule.description = _description(description)
    rule.updated_at = timezone.now()
    rule.save()
    return rule


def delete_rule(rule: Trigger | TimeRule, *, by: User) -> None:
    require_admin(by)
    rule.delete()


def move(rule: Trigger | TimeRule, *, by: User, offset: int) -> None:
    """Move a rule `offset` places earlier (negative) or later among its kind."""
    move_rule(rule, by=by, offset=offset)
    # Positions are written with update(), which sends no post_save: clear the
    # trigger engine's copy here.
    forget()
