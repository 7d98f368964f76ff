"""Automation jobs: rules' mail (after the change commits), and the periodic ones: time
rules, SLA signals for triggers, and routing of tickets that wait for an agent."""

from __future__ import annotations

from typing import Any

from supportdesk.jobs import job, periodic


@job()
def send_rule_mail(
    ticket_id: int, value: dict[str, Any], rule: str, event: str, message_id: int | None
) -> None:
    """A rule's send_email action, after the change that fired it committed."""
    from supportdesk.automation import mail
    from supportdesk.automation.run import RuleRun
    from supportdesk.tickets.models import Message, Ticket

    ticket = (
        Ticket.objects.select_related("requester", "group", "assignee").filter(pk=ticket_id).first()
    )
    if ticket is None:
        return
    message = None
    if message_id is not None:
        message = Message.objects.select_related("author").filter(pk=message_id).first()
    mail.send_rule_mail(value, ticket, RuleRun(rule, event, message))


@periodic(minute="*/5")
def run_time_rules() -> dict[str, int]:
    from supportdesk.automation.timerules import run_time_rules as run

    return run()


@periodic(minute="*")
def raise_sla_signals() -> int:
    from supportdesk.automation.slasignals import raise_sla_signals as run

    return run()


@periodic(minute="*")
def route_waiting() -> int:
    from supportdesk.automation.routing import route_waiting as run

    return run()
