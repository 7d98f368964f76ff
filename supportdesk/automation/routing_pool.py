"""Who in a group can take a ticket now: its members who work tickets (agents and admins,
active), online, on shift by the group's calendar and under their capacity, with their
open-ticket counts. A fixed number of queries whatever the size of the group."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count

from supportdesk.accounts.models import Availability, Group, Role, User
from supportdesk.automation.models import AgentProfile
from supportdesk.sla.businesstime import is_business_time
from supportdesk.sla.models import GroupCalendar
from supportdesk.sla.services import schedule_of
from supportdesk.tickets.models import Status, Ticket

# What counts against an agent's capacity: tickets they still owe work on. Pending ones
# wait for the customer and solved ones are done.
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.ON_HOLD)
ASSIGNABLE_ROLES = (Role.ADMIN, Role.AGENT)


@dataclass(frozen=True)
class Candidate:
    """A member who could take tickets, with what routing knows of them."""

    user: User
    capacity: int | None
    skills: frozenset[str]
    open: int = 0

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.open >= self.capacity

    def load(self) -> str:
        """ "2 of 5 open", or "2 open, no limit"."""
        if self.capacity is None:
            return f"{self.open} open, no limit"
        return f"{self.open} of {self.capacity} open"


@dataclass
class Pool:
    """A group's members who take tickets (`members`, by id) and those of them who can
    take one now (`available`). `calendar` names the group's calendar when it is closed."""

    group: Group
    on_shift: bool = True
    calendar: str = ""
    members: list[Candidate] = field(default_factory=list)
    available: list[Candidate] = field(default_factory=list)

    def why_none(self) -> str:
        """Why nobody is available, for the event of a ticket left unassigned."""
        where = f"No agent available in {self.group.name}"
        if not self.on_shift:
            return f"{where}: off shift now (calendar {self.calendar})"
        if not self.members:
            return f"{where}: no active agents in the group"
        counts = {"offline": 0, "away": 0, "at capacity": 0}
        for member in self.members:
            if member.user.availability == Availability.ONLINE:
                counts["at capacity"] += member.full
            else:
                key = "away" if member.user.availability == Availability.AWAY else "offline"
                counts[key] += 1
        parts = [f"{n} {what}" for what, n in counts.items() if n]
        return f"{where}: {', '.join(parts)}"


def profile_of(user: User) -> AgentProfile | None:
    """The user's routing profile when it was loaded (select_related) or exists."""
    try:
        profile: AgentProfile = user.routing_profile  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None
    return profile


def on_shift(group: Group, at: datetime) -> tuple[bool, str]:
    """Whether `at` is within the hours of the group's calendar (always, without one),
    and the calendar's name."""
    link = GroupCalendar.objects.filter(group=group).select_related("calendar").first()
    if link is None:
        return True, ""
    return is_business_time(schedule_of(link.calendar), at), link.calendar.name


def pool_of(group: Group, *, at: datetime) -> Pool:
    """The group's members and who of them can take a ticket at `at`: three queries
    (calendar, members with profiles, open counts of those online)."""
    shift, calendar = on_shift(group, at)
    if not shift:
        return Pool(group, on_shift=False, calendar=calendar)
    users = (
        User.objects.filter(agent_groups=group, is_active=True, role__in=ASSIGNABLE_ROLES)
        .select_related("routing_profile")
        .order_by("pk")
    )
    members = []
    for user in users:
        profile = profile_of(user)
        members.append(
            Candidate(
                user=user,
                capacity=profile.capacity if profile else None,
                skills=frozenset(profile.skills if profile else ()),
            )
        )
    online = [m for m in members if m.user.availability == Availability.ONLINE]
    counts = open_counts([m.user.pk for m in online])
    members = [
        Candidate(m.user, m.capacity, m.skills, counts.get(m.user.pk, 0))
        if m.user.availability == Availability.ONLINE
        else m
        for m in members
    ]
    available = [m for m in members if m.user.availability == Availability.ONLINE and not m.full]
    return Pool(group, calendar=calendar, members=members, available=available)


def open_counts(user_ids: list[int]) -> dict[int, int]:
    """Open tickets per agent, in one aggregate query (none for no agents)."""
    if not user_ids:
        return {}
    rows = (
        Ticket.objects.filter(
            assignee_id__in=user_ids, status__in=OPEN_STATUSES, deleted_at__isnull=True
        )
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("pk"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}
