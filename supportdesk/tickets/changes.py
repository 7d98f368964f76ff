"""Changing ticket properties: one setter per property, each validating its value,
logging one event when the value changes, and saving with the rest of its change set.

Called by the services in `services.py` (update_ticket, create_ticket, reply) inside
their transaction, with the ticket row locked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone

from supportdesk.accounts.models import Group, Role, User
from supportdesk.lib.errors import DomainError
from supportdesk.tickets.events import EventLog
from supportdesk.tickets.fields import clean_custom_fields, clean_tags
from supportdesk.tickets.models import Priority, Status, Ticket, TicketTag, TicketType

MAX_SUBJECT = 255


def clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise DomainError("subject: write a short summary of the request")
    if len(subject) > MAX_SUBJECT:
        raise DomainError(f"subject: at most {MAX_SUBJECT} characters")
    return subject


def check_choice(name: str, value: str, choices: Iterable[str]) -> str:
    if value not in choices:
        raise DomainError(f"{name}: {value!r} is not one of {', '.join(choices)}")
    return value


def apply_changes(
    ticket: Ticket,
    changes: dict[str, Any],
    log: EventLog,
    *,
    by: User | None,
    touch: bool = False,
) -> None:
    """Run the setters of `changes` and save what they changed in one UPDATE; with
    `touch`, a change also stamps updated_at."""
    before = len(log.events)
    ticket._pending_fields = set()  # type: ignore[attr-defined]
    try:
        _run_setters(ticket, changes, log)
        pending = ticket._pending_fields  # type: ignore[attr-defined]
    finally:
        del ticket._pending_fields  # type: ignore[attr-defined]
    if touch and len(log.events) > before:
        ticket.updated_at = timezone.now()
        pending.add("updated_at")
    if pending:
        ticket.save(update_fields=sorted(pending))


def _save(ticket: Ticket, *fields: str) -> None:
    """Save `fields` now, or with the rest of the change set inside `apply_changes`."""
    pending = getattr(ticket, "_pending_fields", None)
    if pending is None:
        ticket.save(update_fields=list(fields))
    else:
        pending.update(fields)


def _run_setters(ticket: Ticket, changes: dict[str, Any], log: EventLog) -> None:
    unknown = set(changes) - set(SETTERS)
    if unknown:
        raise DomainError(f"cannot change {', '.join(sorted(unknown))}")
    if ticket.status == Status.CLOSED and changes:
        raise DomainError("closed tickets cannot change; open a follow-up ticket")
    # Group before assignee, so that assigning checks membership of the new group.
    for name in SETTERS:
        if name in changes:
            SETTERS[name](ticket, changes[name], log)
    if ticket.status == Status.NEW and ticket.assignee_id and "status" not in changes:
        set_status(ticket, Status.OPEN, log)


def _set_simple(field: str, choices: Iterable[str]) -> Callable[[Ticket, Any, EventLog], None]:
    def setter(ticket: Ticket, value: Any, log: EventLog) -> None:
        check_choice(field, value, list(choices))
        old = getattr(ticket, field)
        if old != value:
            setattr(ticket, field, value)
            _save(ticket, field)
            log.changed(ticket, field, old, value)

    return setter


def set_status(ticket: Ticket, value: str, log: EventLog) -> None:
    check_choice("status", value, Status.values)
    old = ticket.status
    if old == value:
        return
    if value == Status.NEW:
        raise DomainError("status: a ticket cannot go back to new")
    if value == Status.CLOSED and old != Status.SOLVED:
        raise DomainError("status: only solved tickets can be closed")
    now = timezone.now()
    ticket.status = value
    ticket.solved_at = (
        now if value == Status.SOLVED else (ticket.solved_at if value == Status.CLOSED else None)
    )
    ticket.closed_at = now if value == Status.CLOSED else None
    ticket.status_changed_at = now
    _save(ticket, "status", "solved_at", "closed_at", "status_changed_at")
    log.changed(ticket, "status", old, value)


def _set_subject(ticket: Ticket, value: Any, log: EventLog) -> None:
    value = clean_subject(value if isinstance(value, str) else "")
    if value != ticket.subject:
        old, ticket.subject = ticket.subject, value
        _save(ticket, "subject")
        log.changed(ticket, "subject", old, value)


def _set_group(ticket: Ticket, value: Group | None, log: EventLog) -> None:
    if value is not None and not isinstance(value, Group):
        raise DomainError("group: unknown group")
    if ticket.group_id != (value.pk if value else None):
        old = ticket.group_id
        ticket.group = value
        _save(ticket, "group")
        log.changed(ticket, "group", old, value.pk if value else None)


def _set_assignee(ticket: Ticket, value: User | None, log: EventLog) -> None:
    if value is not None:
        if not isinstance(value, User) or value.role not in (Role.ADMIN, Role.AGENT):
            raise DomainError("assignee: only agents can be assigned")
        if not value.is_active:
            raise DomainError("assignee: this agent is deactivated")
        if ticket.group_id and not value.agent_groups.filter(pk=ticket.group_id).exists():
            raise DomainError(f"assignee: {value.email} is not in the ticket's group")
    if ticket.assignee_id != (value.pk if value else None):
        old = ticket.assignee_id
        ticket.assignee = value
        _save(ticket, "assignee")
        log.changed(ticket, "assignee", old, value.pk if value else None)


def set_requester(ticket: Ticket, value: User, log: EventLog) -> None:
    if not isinstance(value, User):
        raise DomainError("requester: unknown person")
    if ticket.requester_id != value.pk:
        old = ticket.requester_id
        ticket.requester = value
        ticket.organization = value.organization
        _save(ticket, "requester", "organization")
        log.changed(ticket, "requester", old, value.pk)


def _set_tags(ticket: Ticket, value: Any, log: EventLog) -> None:
    tags = clean_tags(value)
    old = list(ticket.tags)
    if tags == old:
        return
    ticket.tags = tags
    _save(ticket, "tags")
    if old:
        TicketTag.objects.filter(ticket=ticket).exclude(name__in=tags).delete()
    TicketTag.objects.bulk_create(
        [TicketTag(ticket=ticket, name=t) for t in tags if t not in old], ignore_conflicts=True
    )
    log.changed(ticket, "tags", old, tags)


def _set_custom_fields(ticket: Ticket, value: Any, log: EventLog) -> None:
    merged = clean_custom_fields(value, ticket.custom_fields)
    if merged != ticket.custom_fields:
        old = ticket.custom_fields
        ticket.custom_fields = merged
        _save(ticket, "custom_fields")
        # Internal fields may be among them, so customers never see this event.
        log.changed(ticket, "custom_fields", old, merged, public=False)


def _set_people(field: str) -> Callable[[Ticket, Any, EventLog], None]:
    def setter(ticket: Ticket, value: Any, log: EventLog) -> None:
        people = list(value or [])
        for person in people:
            if not isinstance(person, User):
                raise DomainError(f"{field}: unknown person")
            if field == "followers" and not person.is_agent:
                raise DomainError("followers: only agents can follow tickets")
        manager = getattr(ticket, field)
        old = sorted(manager.values_list("pk", flat=True))
        new = sorted({p.pk for p in people})
        if old != new:
            manager.set(people)
            log.changed(ticket, field, old, new, public=field == "cc")

    return setter


SETTERS: dict[str, Callable[[Ticket, Any, EventLog], None]] = {
    "subject": _set_subject,
    "requester": set_requester,
    "priority": _set_simple("priority", Priority.values),
    "type": _set_simple("type", TicketType.values),
    "group": _set_group,
    "assignee": _set_assignee,
    "tags": _set_tags,
    "custom_fields": _set_custom_fields,
    "cc": _set_people("cc"),
    "followers": _set_people("followers"),
    "status": set_status,
}
