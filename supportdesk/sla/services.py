"""The only writers of calendars, policies and computed clocks.

`recompute(number)` is the heart: it picks the ticket's policy (the first enabled one
whose conditions match), builds the business-time schedule of the policy's calendar (or
the ticket's group's, or 24/7 UTC), reads the ticket's history and stores every target's
clock and the next due time. A change of policy is recorded as an event.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.models import Group, User
from supportdesk.accounts.services import require_admin
from supportdesk.conditions.compile import matches
from supportdesk.conditions.validate import validate
from supportdesk.jobs import enqueue
from supportdesk.lib.errors import DomainError
from supportdesk.sla.businesstime import CalendarError, Schedule
from supportdesk.sla.holiday_dates import holiday_dates, validate_country
from supportdesk.sla.models import TARGETS, Calendar, GroupCalendar, Policy, TicketSla
from supportdesk.tickets.models import Status, Ticket

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_schedules: dict[tuple[Any, ...], Schedule] = {}


# Calendars and policies -----------------------------------------------------------------


def _clean_dates(dates: Any) -> list[str]:
    if not isinstance(dates, list):
        raise DomainError("holidays.dates: a list of dates like 2026-12-24")
    try:
        return sorted({date.fromisoformat(str(d)).isoformat() for d in dates})
    except ValueError as exc:
        raise DomainError(f"holidays.dates: {exc}") from exc


@transaction.atomic
def save_calendar(
    *,
    by: User,
    calendar: Calendar | None = None,
    name: str,
    timezone_name: str,
    hours: dict[str, Any],
    country: str = "",
    subdivision: str = "",
    dates: list[Any] | None = None,
) -> Calendar:
    require_admin(by)
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise DomainError("name: between 1 and 100 characters")
    clean_dates = _clean_dates(dates or [])
    try:
        Schedule.from_spec(timezone_name, hours, [date.fromisoformat(d) for d in clean_dates])
        if country:
            validate_country(country.upper(), subdivision.upper() or None)
    except CalendarError as exc:
        raise DomainError(str(exc)) from exc
    others = Calendar.objects.filter(name=name)
    if calendar is not None:
        others = others.exclude(pk=calendar.pk)
    if others.exists():
        raise DomainError(f"name: a calendar named {name!r} exists")
    calendar = calendar or Calendar()
    calendar.name, calendar.timezone, calendar.hours = name, timezone_name, hours
    calendar.country, calendar.subdivision = country.upper(), subdivision.upper()
    calendar.dates = clean_dates
    calendar.save()
    _recompute_later()
    return calendar


def set_group_calendar(group: Group, calendar: Calendar | None, *, by: User) -> None:
    require_admin(by)
    if calendar is None:
        GroupCalendar.objects.filter(group=group).delete()
    else:
        GroupCalendar.objects.update_or_create(group=group, defaults={"calendar": calendar})
    _recompute_later()


def _clean_targets(targets: Any) -> dict[str, int]:
    if not isinstance(targets, dict) or not targets:
        raise DomainError(f"targets: minutes for some of {', '.join(TARGETS)}")
    clean = {}
    for key, value in targets.items():
        if key not in TARGETS:
            raise DomainError(f"targets.{key}: not a target; use {', '.join(TARGETS)}")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 525_600:
            raise DomainError(f"targets.{key}: whole minutes between 1 and 525,600")
        clean[key] = value
    return clean


def _clean_pause(pause_on: Any) -> list[str]:
    allowed = {Status.PENDING, Status.ON_HOLD, Status.NEW, Status.OPEN}
    if not isinstance(pause_on, list) or any(s not in allowed for s in pause_on):
        raise DomainError("pause_on: a list of statuses among pending, on-hold")
    return sorted(set(pause_on))


@transaction.atomic
def save_policy(
    *,
    by: User,
    policy: Policy | None = None,
    name: str,
    conditions: Any,
    targets: Any,
    calendar: Calendar | None = None,
    business_hours: bool = True,
    pause_on: Any = None,
    position: int | None = None,
    enabled: bool = True,
) -> Policy:
    require_admin(by)
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise DomainError("name: between 1 and 100 characters")
    others = Policy.objects.filter(name=name)
    if policy is not None:
        others = others.exclude(pk=policy.pk)
    if others.exists():
        raise DomainError(f"name: a policy named {name!r} exists")
    policy = policy or Policy()
    policy.name = name
    policy.conditions = validate(conditions or {"all": [], "any": []}, context="policy")
    policy.targets = _clean_targets(targets)
    policy.pause_on = _clean_pause(pause_on if pause_on is not None else ["pending", "on-hold"])
    policy.calendar, policy.business_hours, policy.enabled = calendar, business_hours, enabled
    _recompute_later()
    if position is not None:
        policy.position = position
    elif policy.pk is None:
        policy.position = (
            Policy.objects.order_by("-position").values_list("position", flat=True).first() or 0
        ) + 1
    policy.save()
    return policy


def delete_calendar(calendar: Calendar, *, by: User) -> None:
    require_admin(by)
    if calendar.policies.exists():
        names = ", ".join(
            calendar.policies.order_by("position", "id").values_list("name", flat=True)
        )
        raise DomainError(f"calendar: used by the policies {names}; change them first")
    calendar.delete()
    _recompute_later()


def delete_policy(policy: Policy, *, by: User) -> None:
    require_admin(by)
    policy.delete()
    _recompute_later()


@transaction.atomic
def move_policy(policy: Policy, *, by: User, offset: int) -> None:
    """Move a policy `offset` places earlier (negative) or later in the order policies
    are tried, numbering them all 1..n so that equal positions cannot tie."""
    require_admin(by)
    order = list(Policy.objects.select_for_update().order_by("position", "id"))
    ids = [p.pk for p in order]
    if policy.pk not in ids:
        raise DomainError("policy: no such policy")
    old = ids.index(policy.pk)
    new = max(0, min(len(ids) - 1, old + offset))
    ids.insert(new, ids.pop(old))
    by_id = {p.pk: p for p in order}
    for position, pk in enumerate(ids, start=1):
        if by_id[pk].position != position:
            Policy.objects.filter(pk=pk).update(position=position)
    _recompute_later()


def _recompute_later() -> None:
    """Open tickets' clocks follow a calendar or policy change, in a job after commit."""
    from supportdesk.sla.bulk import recompute_open_job

    enqueue(recompute_open_job)


