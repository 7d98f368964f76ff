"""/api/v1/triggers and /api/v1/time-rules: the rules that act on tickets by themselves.
Agents read them; admins create, change, order and delete them, and try them on a ticket
(`POST /{id}/dry-run`, which saves nothing). `GET /{id}/matches` says how many tickets a
rule selects now.

Conditions are the one condition language; actions are described in
`automation/actions.py`. Both are checked when saved: an unknown field, operator, action or
reference is a 400 naming it, never an error later when the rule runs.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status as Answer
from pydantic import Field

from supportdesk.api.auth import caller, require_agent
from supportdesk.api.paths import ObjectId
from supportdesk.api.schemas import MAX_ID, Input, Out, PageQuery, Patch, errors
from supportdesk.api.transactions import atomic
from supportdesk.automation import services
from supportdesk.automation.actions import MAX_ACTIONS, TRIGGER_ACTIONS
from supportdesk.automation.models import EVENTS, TimeRule, Trigger
from supportdesk.automation.rule_forms import (
    USABLE_SINCE,
    check_since,
    count_matches,
    try_on_ticket,
)
from supportdesk.lib.errors import NotFound, PermissionDenied
from supportdesk.lib.pagination import keyset_page
from supportdesk.tickets.queries import access_ticket

trigger_router = Router(tags=["automation"])
time_rule_router = Router(tags=["automation"])
ERRORS = errors(400, 403, 404)
Conditions = dict[str, Any]
Actions = list[dict[str, Any]]
MAX_POSITION = 100_000
MAX_DESCRIPTION = services.MAX_DESCRIPTION

CONDITIONS_HELP = (
    'the condition language: {"all": [{"field", "operator", "value"}...], "any": [...]}; '
    "triggers may use changed, changed_to, changed_from and matches; time rules matches"
)
ACTIONS_HELP = f'[{{"action": ..., "value": ...}}], 1 to {MAX_ACTIONS}: ' + ", ".join(
    TRIGGER_ACTIONS
)


def _no_conditions() -> dict[str, Any]:
    return {"all": [], "any": []}


# Schemas --------------------------------------------------------------------------------


class RuleIn(Input):
    name: str = Field(min_length=1, max_length=100)
    position: int | None = Field(None, ge=0, le=MAX_POSITION, description="default: last")
    enabled: bool = True
    conditions: Conditions = Field(default_factory=_no_conditions, description=CONDITIONS_HELP)
    actions: Actions = Field(max_length=MAX_ACTIONS, description=ACTIONS_HELP)
    description: str = Field("", max_length=MAX_DESCRIPTION)


class TriggerIn(RuleIn):
    event: str = Field(max_length=40, description=", ".join(EVENTS))


class TimeRuleIn(RuleIn):
    since: str = Field(max_length=40, description=", ".join(USABLE_SINCE))
    # Strict: true or "3" are no hours, whatever pydantic would make of them.
    hours: float = Field(
        strict=True, allow_inf_nan=False, description="hours after `since`; 0.05 or more"
    )
    business_hours: bool = Field(False, description="count business hours of the calendar")


class RulePatch(Patch):
    name: str | None = Field(None, min_length=1, max_length=100)
    position: int | None = Field(None, ge=0, le=MAX_POSITION)
    enabled: bool | None = None
    conditions: Conditions | None = None
    actions: Actions | None = Field(None, max_length=MAX_ACTIONS)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)


class TriggerPatch(RulePatch):
    event: str | None = Field(None, max_length=40)


class TimeRulePatch(RulePatch):
    since: str | None = Field(None, max_length=40)
    hours: float | None = Field(None, strict=True, allow_inf_nan=False)
    business_hours: bool | None = None


class TriggerOut(Out):
    id: int
    name: str
    position: int
    enabled: bool
    event: str
    conditions: Conditions
    actions: Actions
    description: str
    created_at: str
    updated_at: str


class TimeRuleOut(Out):
    id: int
    name: str
    position: int
    enabled: bool
    since: str
    hours: float
    business_hours: bool
    conditions: Conditions
    actions: Actions
    description: str
    created_at: str
    updated_at: str


class TriggerPage(Out):
    items: list[TriggerOut]
    next: str | None


class TimeRulePage(Out):
    items: list[TimeRuleOut]
    next: str | None


class RuleQuery(PageQuery):
    enabled: bool | None = Field(None, description="only enabled (true) or disabled (false)")


class TriggerQuery(RuleQuery):
    event: str | None = Field(None, max_length=40, description="only rules of this event")


class MoveIn(Input):
    offset: int = Field(ge=-MAX_POSITION, le=MAX_POSITION, description="-1: one place earlier")


class MatchesOut(Out):
    count: int
    exact: bool = Field(description="false: at least `count` (checked on a sample)")


class DryRunIn(Input):
    ticket: int = Field(ge=1, le=MAX_ID, description="the ticket number")


class DryRunOut(Out):
    matches: bool
    reason: str
    lines: list[str] = Field(description="what it would change and do, one line each")


def trigger_out(t: Trigger) -> TriggerOut:
    return TriggerOut(
        id=t.pk,
        name=t.name,
        position=t.position,
        enabled=t.enabled,
        event=t.event,
        conditions=t.conditions,
        actions=t.actions,
        description=t.description,
        created_at=t.created_at.isoformat(),
        updated_at=t.updated_at.isoformat(),
    )


def time_rule_out(r: TimeRule) -> TimeRuleOut:
    return TimeRuleOut(
        id=r.pk,
        name=r.name,
        position=r.position,
        enabled=r.enabled,
        since=r.since,
        hours=r.hours,
        business_hours=r.business_hours,
        conditions=r.conditions,
        actions=r.actions,
        description=r.description,
        created_at=r.created_at.isoformat(),
        updated_at=r.updated_at.isoformat(),
    )


# Shared by both kinds -------------------------------------------------------------------


def _get_trigger(pk: int) -> Trigger:
    found = Trigger.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound("no such trigger")
    return found


def _get_time_rule(pk: int) -> TimeRule:
    found = TimeRule.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound("no such time rule")
    return found


def _reader(request: HttpRequest) -> Any:
    user = caller(request)
    require_agent(user)
    return user


def _admin(request: HttpRequest) -> Any:
    """Dry runs show what a rule would write (notes, mails): admins' business. Writes
    are checked again by the services."""
    user = caller(request)
    if not user.is_admin:
        raise PermissionDenied("only admins may do this")
    return user


def _kept(rule: Trigger | TimeRule) -> dict[str, Any]:
    """A rule's current values, so that a PATCH changes only what it sends. Position is
    left out: an unchanged rule keeps its place (and moves do not race a PATCH)."""
    return {
        "name": rule.name,
        "enabled": rule.enabled,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "description": rule.description,
    }


def _dry_run(request: HttpRequest, rule: Trigger | TimeRule, data: DryRunIn) -> DryRunOut:
    user = _admin(request)
    ticket = access_ticket(user, data.ticket)
    result = try_on_ticket(rule, ticket)
    return DryRunOut(matches=result.matches, reason=result.reason, lines=result.lines)


def _page(qs: Any, filters: RuleQuery) -> tuple[list[Any], str | None]:
    if filters.enabled is not None:
        qs = qs.filter(enabled=filters.enabled)
    return keyset_page(qs, order=("position", "id"), limit=filters.limit, cursor=filters.cursor)


# Triggers -------------------------------------------------------------------------------


def _save_trigger(request: HttpRequest, data: dict[str, Any], rule: Trigger | None) -> Trigger:
    kept = {**_kept(rule), "event": rule.event} if rule else {}
    values = {**kept, **data}
    return services.save_trigger(by=caller(request), trigger=rule, **values)


@trigger_router.get("", response={200: TriggerPage, **ERRORS})
def list_triggers(request: HttpRequest, filters: Query[TriggerQuery]) -> TriggerPage:
    """Triggers in the order they run (position, then id)."""
    _reader(request)
    qs = Trigger.objects.all()
    if filters.event is not None:
        qs = qs.filter(event=filters.event)
    rows, next_cursor = _page(qs, filters)
    return TriggerPage(items=[trigger_out(t) for t in rows], next=next_cursor)


@trigger_router.post("", response={201: TriggerOut, **ERRORS})
@atomic
def create_trigger(request: HttpRequest, data: TriggerIn) -> Answer[TriggerOut]:
    return Answer(201, trigger_out(_save_trigger(request, data.model_dump(), None)))


@trigger_router.get("/{rule_id}", response={200: TriggerOut, **ERRORS})
def read_trigger(request: HttpRequest, rule_id: ObjectId) -> TriggerOut:
    _reader(request)
    return trigger_out(_get_trigger(rule_id))


@trigger_router.put("/{rule_id}", response={200: TriggerOut, **ERRORS})
@atomic
def replace_trigger(request: HttpRequest, rule_id: ObjectId, data: TriggerIn) -> TriggerOut:
    """Every field as sent; those left out take their defaults (position: unchanged)."""
    rule = _get_trigger(rule_id)
    return trigger_out(_save_trigger(request, data.model_dump(), rule))


@trigger_router.patch("/{rule_id}", response={200: TriggerOut, **ERRORS})
@atomic
def change_trigger(request: HttpRequest, rule_id: ObjectId, data: TriggerPatch) -> TriggerOut:
    rule = _get_trigger(rule_id)
    return trigger_out(_save_trigger(request, data.provided(), rule))


@trigger_router.delete("/{rule_id}", response={204: None, **ERRORS})
@atomic
def delete_trigger(request: HttpRequest, rule_id: ObjectId) -> Answer[None]:
    services.delete_rule(_get_trigger(rule_id), by=caller(request))
    return Answer(204, None)


@trigger_router.post("/{rule_id}/move", response={200: TriggerOut, **ERRORS})
@atomic
def move_trigger(request: HttpRequest, rule_id: ObjectId, data: MoveIn) -> TriggerOut:
    """Move the trigger `offset` places earlier (negative) or later; positions become
    1..n in the new order."""
    rule = _get_trigger(rule_id)
    services.move(rule, by=caller(request), offset=data.offset)
    return trigger_out(_get_trigger(rule_id))


@trigger_router.get("/{rule_id}/matches", response={200: MatchesOut, **ERRORS})
def trigger_matches(request: HttpRequest, rule_id: ObjectId) -> MatchesOut:
    """Open tickets that meet the conditions now (conditions on what changed, or on who
    acted, need an event and are left out)."""
    _reader(request)
    found = count_matches(_get_trigger(rule_id))
    return MatchesOut(count=found.count, exact=found.exact)


@trigger_router.post("/{rule_id}/dry-run", response={200: DryRunOut, **ERRORS})
def dry_run_trigger(request: HttpRequest, rule_id: ObjectId, data: DryRunIn) -> DryRunOut:
    """Whether the trigger's conditions hold for the ticket now, as if its event happened
    without field changes, and what its actions would change and do. Saves nothing."""
    return _dry_run(request, _get_trigger(rule_id), data)


# Time rules -----------------------------------------------------------------------------


def _save_time_rule(request: HttpRequest, data: dict[str, Any], rule: TimeRule | None) -> TimeRule:
    kept: dict[str, Any] = {}
    if rule is not None:
        kept = {**_kept(rule), "since": rule.since, "hours": rule.hours}
        kept["business_hours"] = rule.business_hours
    values = {**kept, **data}
    if "since" in data or rule is None:
        check_since(values["since"])
    return services.save_time_rule(by=caller(request), rule=rule, **values)


@time_rule_router.get("", response={200: TimeRulePage, **ERRORS})
def list_time_rules(request: HttpRequest, filters: Query[RuleQuery]) -> TimeRulePage:
    """Time rules in the order they run (position, then id)."""
    _reader(request)
    rows, next_cursor = _page(TimeRule.objects.all(), filters)
    return TimeRulePage(items=[time_rule_out(r) for r in rows], next=next_cursor)


@time_rule_router.post("", response={201: TimeRuleOut, **ERRORS})
@atomic
def create_time_rule(request: HttpRequest, data: TimeRuleIn) -> Answer[TimeRuleOut]:
    return Answer(201, time_rule_out(_save_time_rule(request, data.model_dump(), None)))


@time_rule_router.get("/{rule_id}", response={200: TimeRuleOut, **ERRORS})
def read_time_rule(request: HttpRequest, rule_id: ObjectId) -> TimeRuleOut:
    _reader(request)
    return time_rule_out(_get_time_rule(rule_id))


@time_rule_router.put("/{rule_id}", response={200: TimeRuleOut, **ERRORS})
@atomic
def replace_time_rule(request: HttpRequest, rule_id: ObjectId, data: TimeRuleIn) -> TimeRuleOut:
    """Every field as sent; those left out take their defaults (position: unchanged)."""
    rule = _get_time_rule(rule_id)
    return time_rule_out(_save_time_rule(request, data.model_dump(), rule))


@time_rule_router.patch("/{rule_id}", response={200: TimeRuleOut, **ERRORS})
@atomic
def change_time_rule(request: HttpRequest, rule_id: ObjectId, data: TimeRulePatch) -> TimeRuleOut:
    rule = _get_time_rule(rule_id)
    return time_rule_out(_save_time_rule(request, data.provided(), rule))


@time_rule_router.delete("/{rule_id}", response={204: None, **ERRORS})
@atomic
def delete_time_rule(request: HttpRequest, rule_id: ObjectId) -> Answer[None]:
    services.delete_rule(_get_time_rule(rule_id), by=caller(request))
    return Answer(204, None)


@time_rule_router.post("/{rule_id}/move", response={200: TimeRuleOut, **ERRORS})
@atomic
def move_time_rule(request: HttpRequest, rule_id: ObjectId, data: MoveIn) -> TimeRuleOut:
    """Move the rule `offset` places earlier (negative) or later."""
    rule = _get_time_rule(rule_id)
    services.move(rule, by=caller(request), offset=data.offset)
    return time_rule_out(_get_time_rule(rule_id))


@time_rule_router.get("/{rule_id}/matches", response={200: MatchesOut, **ERRORS})
def time_rule_matches(request: HttpRequest, rule_id: ObjectId) -> MatchesOut:
    """Tickets the next pass would fire the rule on (whether or not it is enabled)."""
    _reader(request)
    found = count_matches(_get_time_rule(rule_id))
    return MatchesOut(count=found.count, exact=found.exact)


@time_rule_router.post("/{rule_id}/dry-run", response={200: DryRunOut, **ERRORS})
def dry_run_time_rule(request: HttpRequest, rule_id: ObjectId, data: DryRunIn) -> DryRunOut:
    """Whether the rule applies to the ticket (conditions, the state it counts from, the
    hours so far) and what its actions would change and do. Saves nothing."""
    return _dry_run(request, _get_time_rule(rule_id), data)
