"""What admins see before they switch a rule on: how many open tickets it would match
now, and a dry run on one ticket that shows what it would change, saving nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from supportdesk.automation.actions import describe_changes, planned_changes, routing_of
from supportdesk.automation.models import TimeRule, Trigger
from supportdesk.automation.timerules import ANCHORS, candidates, split_conditions
from supportdesk.conditions.compile import matches, to_q
from supportdesk.conditions.fields import field_named
from supportdesk.tickets.models import Status, Ticket

# Python-only conditions are checked on at most this many tickets; beyond, "at least".
SAMPLE_LIMIT = 2000
OPEN = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


@dataclass
class MatchCount:
    count: int
    exact: bool  # False: "at least", when Python-only conditions were sampled


@dataclass
class DryRun:
    matches: bool
    reason: str
    lines: list[str] = field(default_factory=list)


def would_match(conditions: dict[str, Any], *, now: datetime | None = None) -> MatchCount:
    """Open tickets (not in the trash) that meet the conditions now. Event operators
    (changed...) and who caused the event (actor_role) are left out: they depend on an
    event."""
    now = now or timezone.now()
    plain = {
        part: [c for c in conditions.get(part, []) if not _of_an_event(c)]
        for part in ("all", "any")
    }
    database_part, check = split_conditions(plain)
    tickets = Ticket.objects.filter(status__in=OPEN, deleted_at=None).filter(
        to_q(database_part, now=now)
    )
    if not check:
        return MatchCount(tickets.count(), True)
    sample = list(tickets.select_related("requester").order_by("-number")[: SAMPLE_LIMIT + 1])
    found = sum(1 for t in sample[:SAMPLE_LIMIT] if matches(t, plain, now=now))
    return MatchCount(found, len(sample) <= SAMPLE_LIMIT)


def _of_an_event(condition: dict[str, Any]) -> bool:
    """What changed, and who caused it: known only while an event is handled."""
    field = field_named(condition["field"])
    return condition["operator"].startswith("changed") or field is None or field.event_only


def time_rule_matches(rule: TimeRule, *, now: datetime | None = None) -> MatchCount:
    """Tickets the next pass would fire this rule on (calendar hours; business hours
    and Python-only conditions checked on a sample)."""
    now = now or timezone.now()
    tickets = candidates(rule, now)
    _, check = split_conditions(rule.conditions)
    if not check and not rule.business_hours:
        return MatchCount(tickets.count(), True)
    sample = list(tickets[: SAMPLE_LIMIT + 1])
    column, _ = ANCHORS[rule.since]
    found = sum(
        1
        for t in sample[:SAMPLE_LIMIT]
        if (not check or matches(t, rule.conditions, now=now))
        and (not rule.business_hours or _enough_business_hours(rule, t, column, now))
    )
    return MatchCount(found, len(sample) <= SAMPLE_LIMIT)


def _enough_business_hours(rule: TimeRule, ticket: Ticket, column: str, now: datetime) -> bool:
    from supportdesk.automation.timerules import _business_hours_since

    return _business_hours_since(ticket, getattr(ticket, column), now) >= rule.hours


def dry_run(rule: Trigger | TimeRule, ticket: Ticket) -> DryRun:
    """Whether `rule` matches `ticket` now and the changes and actions it would make.
    A trigger is tried as if its event happened now, caused by the requester, with no
    property changing (so `changed...` conditions do not hold). Saves nothing."""
    reason = ""
    if isinstance(rule, Trigger):
        changed = sorted(
            {
                c["field"]
                for part in ("all", "any")
                for c in rule.conditions.get(part, [])
                if c["operator"].startswith("changed")
            }
        )
        if changed:
            reason = f"it needs a change of {', '.join(changed)}, which a dry run has not; "
        ticket.__dict__["_automation_actor_role"] = "customer"
    hit = matches(ticket, rule.conditions)
    reason += "conditions hold" if hit else "conditions do not hold"
    return DryRun(hit, reason, _lines(rule.actions, ticket))


def _lines(actions: list[dict[str, Any]], ticket: Ticket) -> list[str]:
    lines = describe_changes(ticket, planned_changes(actions, ticket))
    strategy = routing_of(actions)
    if strategy:
        lines.append(f"Assignee: chosen by {strategy.replace('_', '-')} routing")
    for item in actions:
        name, value = item["action"], item["value"]
        if name == "add_note":
            lines.append("Adds an internal note")
        elif name == "send_email":
            lines.append(f"Sends an e-mail to {value['to']}")
        elif name == "notify":
            lines.append(f"Notifies {', '.join(str(t) for t in value['to'])}")
        elif name == "webhook":
            lines.append(f"Calls webhook endpoint {value['endpoint']}")
        elif name == "apply_macro":
            lines.append(f"Applies macro {value}")
    return lines