# Clocks ---------------------------------------------------------------------------------


def schedule_of(calendar: Calendar | None, *, business_hours: bool = True) -> Schedule:
    """The business-time schedule of a calendar (cached until the calendar changes)."""
    if calendar is None:
        return Schedule.always("UTC")
    if not business_hours:
        return Schedule.always(calendar.timezone)
    key = (
        calendar.pk,
        calendar.timezone,
        repr(calendar.hours),
        calendar.country,
        calendar.subdivision,
        tuple(calendar.dates),
    )
    found = _schedules.get(key)
    if found is None:
        days = {date.fromisoformat(d) for d in calendar.dates}
        if calendar.country:
            this_year = timezone.now().year
            years = range(this_year - 2, this_year + 3)
            days |= holiday_dates(calendar.country, calendar.subdivision or None, years)
        found = Schedule.from_spec(calendar.timezone, calendar.hours, days)
        _schedules[key] = found
    return found


def policy_for(ticket: Ticket, policies: list[Policy] | None = None) -> Policy | None:
    candidates = policies if policies is not None else list(Policy.objects.filter(enabled=True))
    return next((p for p in candidates if matches(ticket, p.conditions)), None)


def calendar_for(ticket: Ticket, policy: Policy) -> Calendar | None:
    if policy.calendar_id:
        return policy.calendar
    if ticket.group_id is None:
        return None
    link = GroupCalendar.objects.filter(group_id=ticket.group_id).select_related("calendar").first()
    return link.calendar if link else None


def recompute(number: int, *, now: datetime | None = None) -> TicketSla | None:
    """Compute and store the clocks of ticket `number`; None when it no longer exists.
    One ticket is a batch of one: the same path as after a calendar change."""
    from supportdesk.sla.bulk import recompute_many

    recompute_many([number], now=now or timezone.now())
    return TicketSla.objects.select_related("policy").filter(ticket_id=number).first()
