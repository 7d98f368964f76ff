"""Services that change how tickets relate: merge, link, trash, restore, delete."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from supportdesk.accounts.models import Role, User
from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.tickets.changes import set_status
from supportdesk.tickets.events import EventLog
from supportdesk.tickets.models import (
    EventKind,
    LinkKind,
    Message,
    Source,
    Status,
    Ticket,
    TicketLink,
    TicketTag,
)
from supportdesk.tickets.services import add_message


def _check_agent(by: User) -> None:
    if by.role not in (Role.ADMIN, Role.AGENT):
        raise PermissionDenied("only agents may do this")


@transaction.atomic
def merge_tickets(
    source: Ticket, target: Ticket, *, by: User, source_kind: str = Source.WEB
) -> Ticket:
    """Move the messages of `source` into `target` and close `source` with a link to it."""
    _check_agent(by)
    if source.pk == target.pk:
        raise DomainError("a ticket cannot be merged into itself")
    locked = {
        t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    }
    source, target = locked[source.pk], locked[target.pk]
    for ticket in (source, target):
        if ticket.status == Status.CLOSED or ticket.deleted_at is not None:
            raise DomainError(f"ticket #{ticket.pk} is closed or in the trash and cannot merge")
    log = EventLog(actor=by, source=source_kind)
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    tags = list(dict.fromkeys([*target.tags, *source.tags]))
    if tags != target.tags:
        old = list(target.tags)
        target.tags = tags
        TicketTag.objects.bulk_create(
            [TicketTag(ticket=target, name=t) for t in tags if t not in old],
            ignore_conflicts=True,
        )
        log.changed(target, "tags", old, tags)
    if source.requester_id != target.requester_id:
        target.cc.add(source.requester)
    target.cc.add(*source.cc.all())
    counts = Message.objects.filter(ticket=target).aggregate(n=Count("id"))
    target.message_count = counts["n"]
    target.updated_at = target.last_activity_at = timezone.now()
    target.save(update_fields=["tags", "message_count", "updated_at", "last_activity_at"])
    log.add(target, EventKind.MERGED, field="merged_from", new=source.pk, old={"messages": moved})
    add_message(
        target,
        log,
        author=by,
        public=False,
        channel=target.channel,
        html="",
        text=f"Ticket #{source.pk} ({source.subject}) was merged into this ticket.",
    )
    source.message_count = 0
    source.merged_into = target
    source.save(update_fields=["message_count", "merged_into"])
    log.add(source, EventKind.MERGED, field="merged_into", new=target.pk)
    add_message(
        source,
        log,
        author=by,
        public=False,
        channel=source.channel,
        html="",
        text=f"Merged into ticket #{target.pk}.",
    )
    if source.status != Status.SOLVED:
        set_status(source, Status.SOLVED, log)
    set_status(source, Status.CLOSED, log)
    log.publish()
    return target


@transaction.atomic
def link_tickets(
    source: Ticket, target: Ticket, *, kind: str, by: User, source_kind: str = Source.WEB
) -> TicketLink:
    """Link `source` to `target`: related, incident_of (target is the problem) or
    child_of (target is the parent)."""
    _check_agent(by)
    if kind not in LinkKind.values:
        raise DomainError(f"kind must be one of {', '.join(LinkKind.values)}")
    if source.pk == target.pk:
        raise DomainError("a ticket cannot be linked to itself")
    if kind == LinkKind.INCIDENT_OF and target.type != "problem":
        raise DomainError(f"ticket #{target.pk} is not a problem; set its type first")
    link, created = TicketLink.objects.get_or_create(source=source, target=target, kind=kind)
    if created:
        log = EventLog(actor=by, source=source_kind)
        log.add(source, EventKind.LINKED, field=kind, new=target.pk)
        log.add(target, EventKind.LINKED, field=f"{kind}:reverse", new=source.pk)
        log.publish()
    return link


@transaction.atomic
def unlink_tickets(
    source: Ticket, target: Ticket, *, kind: str, by: User, source_kind: str = Source.WEB
) -> None:
    _check_agent(by)
    deleted, _ = TicketLink.objects.filter(source=source, target=target, kind=kind).delete()
    if not deleted:
        raise DomainError("these tickets are not linked that way")
    log = EventLog(actor=by, source=source_kind)
    log.add(source, EventKind.LINKED, field=kind, old=target.pk)
    log.add(target, EventKind.LINKED, field=f"{kind}:reverse", old=source.pk)
    log.publish()


@transaction.atomic
def trash_ticket(ticket: Ticket, *, by: User, source_kind: str = Source.WEB) -> None:
    _check_agent(by)
    updated = Ticket.objects.filter(pk=ticket.pk, deleted_at__isnull=True).update(
        deleted_at=timezone.now()
    )
    if not updated:
        raise DomainError("this ticket is already in the trash")
    log = EventLog(actor=by, source=source_kind)
    log.add(ticket, EventKind.TRASHED)
    log.publish()


@transaction.atomic
def restore_ticket(ticket: Ticket, *, by: User, source_kind: str = Source.WEB) -> None:
    _check_agent(by)
    updated = Ticket.objects.filter(pk=ticket.pk, deleted_at__isnull=False).update(deleted_at=None)
    if not updated:
        raise DomainError("this ticket is not in the trash")
    log = EventLog(actor=by, source=source_kind)
    log.add(ticket, EventKind.RESTORED)
    log.publish()


@transaction.atomic
def delete_ticket(ticket: Ticket, *, by: User) -> None:
    """Delete a trashed ticket for good, with its messages, files and events."""
    if not by.is_admin:
        raise PermissionDenied("only admins delete tickets for good")
    if ticket.deleted_at is None:
        raise DomainError("move the ticket to the trash first")
    files = [
        a.file for m in ticket.messages.prefetch_related("attachments") for a in m.attachments.all()
    ]
    ticket.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])
