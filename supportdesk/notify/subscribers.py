"""What ticket events cause: mail to customers (public replies to the requester and CCs,
built in mail/outbound.py), and notifications to agents (assigned to them, an @mention,
an update of a followed ticket), which go through `notifications.notify_agents` and each
agent's preferences.

The acknowledgement of a new ticket and the assignee's notice of a customer's reply are
default rules of the automation app, which admins may edit or switch off. An agent
hears of one message once: a mention wins over a follower update, and the assignee of a
customer's reply is left to the rule."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings

from supportdesk.accounts.models import STAFF_ROLES, User
from supportdesk.jobs import enqueue
from supportdesk.mail.outbound import send_public_reply
from supportdesk.notify import kinds
from supportdesk.notify.notifications import notify_agents
from supportdesk.notify.services import is_muted
from supportdesk.tickets.models import EventKind, Message, Ticket, TicketEvent


def on_events(events: Sequence[TicketEvent]) -> None:
    """Queue the mail work of these events as a job, so that a slow or failing mail step
    never delays or undoes the change. Nothing while mail is `muted()`."""
    if is_muted():
        return
    if any(e.kind == EventKind.MESSAGE or _is_assignment(e) for e in events):
        from supportdesk.notify.tasks import mail_for_events

        enqueue(mail_for_events, [e.pk for e in events])


def _is_assignment(event: TicketEvent) -> bool:
    """A ticket given to someone by someone else (taking a ticket yourself is no news)."""
    return (
        event.kind == EventKind.CHANGED
        and event.field == "assignee"
        and event.new is not None
        and event.new != event.actor_id
    )


def mail_for(events: Sequence[TicketEvent]) -> None:
    _tell_assigned([e for e in events if _is_assignment(e)])
    message_ids = [e.message_id for e in events if e.kind == EventKind.MESSAGE and e.message_id]
    if not message_ids:
        return
    messages = (
        Message.objects.filter(pk__in=message_ids)
        .select_related("author", "ticket__requester", "ticket__assignee")
        .prefetch_related("ticket__cc", "ticket__followers")
    )
    for message in messages:
        ticket = message.ticket
        if message.public and message.author.is_agent:
            _send_public_reply(ticket, message)
        _tell_agents(ticket, message)


def ticket_url(ticket: Ticket) -> str:
    return f"{settings.SITE_URL}/requests/{ticket.pk}/"


def agent_url(ticket: Ticket) -> str:
    return f"{settings.SITE_URL}/agent/tickets/{ticket.pk}/"


def _send_public_reply(ticket: Ticket, message: Message) -> None:
    """An agent's public reply, by mail to the requester and CCs (notes never)."""
    if message.public:
        send_public_reply(ticket, message, url=ticket_url(ticket))


def _tell_assigned(events: Sequence[TicketEvent]) -> None:
    if not events:
        return
    people = User.objects.in_bulk([e.new for e in events if isinstance(e.new, int)])
    for event in events:
        person = people.get(event.new)
        if person is None:
            continue
        ticket, actor = event.ticket, event.actor
        # No actor: a rule or the system (mail routing, an import) assigned it.
        said = (
            f"{actor.display_name} assigned you #{ticket.pk}"
            if actor
            else f"#{ticket.pk} was assigned to you"
        )
        notify_agents(
            kinds.ASSIGNED,
            users=[person],
            ticket=ticket,
            actor=actor,
            text=f"{said} {ticket.subject}",
            email_subject=f"[#{ticket.pk}] Assigned to you: {ticket.subject}",
            email_body=f"{said}:\n\n{ticket.subject}\n\n{agent_url(ticket)}\n",
        )


def _tell_agents(ticket: Ticket, message: Message) -> None:
    told = _tell_mentioned(ticket, message, skip={message.author_id})
    if message.public and not message.author.is_agent and ticket.assignee_id:
        # The default rule "Notify the assignee of a customer reply" tells them.
        told.add(ticket.assignee_id)
    _tell_followers(ticket, message, skip=told | {message.author_id})


def _tell_mentioned(ticket: Ticket, message: Message, *, skip: set[int]) -> set[int]:
    """Agents @mentioned in a note (metadata["mentions"] holds their ids)."""
    ids = {i for i in (message.metadata or {}).get("mentions") or [] if isinstance(i, int)}
    if not ids - skip:
        return set()
    people = list(User.objects.filter(pk__in=ids - skip, role__in=STAFF_ROLES, is_active=True))
    author = message.author
    where = "a reply" if message.public else "a note"
    notify_agents(
        kinds.MENTIONED,
        users=people,
        ticket=ticket,
        actor=author,
        text=f"{author.display_name} mentioned you on #{ticket.pk} {ticket.subject}",
        email_subject=f"[#{ticket.pk}] {author.display_name} mentioned you: {ticket.subject}",
        email_body=(
            f"{author.display_name} mentioned you in {where} on ticket #{ticket.pk}:\n\n"
            f"{message.body}\n\n{agent_url(ticket)}\n"
        ),
    )
    return {p.pk for p in people}


def _tell_followers(ticket: Ticket, message: Message, *, skip: set[int]) -> None:
    followers = [f for f in ticket.followers.all() if f.pk not in skip]
    if not followers:
        return
    author = message.author
    what = "reply" if message.public else "internal note"
    did = "replied on" if message.public else "added a note on"
    notify_agents(
        kinds.FOLLOWED_CHANGED,
        users=followers,
        ticket=ticket,
        actor=author,
        text=f"{author.display_name} {did} #{ticket.pk} {ticket.subject}",
        email_subject=f"[#{ticket.pk}] New {what}: {ticket.subject}",
        email_body=(
            f"{author.display_name} added a {what} to ticket #{ticket.pk}:\n\n"
            f"{message.body}\n\n{agent_url(ticket)}\n"
        ),
    )
