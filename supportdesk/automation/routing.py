"""Agent routing within a group: who gets a ticket that arrives in a group, chosen by the
group's strategy (`GroupRouting`) among its agents who are online, on shift and under
capacity (`routing_pool`), by round-robin, least load or skills (`routing_pick`).

Every decision leaves an internal event whose text says why ("Routed to Ann Lee (least
loaded: 2 of 5 open)", "No agent available in Billing: 2 offline"). The settings are
written by `routing_settings`; `routing_signals` returns an agent's untouched tickets
when they go offline.

Locks: a routing call locks the ticket row, then the group's `GroupRouting` row, so that
two workers routing in the same group take turns: neither can give the same agent a
ticket over their capacity, nor the same round-robin turn to two tickets.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from supportdesk.accounts.models import Group, User
from supportdesk.automation.models import GroupRouting, Strategy
from supportdesk.automation.routing_pick import pick
from supportdesk.automation.routing_pool import pool_of
from supportdesk.lib.errors import DomainError
from supportdesk.tickets.models import EventKind, Message, Source, Status, Ticket, TicketEvent
from supportdesk.tickets.services import record_automation, update_ticket

log = logging.getLogger(__name__)

RULE = "routing"
# Tickets that still want an agent; solved and closed ones do not.
WAITING = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


def route(ticket: Ticket, *, strategy: str | None = None, rule: str = "") -> User | None:
    """Assign the ticket to an agent of its group chosen by `strategy` (None: the
    group's own; "manual" chooses nobody and says nothing) and record why; or assign
    nobody and record why not. Returns the agent. Raises DomainError for an unknown
    strategy, or from update_ticket for a ticket that cannot change (trash, closed)."""
    rule = rule or RULE
    if strategy is not None and strategy not in Strategy.values:
        raise DomainError(f"strategy: one of {', '.join(Strategy.values)}")
    with transaction.atomic():
        fresh = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("group", "requester")
            .get(pk=ticket.pk)
        )
        if fresh.group is None:
            _say_once(ticket, "Not routed: the ticket has no group", rule, {"routing": strategy})
            return None
        routing = _locked_routing(fresh.group, create=strategy == Strategy.ROUND_ROBIN)
        strategy = strategy or (routing.strategy if routing else Strategy.MANUAL)
        if strategy == Strategy.MANUAL:
            return None
        choice = pick(
            strategy,
            fresh,
            pool_of(fresh.group, at=timezone.now()),
            last_id=routing.last_assigned_id if routing else None,
            skill_fields=list(routing.skill_fields) if routing else [],
        )
        if choice.agent is None:
            _say_once(ticket, choice.text, rule, choice.details)
            return None
        agent = choice.agent.user
        update_ticket(ticket, by=None, changes={"assignee": agent}, source=Source.RULE, rule=rule)
        if routing is not None and strategy == Strategy.ROUND_ROBIN:
            routing.last_assigned = agent
            routing.save(update_fields=["last_assigned"])
        record_automation(ticket, text=choice.text, rule=rule, details=choice.details)
        return agent


def _locked_routing(group: Group, *, create: bool) -> GroupRouting | None:
    found = GroupRouting.objects.select_for_update().filter(group=group).first()
    if found is None and create:
        # A rule asked for round-robin in a group that has no settings: keep its turn
        # in a row of defaults (manual), which leaves the group's own routing alone.
        GroupRouting.objects.get_or_create(group=group)
        found = GroupRouting.objects.select_for_update().get(group=group)
    return found


def _say_once(ticket: Ticket, text: str, rule: str, details: dict[str, Any]) -> None:
    """Record `text` unless the ticket's last automation event says exactly that: the
    periodic sweep retries waiting tickets every minute, and one "no agent available"
    per reason is enough."""
    last = (
        TicketEvent.objects.filter(ticket_id=ticket.pk, kind=EventKind.AUTOMATION)
        .order_by("-id")
        .values_list("new", flat=True)
        .first()
    )
    if isinstance(last, dict) and last.get("text") == text:
        return
    record_automation(ticket, text=text, rule=rule, details=details)


def route_if_needed(ticket: Ticket, *, rule: str = "") -> User | None:
    """Route the ticket when it waits for an agent: in a group whose strategy is not
    manual, unassigned, not solved or closed, not in the trash. The trigger engine calls
    it after a ticket is created or changes group."""
    if ticket.group_id is None or ticket.assignee_id is not None or not ticket.is_open:
        return None
    with transaction.atomic():
        # The caller's copy may be stale (a sweep, another worker): decide on the row.
        state = (
            Ticket.objects.select_for_update()
            .filter(pk=ticket.pk)
            .values("group_id", "assignee_id", "status", "deleted_at")
            .first()
        )
        if (
            state is None
            or state["group_id"] is None
            or state["assignee_id"] is not None
            or state["status"] not in WAITING
            or state["deleted_at"] is not None
        ):
            return None
        strategy = (
            GroupRouting.objects.filter(group_id=state["group_id"])
            .values_list("strategy", flat=True)
            .first()
        )
        if strategy in (None, Strategy.MANUAL):
            return None
        return route(ticket, rule=rule)


def route_waiting(limit: int = 200) -> int:
    """Route unassigned tickets of routed groups, oldest first, in groups where someone
    can take one now: tickets that waited for an agent to come online, start their
    shift or free up. One transaction per ticket. Returns how many were assigned."""
    now = timezone.now()
    routed = GroupRouting.objects.exclude(strategy=Strategy.MANUAL).select_related("group")
    ready = [r.group_id for r in routed if pool_of(r.group, at=now).available]
    if not ready:
        return 0
    waiting = (
        Ticket.objects.filter(
            group_id__in=ready,
            assignee__isnull=True,
            status__in=WAITING,
            deleted_at__isnull=True,
        )
        .order_by("number")
        .values_list("number", flat=True)[:limit]
    )
    assigned = 0
    for number in list(waiting):
        ticket = Ticket.objects.filter(pk=number).first()
        if ticket is None:
            continue
        try:
            assigned += route_if_needed(ticket, rule=RULE) is not None
        except DomainError as exc:
            log.warning(
                "routing: ticket %s was not routed: %s; the next sweep retries", number, exc
            )
    return assigned


def _untouched(user: User, group_ids: list[int]) -> QuerySet[Ticket]:
    """The user's tickets in these groups that nobody has answered and they have not
    written on (no reply, no note): safe to give to someone else."""
    wrote = Message.objects.filter(ticket=OuterRef("pk"), author=user)
    return Ticket.objects.filter(
        assignee=user,
        group_id__in=group_ids,
        status__in=(Status.NEW, Status.OPEN),
        first_reply_at__isnull=True,
        deleted_at__isnull=True,
    ).exclude(Exists(wrote))


def agent_went_offline(user: User) -> int:
    """Return the user's untouched tickets to the queue in each of their groups that
    asks for it (`return_when_offline`), with an event saying why, and route each
    again. Returns how many went back. Called after the change to offline commits."""
    group_ids = list(
        GroupRouting.objects.filter(return_when_offline=True, group__members=user).values_list(
            "group_id", flat=True
        )
    )
    if not group_ids:
        return 0
    returned = 0
    for number in list(_untouched(user, group_ids).order_by("number").values_list("pk", flat=True)):
        with transaction.atomic():
            ticket = _untouched(user, group_ids).select_for_update().filter(pk=number).first()
            if ticket is None:  # answered or reassigned meanwhile
                continue
            update_ticket(
                ticket, by=None, changes={"assignee": None}, source=Source.RULE, rule=RULE
            )
            text = f"Returned to the queue: {user.display_name} went offline before working on it"
            record_automation(
                ticket, text=text, rule=RULE, details={"routing": "returned", "agent": user.pk}
            )
        returned += 1
        try:
            route_if_needed(ticket, rule=RULE)
        except DomainError as exc:
            log.warning("routing: returned ticket %s was not routed again: %s", number, exc)
    return returned
