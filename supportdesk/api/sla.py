"""/api/v1/sla: business-hours calendars and SLA policies (admins change them, agents read
them), and /api/v1/tickets/{number}/sla: a ticket's policy and clocks."""

from __future__ import annotations

from typing import Any

from django.db.models import ProtectedError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status as Answer
from pydantic import Field

from supportdesk.api import refs
from supportdesk.api.auth import caller, require_agent
from supportdesk.api.paths import ObjectId, TicketNumber
from supportdesk.api.schemas import Input, Out, PageQuery, Patch, errors
from supportdesk.api.transactions import atomic
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.pagination import keyset_page
from supportdesk.sla.clocks import next_due
from supportdesk.sla.current import current_clocks
from supportdesk.sla.models import Calendar, Policy
from supportdesk.sla.services import save_calendar, save_policy
from supportdesk.tickets.queries import access_ticket

router = Router(tags=["sla"])
ticket_router = Router(tags=["sla"])
ERRORS = errors(400, 403, 404)


class Holidays(Input):
    country: str = Field("", max_length=10, description="ISO code, e.g. DE")
    subdivision: str = Field("", max_length=10, description="e.g. BE")
    dates: list[str] = Field(default_factory=list, max_length=500)


class CalendarIn(Input):
    name: str = Field(min_length=1, max_length=100)
    timezone: str = Field("UTC", max_length=64)
    hours: dict[str, list[list[str]]] = Field(
        description='{"mon": [["09:00", "17:00"]], ...}; "24:00" ends at midnight'
    )
    holidays: Holidays = Field(default_factory=lambda: Holidays(country="", subdivision=""))


class CalendarPatch(Patch):
    name: str | None = Field(None, min_length=1, max_length=100)
    timezone: str | None = Field(None, max_length=64)
    hours: dict[str, list[list[str]]] | None = None
    holidays: Holidays | None = None


class CalendarOut(Out):
    id: int
    name: str
    timezone: str
    hours: dict[str, Any]
    holidays: dict[str, Any]


class CalendarPage(Out):
    items: list[CalendarOut]
    next: str | None


def calendar_out(c: Calendar) -> CalendarOut:
    holidays = {"country": c.country, "subdivision": c.subdivision, "dates": c.dates}
    return CalendarOut(id=c.pk, name=c.name, timezone=c.timezone, hours=c.hours, holidays=holidays)


def _calendar(user: Any, data: dict[str, Any], calendar: Calendar | None = None) -> Calendar:
    current = calendar_out(calendar).model_dump() if calendar else {}
    merged = {**current, **data}
    holidays = merged.get("holidays") or {}
    return save_calendar(
        by=user,
        calendar=calendar,
        name=merged["name"],
        timezone_name=merged.get("timezone") or "UTC",
        hours=merged["hours"],
        country=holidays.get("country", ""),
        subdivision=holidays.get("subdivision", ""),
        dates=holidays.get("dates", []),
    )


def _get_calendar(calendar_id: int) -> Calendar:
    found = Calendar.objects.filter(pk=calendar_id).first()
    if found is None:
        raise NotFound("no such calendar")
    return found


@router.get("/calendars", response={200: CalendarPage, **ERRORS})
def list_calendars(request: HttpRequest, page: Query[PageQuery]) -> CalendarPage:
    require_agent(caller(request))
    rows, nxt = keyset_page(
        Calendar.objects.all(), order=("id",), limit=page.limit, cursor=page.cursor
    )
    return CalendarPage(items=[calendar_out(c) for c in rows], next=nxt)


@router.post("/calendars", response={201: CalendarOut, **ERRORS})
@atomic
def create_calendar(request: HttpRequest, data: CalendarIn) -> Answer[CalendarOut]:
    return Answer(201, calendar_out(_calendar(caller(request), data.model_dump())))


@router.get("/calendars/{calendar_id}", response={200: CalendarOut, **ERRORS})
def read_calendar(request: HttpRequest, calendar_id: ObjectId) -> CalendarOut:
    require_agent(caller(request))
    return calendar_out(_get_calendar(calendar_id))


@router.patch("/calendars/{calendar_id}", response={200: CalendarOut, **ERRORS})
@atomic
def change_calendar(
    request: HttpRequest, calendar_id: ObjectId, data: CalendarPatch
) -> CalendarOut:
    calendar = _get_calendar(calendar_id)
    return calendar_out(_calendar(caller(request), data.provided(), calendar))


@router.delete("/calendars/{calendar_id}", response={204: None, **ERRORS})
@atomic
def delete_calendar(request: HttpRequest, calendar_id: ObjectId) -> Answer[None]:
    from supportdesk.accounts.services import require_admin

    require_admin(caller(request))
    try:
        _get_calendar(calendar_id).delete()
    except ProtectedError as exc:
        raise DomainError("this calendar is used by a policy; change the policy first") from exc
    return Answer(204, None)


