"""Mail that ticket events cause: the requester's confirmation of a new ticket, public
replies to the requester and CCs, updates to the agents who follow a ticket, and a word
to agents @mentioned in a note."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings

from supportdesk.accounts.models import STAFF_ROLES, User
from supportdesk.jobs import enqueue
from supportdesk.notify.services import is_muted, send_email
from supportdesk.tickets.models import EventKind, Message, Ticket, TicketEvent


def on_events(events: Sequence[TicketEvent]) -> None:
    """Queue the mail work of these events as a job, so that a slow or failing mail step
    never delays or undoes the change. Nothing while mail is `muted()`."""
    if is_muted():
        return
    if any(e.kind == EventKind.MESSAGE for e in events):
        from supportdesk.notify.tasks import mail_for_events

        enqueue(mail_for_events, [e.pk for e in events])


def mail_for(events: Sequence[TicketEvent]) -> None:
    created = {e.ticket_id for e in events if e.kind == EventKind.CREATED}
    message_ids = [e.message_id for e in events if e.kind == EventKind.MESSAGE and e.message_id]
    if not message_ids:
        return
    messages = (
        Message.objects.filter(pk__in=message_ids)
        .select_related("author", "ticket__requester")
        .prefetch_related("ticket__cc", "ticket__followers")
    )
    for message in messages:
        ticket = message.ticket
        if ticket.pk in created:
            _confirm_new_ticket(ticket, message)
        elif message.public and message.author.is_agent:
            _send_public_reply(ticket, message)
        _tell_followers(ticket, message)
        _tell_mentioned(ticket, message)


def ticket_url(ticket: Ticket) -> str:
    return f"{settings.SITE_URL}/requests/{ticket.pk}/"


def _confirm_new_ticket(ticket: Ticket, message: Message) -> None:
    if not ticket.requester.is_customer:
        return
    send_email(
        kind="ticket_created",
        to=[ticket.requester.email],
        subject=f"[#{ticket.pk}] {ticket.subject}",
        body=(
            f"Hello {ticket.requester.display_name},\n\n"
            f"We received your request and gave it the number #{ticket.pk}. "
            f"A member of our team will answer soon. To add anything, reply to this "
            f"message or visit {ticket_url(ticket)}.\n\n"
            f"Your request:\n\n{message.body}\n"
        ),
        ticket_id=ticket.pk,
    )


def _send_public_reply(ticket: Ticket, message: Message) -> None:
    people = [ticket.requester, *ticket.cc.all()]
    send_email(
        kind="public_reply",
        to=[p.email for p in people if p.pk != message.author_id and p.is_active],
        subject=f"[#{ticket.pk}] Re: {ticket.subject}",
        body=(
            f"{message.body}\n\n-- \n{message.author.display_name}\n"
            f"Request #{ticket.pk}: {ticket_url(ticket)}\n"
        ),
        ticket_id=ticket.pk,
    )


def _tell_mentioned(ticket: Ticket, message: Message) -> None:
    """Agents @mentioned in a note, except followers, who hear of every note anyway."""
    ids = set((message.metadata or {}).get("mentions") or [])
    ids -= {f.pk for f in ticket.followers.all()} | {message.author_id}
    people = User.objects.filter(pk__in=ids, role__in=STAFF_ROLES, is_active=True)
    to = [p.email for p in people]
    if not to:
        return
    send_email(
        kind="mention",
        to=to,
        subject=f"[#{ticket.pk}] {message.author.display_name} mentioned you: {ticket.subject}",
        body=(
            f"{message.author.display_name} mentioned you in a note on ticket #{ticket.pk}:\n\n"
            f"{message.body}\n\n{settings.SITE_URL}/agent/tickets/{ticket.pk}/\n"
        ),
        ticket_id=ticket.pk,
    )


def _tell_followers(ticket: Ticket, message: Message) -> None:
    followers = [f.email for f in ticket.followers.all() if f.pk != message.author_id]
    if not followers:
        return
    kind = "reply" if message.public else "internal note"
    send_email(
        kind="follower_update",
        to=followers,
        subject=f"[#{ticket.pk}] New {kind}: {ticket.subject}",
        body=(
            f"{message.author.display_name} added a {kind} to ticket #{ticket.pk}:\n\n"
            f"{message.body}\n\n{settings.SITE_URL}/agent/tickets/{ticket.pk}/\n"
        ),
        ticket_id=ticket.pk,
    )
