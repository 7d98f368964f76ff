"""Running a rule's actions on a ticket: the property changes as one change set through
`update_ticket` (one event per property, each naming the rule), then routing, then the
other actions in order. Each step has its own savepoint: a failing one is logged and
recorded on the ticket, rolled back alone, and never undoes the change that caused it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction

from supportdesk.accounts.models import STAFF_ROLES, Group, User
from supportdesk.automation import kinds
from supportdesk.automation.actions import PROPERTY_ACTIONS, planned_changes, routing_of
from supportdesk.automation.context import render, ticket_context
from supportdesk.automation.system import automation_user
from supportdesk.lib.errors import DomainError
from supportdesk.notify import kinds as notify_kinds
from supportdesk.notify.notifications import notify_agents
from supportdesk.tickets.models import Message, Source, Status, Ticket
from supportdesk.tickets.services import record_automation, reply, update_ticket

log = logging.getLogger(__name__)


@dataclass
class RuleRun:
    """One rule firing: its name (for the events), the event that fired it, and the
    message of that event when there is one (a reply's text for notifications)."""

    rule: str
    event: str
    message: Message | None = None

    @property
    def label(self) -> str:
        return f"rule '{self.rule}'"


def run_actions(actions: list[dict[str, Any]], ticket: Ticket, run: RuleRun) -> int:
    """Run the actions; returns how many failed."""
    failed = 0
    # A closed ticket cannot change (a customer's reply opens a follow-up): its rules
    # may still mail, notify and call webhooks.
    closed = ticket.status == Status.CLOSED
    changes = {} if closed else planned_changes(actions, ticket)
    if changes:
        failed += _step(
            ticket,
            run,
            "changes",
            lambda: update_ticket(
                ticket, by=None, changes=changes, source=Source.RULE, rule=run.rule
            ),
        )
    strategy = None if closed else routing_of(actions)
    if strategy:
        from supportdesk.automation.routing import route

        failed += _step(
            ticket, run, "routing", lambda: route(ticket, strategy=strategy, rule=run.rule)
        )
    for item in actions:
        if closed and item["action"] in WRITES:
            continue
        if item["action"] not in PROPERTY_ACTIONS:
            act = partial(SIDE_EFFECTS[item["action"]], item["value"], ticket, run)
            failed += _step(ticket, run, item["action"], act)
    return failed


def _step(ticket: Ticket, run: RuleRun, what: str, fn: Callable[[], Any]) -> int:
    try:
        with transaction.atomic():
            fn()
    except DomainError as exc:
        # A rule asking for what the ticket no longer allows: worth a line, not a trace.
        log.warning("automation: %s, %s on ticket %s: %s", run.label, what, ticket.pk, exc)
        record_automation(ticket, text=f"{what} of {run.label} failed: {exc}"[:300], rule=run.rule)
        return 1
    except Exception as exc:
        log.exception("automation: %s, %s on ticket %s failed", run.label, what, ticket.pk)
        record_automation(ticket, text=f"{what} of {run.label} failed: {exc}"[:300], rule=run.rule)
        return 1
    return 0


def _context(ticket: Ticket, run: RuleRun) -> dict[str, Any]:
    return ticket_context(ticket, message=run.message, rule=run.rule)


# Side effects ---------------------------------------------------------------------------


def _add_note(value: str, ticket: Ticket, run: RuleRun) -> None:
    reply(
        ticket,
        author=automation_user(),
        body=render(value, _context(ticket, run)),
        public=False,
        source=Source.RULE,
        rule=run.rule,
    )


def _send_email(value: dict[str, Any], ticket: Ticket, run: RuleRun) -> None:
    """Queued to run after the change commits, as a job that retries: rendering and
    loop checks (and, for the acknowledgement, the SLA's first-reply time) never slow
    down or undo the change that caused them."""
    from supportdesk.automation.tasks import send_rule_mail
    from supportdesk.jobs import enqueue

    message_id = run.message.pk if run.message is not None else None
    enqueue(send_rule_mail, ticket.pk, value, run.rule, run.event, message_id)


def _agents(to: list[Any], ticket: Ticket) -> list[User]:
    ids = {i for i in to if isinstance(i, int)}
    if "assignee" in to and ticket.assignee_id:
        ids.add(ticket.assignee_id)
    if ticket.group_id and ("group" in to or "group_lead" in to):
        group = Group.objects.get(pk=ticket.group_id)
        if "group_lead" in to and group.lead_id:
            ids.add(group.lead_id)
        if "group" in to:
            ids.update(group.members.values_list("pk", flat=True))
    if not ids:  # no assignee, no group: nobody to look up
        return []
    return list(User.objects.filter(pk__in=ids, role__in=STAFF_ROLES, is_active=True))


def _kind(event: str) -> str:
    return {
        "ticket.customer_replied": notify_kinds.CUSTOMER_REPLIED,
        "ticket.created": kinds.NEW_IN_GROUP.key,
        "sla.warning": "sla_warning",
        "sla.breached": "sla_breached",
    }.get(event, kinds.RULE.key)


def _notify(value: dict[str, Any], ticket: Ticket, run: RuleRun) -> None:
    people = _agents(value["to"], ticket)
    if not people:
        return
    url = f"{settings.SITE_URL}/agent/tickets/{ticket.pk}/"
    message = run.message
    if value.get("text"):
        line = render(value["text"], _context(ticket, run))
        subject, body = (
            f"[#{ticket.pk}] {line}",
            f"{line}\n\n#{ticket.pk} {ticket.subject}\n{url}\n",
        )
    elif message is not None and run.event == "ticket.customer_replied":
        who = message.author.display_name
        line = f"{who} replied on #{ticket.pk} {ticket.subject}"
        subject = f"[#{ticket.pk}] {who} replied: {ticket.subject}"
        body = f"{who} replied on ticket #{ticket.pk}:\n\n{message.body}\n\n{url}\n"
    elif run.event == "ticket.created":
        line = f"New ticket #{ticket.pk} {ticket.subject}"
        subject = f"[#{ticket.pk}] New ticket: {ticket.subject}"
        body = f"{line}\n\n{message.body if message else ''}\n\n{url}\n"
    else:
        line = f"#{ticket.pk} {ticket.subject} ({run.label})"
        subject, body = f"[#{ticket.pk}] {ticket.subject}", f"{line}\n\n{url}\n"
    actor = message.author if message is not None else None
    notify_agents(
        _kind(run.event),
        users=people,
        ticket=ticket,
        actor=actor,
        text=line,
        email_subject=subject,
        email_body=body,
    )


def _webhook(value: dict[str, Any], ticket: Ticket, run: RuleRun) -> None:
    from supportdesk.sla.escalations import ticket_payload
    from supportdesk.webhooks.models import WebhookEndpoint
    from supportdesk.webhooks.services import send_webhook

    endpoint = WebhookEndpoint.objects.filter(pk=value["endpoint"]).first()
    if endpoint is None:
        raise LookupError(f"webhook endpoint {value['endpoint']} no longer exists")
    payload: dict[str, Any] = {
        "rule": run.rule,
        "event": run.event,
        "ticket": ticket_payload(ticket),
    }
    if value.get("body"):
        payload["body"] = render(value["body"], _context(ticket, run))
    send_webhook(endpoint, event=run.event, payload=payload, source=run.label)


def _apply_macro(value: int, ticket: Ticket, run: RuleRun) -> None:
    """A shared macro applied by a rule: its text (the chat variant on chat tickets) as a
    reply or note by "Automation", its changes, one use counted; events name the rule."""
    from supportdesk.automation.macros import record_use, text_for
    from supportdesk.automation.models import Macro

    macro = Macro.objects.filter(pk=value, owner=None).first()
    if macro is None:
        raise LookupError(f"macro {value} no longer exists")
    text = text_for(macro, ticket.channel)
    body = render(text, ticket_context(ticket, rule=run.rule)).strip() if text else ""
    changes = planned_changes(macro.actions, ticket)
    if body:
        reply(
            ticket,
            author=automation_user(),
            body=body,
            public=macro.public,
            source=Source.RULE,
            rule=run.rule,
        )
    if changes:
        update_ticket(ticket, by=None, changes=changes, source=Source.RULE, rule=run.rule)
    record_use(macro, ticket, None)


# Actions that write on the ticket, which a closed ticket no longer takes.
WRITES = {"add_note", "apply_macro"}
SIDE_EFFECTS: dict[str, Callable[[Any, Ticket, RuleRun], None]] = {
    "add_note": _add_note,
    "send_email": _send_email,
    "notify": _notify,
    "webhook": _webhook,
    "apply_macro": _apply_macro,
}