class PolicyIn(Input):
    name: str = Field(min_length=1, max_length=100)
    position: int | None = Field(None, ge=0, le=10_000)
    enabled: bool = True
    calendar: int | str | None = Field(None, description="id or name; none: the group's")
    business_hours: bool = True
    conditions: dict[str, Any] = Field(default_factory=lambda: {"all": [], "any": []})
    targets: dict[str, int | None] = Field(description="minutes: first_reply, next_reply, ...")
    pause_on: list[str] = Field(default_factory=lambda: ["pending", "on-hold"], max_length=4)


class PolicyPatch(Patch):
    name: str | None = Field(None, min_length=1, max_length=100)
    position: int | None = Field(None, ge=0, le=10_000)
    enabled: bool | None = None
    calendar: int | str | None = None
    business_hours: bool | None = None
    conditions: dict[str, Any] | None = None
    targets: dict[str, int | None] | None = None
    pause_on: list[str] | None = Field(None, max_length=4)


class PolicyOut(Out):
    id: int
    name: str
    position: int
    enabled: bool
    calendar: dict[str, Any] | None
    business_hours: bool
    conditions: dict[str, Any]
    targets: dict[str, int]
    pause_on: list[str]


class PolicyPage(Out):
    items: list[PolicyOut]
    next: str | None


def policy_out(p: Policy) -> PolicyOut:
    calendar = {"id": p.calendar.pk, "name": p.calendar.name} if p.calendar else None
    return PolicyOut(
        id=p.pk,
        name=p.name,
        position=p.position,
        enabled=p.enabled,
        calendar=calendar,
        business_hours=p.business_hours,
        conditions=p.conditions,
        targets=p.targets,
        pause_on=p.pause_on,
    )


def _get_policy(policy_id: int) -> Policy:
    found = Policy.objects.select_related("calendar").filter(pk=policy_id).first()
    if found is None:
        raise NotFound("no such policy")
    return found


def _policy(user: Any, data: dict[str, Any], policy: Policy | None = None) -> Policy:
    current: dict[str, Any] = {}
    if policy is not None:
        current = policy_out(policy).model_dump()
        current["calendar"] = policy.calendar_id
    merged = {**current, **data}
    ref = merged.pop("calendar", None)
    calendar = refs._named(Calendar, "calendar", "calendar", ref) if ref is not None else None
    merged.pop("id", None)
    return save_policy(by=user, policy=policy, calendar=calendar, **merged)


@router.get("/policies", response={200: PolicyPage, **ERRORS})
def list_policies(request: HttpRequest, page: Query[PageQuery]) -> PolicyPage:
    """Policies in the order they are tried; the first that matches a ticket applies."""
    require_agent(caller(request))
    qs = Policy.objects.select_related("calendar")
    rows, nxt = keyset_page(qs, order=("position", "id"), limit=page.limit, cursor=page.cursor)
    return PolicyPage(items=[policy_out(p) for p in rows], next=nxt)


@router.post("/policies", response={201: PolicyOut, **ERRORS})
@atomic
def create_policy(request: HttpRequest, data: PolicyIn) -> Answer[PolicyOut]:
    return Answer(201, policy_out(_policy(caller(request), data.model_dump())))


@router.get("/policies/{policy_id}", response={200: PolicyOut, **ERRORS})
def read_policy(request: HttpRequest, policy_id: ObjectId) -> PolicyOut:
    require_agent(caller(request))
    return policy_out(_get_policy(policy_id))


@router.patch("/policies/{policy_id}", response={200: PolicyOut, **ERRORS})
@atomic
def change_policy(request: HttpRequest, policy_id: ObjectId, data: PolicyPatch) -> PolicyOut:
    return policy_out(_policy(caller(request), data.provided(), _get_policy(policy_id)))


@router.delete("/policies/{policy_id}", response={204: None, **ERRORS})
@atomic
def delete_policy(request: HttpRequest, policy_id: ObjectId) -> Answer[None]:
    from supportdesk.accounts.services import require_admin

    require_admin(caller(request))
    _get_policy(policy_id).delete()
    return Answer(204, None)


class TicketSlaOut(Out):
    policy: dict[str, Any] | None
    next_due_at: str | None
    targets: dict[str, Any] = Field(
        description="per target: state (active, paused, achieved, breached), started_at, "
        "due_at, achieved_at, breached_minutes, remaining_minutes (business minutes); "
        "next_reply adds cycles, one per customer message that waited for an answer"
    )
    computed_at: str | None


@ticket_router.get("/{number}/sla", response={200: TicketSlaOut, **ERRORS})
def ticket_sla(request: HttpRequest, number: TicketNumber) -> TicketSlaOut:
    """The ticket's SLA policy and each target's clock as of now (agents)."""
    user = caller(request)
    require_agent(user)
    ticket = access_ticket(user, number)
    now = timezone.now()
    found = current_clocks(ticket.number, now=now)
    policy = found.policy if found else None
    clocks = found.clocks if found else {}
    due = next_due(clocks)
    return TicketSlaOut(
        policy={"id": policy.pk, "name": policy.name} if policy else None,
        next_due_at=due.isoformat() if due else None,
        targets={name: clock.as_json() for name, clock in clocks.items()},
        computed_at=now.isoformat(),
    )
