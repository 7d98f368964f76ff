"""/api/v1/sla: escalation rules, stalled-ticket rules, emergency rules (admins change
them, agents read them), and emergencies (agents list and acknowledge them)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status as Answer
from pydantic import Field

from supportdesk.api.auth import caller, require_agent
from supportdesk.api.paths import ObjectId
from supportdesk.api.schemas import Input, Out, PageQuery, Patch, errors
from supportdesk.api.transactions import atomic
from supportdesk.lib.errors import NotFound
from supportdesk.lib.pagination import keyset_page
from supportdesk.sla import rules
from supportdesk.sla.emergencies import acknowledge_emergency
from supportdesk.sla.models import Emergency, EmergencyRule, EscalationRule, StalledRule
from supportdesk.tickets.models import Source
from supportdesk.webhooks.models import WebhookEndpoint

router = Router(tags=["sla"])
ERRORS = errors(400, 403, 404)
Conditions = dict[str, Any]


def _no_conditions() -> dict[str, Any]:
    return {"all": [], "any": []}


def _get(model: Any, pk: int, what: str) -> Any:
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"no such {what}")
    return found


def _merge(current: Out | None, data: dict[str, Any]) -> dict[str, Any]:
    merged = {**(current.model_dump() if current else {}), **data}
    merged.pop("id", None)
    return merged


# Escalation rules ----------------------------------------------------------------------


class EscalationIn(Input):
    name: str = Field(min_length=1, max_length=100)
    position: int | None = Field(None, ge=0, le=10_000)
    enabled: bool = True
    target: str = Field("any", description="first_reply, next_reply, periodic_update, ...")
    when: str = Field("before", description="before or after the breach")
    minutes: int = Field(0, description="calendar minutes before or after the due time")
    conditions: Conditions = Field(default_factory=_no_conditions)
    actions: list[dict[str, Any]] = Field(max_length=20)


class EscalationPatch(Patch):
    name: str | None = Field(None, min_length=1, max_length=100)
    position: int | None = Field(None, ge=0, le=10_000)
    enabled: bool | None = None
    target: str | None = None
    when: str | None = None
    minutes: int | None = None
    conditions: Conditions | None = None
    actions: list[dict[str, Any]] | None = Field(None, max_length=20)


class EscalationOut(Out):
    id: int
    name: str
    position: int
    enabled: bool
    target: str
    when: str
    minutes: int
    conditions: Conditions
    actions: list[dict[str, Any]]


class EscalationPage(Out):
    items: list[EscalationOut]
    next: str | None


def escalation_out(r: EscalationRule) -> EscalationOut:
    return EscalationOut(
        id=r.pk,
        name=r.name,
        position=r.position,
        enabled=r.enabled,
        target=r.target,
        when=r.when,
        minutes=r.minutes,
        conditions=r.conditions,
        actions=r.actions,
    )


def _escalation(user: Any, data: dict[str, Any], rule: EscalationRule | None = None) -> Any:
    merged = _merge(escalation_out(rule) if rule else None, data)
    return escalation_out(rules.save_escalation_rule(by=user, rule=rule, **merged))


@router.get("/escalations", response={200: EscalationPage, **ERRORS})
def list_escalations(request: HttpRequest, page: Query[PageQuery]) -> EscalationPage:
    require_agent(caller(request))
    rows, nxt = keyset_page(
        EscalationRule.objects.all(),
        order=("position", "id"),
        limit=page.limit,
        cursor=page.cursor,
    )
    return EscalationPage(items=[escalation_out(r) for r in rows], next=nxt)


@router.post("/escalations", response={201: EscalationOut, **ERRORS})
@atomic
def create_escalation(request: HttpRequest, data: EscalationIn) -> Answer[EscalationOut]:
    return Answer(201, _escalation(caller(request), data.model_dump()))


@router.get("/escalations/{rule_id}", response={200: EscalationOut, **ERRORS})
def read_escalation(request: HttpRequest, rule_id: ObjectId) -> EscalationOut:
    require_agent(caller(request))
    return escalation_out(_get(EscalationRule, rule_id, "escalation rule"))


@router.patch("/escalations/{rule_id}", response={200: EscalationOut, **ERRORS})
@atomic
def change_escalation(
    request: HttpRequest, rule_id: ObjectId, data: EscalationPatch
) -> EscalationOut:
    rule = _get(EscalationRule, rule_id, "escalation rule")
    return _escalation(caller(request), data.provided(), rule)  # type: ignore[no-any-return]


@router.delete("/escalations/{rule_id}", response={204: None, **ERRORS})
@atomic
def delete_escalation(request: HttpRequest, rule_id: ObjectId) -> Answer[None]:
    user = caller(request)
    require_agent(user)
    rules.delete_rule(_get(EscalationRule, rule_id, "escalation rule"), by=user)
    return Answer(204, None)


# Stalled-ticket rules ------------------------------------------------------------------


class StalledIn(Input):
    name: str = Field(min_length=1, max_length=100)
    position: int | None = Field(None, ge=0, le=10_000)
    enabled: bool = True
    hours: int = Field(description="business hours without an agent update")
    conditions: Conditions = Field(default_factory=_no_conditions)
    actions: list[dict[str, Any]] = Field(max_length=20)


class StalledPatch(Patch):
    name: str | None = Field(None, min_length=1, max_length=100)
    position: int | None = Field(None, ge=0, le=10_000)
    enabled: bool | None = None
    hours: int | None = None
    conditions: Conditions | None = None
    actions: list[dict[str, Any]] | None = Field(None, max_length=20)


class StalledOut(Out):
    id: int
    name: str
    position: int
    enabled: bool
    hours: int
    conditions: Conditions
    actions: list[dict[str, Any]]


class StalledPage(Out):
    items: list[StalledOut]
    next: str | None


def stalled_out(r: StalledRule) -> StalledOut:
    return StalledOut(
        id=r.pk,
        name=r.name,
        position=r.position,
        enabled=r.enabled,
        hours=r.hours,
        conditions=r.conditions,
        actions=r.actions,
    )


def _stalled(user: Any, data: dict[str, Any], rule: StalledRule | None = None) -> StalledOut:
    merged = _merge(stalled_out(rule) if rule else None, data)
    return stalled_out(rules.save_stalled_rule(by=user, rule=rule, **merged))


@router.get("/stalled", response={200: StalledPage, **ERRORS})
def list_stalled(request: HttpRequest, page: Query[PageQuery]) -> StalledPage:
    require_agent(caller(request))
    rows, nxt = keyset_page(
        StalledRule.objects.all(), order=("position", "id"), limit=page.limit, cursor=page.cursor
    )
    return StalledPage(items=[stalled_out(r) for r in rows], next=nxt)


@router.post("/stalled", response={201: StalledOut, **ERRORS})
@atomic
def create_stalled(request: HttpRequest, data: StalledIn) -> Answer[StalledOut]:
    return Answer(201, _stalled(caller(request), data.model_dump()))


@router.get("/stalled/{rule_id}", response={200: StalledOut, **ERRORS})
def read_stalled(request: HttpRequest, rule_id: ObjectId) -> StalledOut:
    require_agent(caller(request))
    return stalled_out(_get(StalledRule, rule_id, "stalled rule"))


@router.patch("/stalled/{rule_id}", response={200: StalledOut, **ERRORS})
@atomic
def change_stalled(request: HttpRequest, rule_id: ObjectId, data: StalledPatch) -> StalledOut:
    rule = _get(StalledRule, rule_id, "stalled rule")
    return _stalled(caller(request), data.provided(), rule)


@router.delete("/stalled/{rule_id}", response={204: None, **ERRORS})
@atomic
def delete_stalled(request: HttpRequest, rule_id: ObjectId) -> Answer[None]:
    user = caller(request)
    require_agent(user)
    rules.delete_rule(_get(StalledRule, rule_id, "stalled rule"), by=user)
    return Answer(204, None)


# Emergency rules -----------------------------------------------------------------------


class EmergencyRuleIn(Input):
    name: str = Field(min_length=1, max_length=100)
    position: int | None = Field(None, ge=0, le=10_000)
    enabled: bool = True
    conditions: Conditions
    notify: list[int] = Field(default_factory=list, max_length=50, description="agent ids")
    webhook: int | None = Field(None, description="a webhook endpoint id")
    repeat_minutes: int = 15


class EmergencyRulePatch(Patch):
    nullable = frozenset({"webhook"})
    name: str | None = Field(None, min_length=1, max_length=100)
    position: int | None = Field(None, ge=0, le=10_000)
    enabled: bool | None = None
    conditions: Conditions | None = None
    notify: list[int] | None = Field(None, max_length=50)
    webhook: int | None = None
    repeat_minutes: int | None = None


class EmergencyRuleOut(Out):
    id: int
    name: str
    position: int
    enabled: bool
    conditions: Conditions
    notify: list[int]
    webhook: int | None
    repeat_minutes: int


class EmergencyRulePage(Out):
    items: list[EmergencyRuleOut]
    next: str | None


def emergency_rule_out(r: EmergencyRule) -> EmergencyRuleOut:
    return EmergencyRuleOut(
        id=r.pk,
        name=r.name,
        position=r.position,
        enabled=r.enabled,
        conditions=r.conditions,
        notify=r.notify,
        webhook=r.webhook_id,
        repeat_minutes=r.repeat_minutes,
    )


def _emergency_rule(
    user: Any, data: dict[str, Any], rule: EmergencyRule | None = None
) -> EmergencyRuleOut:
    merged = _merge(emergency_rule_out(rule) if rule else None, data)
    ref = merged.pop("webhook", None)
    webhook = _get(WebhookEndpoint, ref, "webhook endpoint") if ref is not None else None
    saved = rules.save_emergency_rule(by=user, rule=rule, webhook=webhook, **merged)
    return emergency_rule_out(saved)


@router.get("/emergency-rules", response={200: EmergencyRulePage, **ERRORS})
def list_emergency_rules(request: HttpRequest, page: Query[PageQuery]) -> EmergencyRulePage:
    require_agent(caller(request))
    rows, nxt = keyset_page(
        EmergencyRule.objects.all(), order=("position", "id"), limit=page.limit, cursor=page.cursor
    )
    return EmergencyRulePage(items=[emergency_rule_out(r) for r in rows], next=nxt)


@router.post("/emergency-rules", response={201: EmergencyRuleOut, **ERRORS})
@atomic
def create_emergency_rule(request: HttpRequest, data: EmergencyRuleIn) -> Answer[EmergencyRuleOut]:
    return Answer(201, _emergency_rule(caller(request), data.model_dump()))


@router.get("/emergency-rules/{rule_id}", response={200: EmergencyRuleOut, **ERRORS})
def read_emergency_rule(request: HttpRequest, rule_id: ObjectId) -> EmergencyRuleOut:
    require_agent(caller(request))
    return emergency_rule_out(_get(EmergencyRule, rule_id, "emergency rule"))


@router.patch("/emergency-rules/{rule_id}", response={200: EmergencyRuleOut, **ERRORS})
@atomic
def change_emergency_rule(
    request: HttpRequest, rule_id: ObjectId, data: EmergencyRulePatch
) -> EmergencyRuleOut:
    rule = _get(EmergencyRule, rule_id, "emergency rule")
    return _emergency_rule(caller(request), data.provided(), rule)


@router.delete("/emergency-rules/{rule_id}", response={204: None, **ERRORS})
@atomic
def delete_emergency_rule(request: HttpRequest, rule_id: ObjectId) -> Answer[None]:
    user = caller(request)
    require_agent(user)
    rules.delete_rule(_get(EmergencyRule, rule_id, "emergency rule"), by=user)
    return Answer(204, None)


# Emergencies ---------------------------------------------------------------------------


class EmergencyOut(Out):
    id: int
    rule: dict[str, Any]
    ticket: dict[str, Any]
    raised_at: str
    last_notified_at: str
    notified_count: int
    acknowledged_by: dict[str, Any] | None
    acknowledged_at: str | None


class EmergencyPage(Out):
    items: list[EmergencyOut]
    next: str | None


class EmergencyQuery(PageQuery):
    open: bool | None = Field(None, description="true: not yet acknowledged; false: acknowledged")


def emergency_out(e: Emergency) -> EmergencyOut:
    by = e.acknowledged_by
    return EmergencyOut(
        id=e.pk,
        rule={"id": e.rule.pk, "name": e.rule.name},
        ticket={"number": e.ticket.pk, "subject": e.ticket.subject, "status": e.ticket.status},
        raised_at=e.raised_at.isoformat(),
        last_notified_at=e.last_notified_at.isoformat(),
        notified_count=e.notified_count,
        acknowledged_by={"id": by.pk, "name": by.display_name} if by else None,
        acknowledged_at=e.acknowledged_at.isoformat() if e.acknowledged_at else None,
    )


@router.get("/emergencies", response={200: EmergencyPage, **ERRORS})
def list_emergencies(request: HttpRequest, page: Query[EmergencyQuery]) -> EmergencyPage:
    """Emergencies, newest first; `open=true` for those nobody acknowledged yet."""
    require_agent(caller(request))
    qs = Emergency.objects.select_related("rule", "ticket", "acknowledged_by")
    if page.open is not None:
        qs = qs.filter(acknowledged_at__isnull=page.open)
    rows, nxt = keyset_page(qs, order=("-id",), limit=page.limit, cursor=page.cursor)
    return EmergencyPage(items=[emergency_out(e) for e in rows], next=nxt)


@router.post("/emergencies/{emergency_id}/acknowledge", response={200: EmergencyOut, **ERRORS})
@atomic
def acknowledge(request: HttpRequest, emergency_id: ObjectId) -> EmergencyOut:
    """Take the emergency on: its repeated notifications stop (400 if already taken)."""
    user = caller(request)
    require_agent(user)
    emergency = _get(Emergency, emergency_id, "emergency")
    acknowledge_emergency(emergency, by=user, source=Source.API)
    found = Emergency.objects.select_related("rule", "ticket", "acknowledged_by")
    return emergency_out(found.get(pk=emergency.pk))
