"""The time-rule pass: every few minutes, each enabled rule's tickets whose period
(pending since, solved since, last customer message...) is old enough, selected in the
database, then checked in Python for what only Python can check (regular expressions,
business hours), and fired once per (rule, ticket, start of the period).

The once is a unique row written in the same transaction as the actions: a second
worker running the same pass waits on the row and then skips the ticket, so two workers
never fire a rule twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from supportdesk.automation.models import TimeRule, TimeRuleFired
from supportdesk.automation.run import RuleRun, run_actions
from supportdesk.conditions.compile import matches, to_q
from supportdesk.conditions.fields import PYTHON_ONLY, field_named
from supportdesk.tickets.models import Status, Ticket

log = logging.getLogger(__name__)

# What each `since` counts from, and the status it implies.
ANCHORS: dict[str, tuple[str, str | None]] = {
    "created": ("created_at", None),
    "updated": ("updated_at", None),
    "status": ("status_changed_at", None),
    "pending": ("status_changed_at", Status.PENDING),
    "solved": ("solved_at", Status.SOLVED),
    "customer_message": ("customer_replied_at", None),
}
CHUNK = 500


def _python_only(condition: dict[str, Any]) -> bool:
    field = field_named(condition["field"])
    return condition["operator"] in PYTHON_ONLY or field is None or field.event_only


def split_conditions(conditions: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The part of the conditions the database can run, and whether a Python-only part
    is left (then every candidate is also checked in Python)."""
    all_items = [c for c in conditions.get("all", []) if not _python_only(c)]
    any_items = conditions.get("any", [])
    python_any = any(_python_only(c) for c in any_items)
    rest = len(all_items) != len(conditions.get("all", [])) or python_any
    return {"all": all_items, "any": [] if python_any else any_items}, rest


def candidates(rule: TimeRule, now: datetime) -> QuerySet[Ticket]:
    """Tickets not closed whose period began at least `hours` calendar hours ago (an
    upper bound of business hours), that meet the database part of the conditions and
    have not had this rule for this period."""
    column, status = ANCHORS[rule.since]
    tickets = Ticket.objects.filter(deleted_at=None).exclude(status=Status.CLOSED)
    if status is not None:
        tickets = tickets.filter(status=status)
    database_part, _ = split_conditions(rule.conditions)
    fired = TimeRuleFired.objects.filter(
        rule=rule, ticket=OuterRef("pk"), window_start=OuterRef(column)
    )
    return (
        tickets.filter(**{f"{column}__lte": now - timedelta(hours=rule.hours)})
        .filter(to_q(database_part, now=now))
        .filter(~Exists(fired))
        .select_related("requester", "group", "assignee")
        .order_by(column, "number")
    )


def _business_hours_since(ticket: Ticket, start: datetime, now: datetime) -> float:
    from supportdesk.sla.businesstime import business_minutes_between
    from supportdesk.sla.models import GroupCalendar
    from supportdesk.sla.services import calendar_for, schedule_of

    sla = getattr(ticket, "sla", None)
    policy = sla.policy if sla is not None else None
    if policy is not None:
        calendar = calendar_for(ticket, policy)
    elif ticket.group_id is not None:
        link = GroupCalendar.objects.filter(group_id=ticket.group_id).select_related("calendar")
        found = link.first()
        calendar = found.calendar if found else None
    else:
        calendar = None
    return business_minutes_between(schedule_of(calendar), start, now) / 60


def _due(rule: TimeRule, ticket: Ticket, start: datetime, now: datetime, check: bool) -> bool:
    if check and not matches(ticket, rule.conditions, now=now):
        return False
    return not rule.business_hours or _business_hours_since(ticket, start, now) >= rule.hours


def fire(rule: TimeRule, ticket: Ticket, start: datetime) -> bool:
    """Record the firing and run the actions in one transaction; False when another
    worker fired it first."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                TimeRuleFired.objects.create(rule=rule, ticket=ticket, window_start=start)
        except IntegrityError:
            return False
        run_actions(rule.actions, ticket, RuleRun(rule.name, "time_rule"))
    return True


def run_rule(rule: TimeRule, now: datetime, limit: int | None = None) -> int:
    column, _ = ANCHORS[rule.since]
    _, check = split_conditions(rule.conditions)
    fired = 0
    for ticket in candidates(rule, now)[:limit].iterator(chunk_size=CHUNK):
        start = getattr(ticket, column)
        if start is None or not _due(rule, ticket, start, now, check):
            continue
        try:
            fired += fire(rule, ticket, start)
        except Exception:
            log.exception("time rule %r on ticket %s failed", rule.name, ticket.pk)
    return fired


def run_time_rules(now: datetime | None = None) -> dict[str, int]:
    """One pass of every enabled time rule, in order; how many tickets each fired on."""
    now = now or timezone.now()
    return {
        rule.name: run_rule(rule, now)
        for rule in TimeRule.objects.filter(enabled=True).order_by("position", "id")
    }
