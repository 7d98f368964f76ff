"""The send_email action: who a rule's mail goes to, rendered and sent through the mail
channel (`mail.outbound`), with the same loop protection as the acknowledgement when it
goes to customers."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from supportdesk.automation.context import render, ticket_context
from supportdesk.automation.run import RuleRun
from supportdesk.mail.outbound import (
    may_auto_reply,
    record_auto_reply,
    send_acknowledgement,
    send_automatic,
)
from supportdesk.tickets.models import Message, Ticket
from supportdesk.tickets.services import record_automation

log = logging.getLogger(__name__)


def _addresses(to: str, ticket: Ticket) -> tuple[list[str], bool]:
    """(addresses, whether they are customers'), active people only."""
    if to == "requester":
        person = ticket.requester
        return ([person.email] if person.is_active else []), True
    if to == "cc":
        return [p.email for p in ticket.cc.filter(is_active=True)], True
    if to == "assignee":
        assignee = ticket.assignee
        return ([assignee.email] if assignee and assignee.is_active else []), False
    if to == "group":
        if ticket.group is None:
            return [], False
        return [p.email for p in ticket.group.members.filter(is_active=True)], False
    return [to], True  # an address: outside, so treated with the customers' care


def _latest_message(ticket: Ticket, run: RuleRun) -> Message | None:
    return run.message or Message.objects.filter(ticket=ticket).order_by("-id").first()


def send_rule_mail(value: dict[str, Any], ticket: Ticket, run: RuleRun) -> None:
    if value.get("template") == "acknowledgement":
        first = Message.objects.filter(ticket=ticket).order_by("id").first()
        if first is not None:
            url = f"{settings.SITE_URL}/requests/{ticket.pk}/"
            if send_acknowledgement(ticket, first, url=url) is not None:
                record_automation(
                    ticket, text=f"Acknowledgement sent to {ticket.requester.email}", rule=run.rule
                )
        return
    addresses, outside = _addresses(value["to"], ticket)
    message = _latest_message(ticket, run)
    if outside and message is not None:
        allowed = []
        for address in addresses:
            reason = may_auto_reply(address, message)
            if reason:
                log.info("rule %r sends no mail to %s: %s", run.rule, address, reason)
            else:
                allowed.append(address)
        addresses = allowed
    if not addresses:
        return
    context = ticket_context(ticket, message=run.message, rule=run.rule)
    subject = " ".join(render(value["subject"], context).split())
    body = render(value["body"], context)
    sent = send_automatic(ticket, to=addresses, subject=subject, text=body, tag="rule")
    if sent is None:
        return
    if outside:
        for address in addresses:
            record_auto_reply(address)
    record_automation(
        ticket, text=f"E-mail “{subject}” sent to {', '.join(addresses)}", rule=run.rule
    )
