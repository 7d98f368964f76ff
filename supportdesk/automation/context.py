"""What rule and macro texts are rendered over: plain dicts of plain values, never model
objects, so that a template can read what it is given and nothing else (Jinja2's sandbox
keeps it from calling anything).

    {{ ticket.number }} {{ ticket.subject }} {{ ticket.url }} {{ ticket.status }}
    {{ ticket.custom_fields.order_id }} {{ requester.first_name }} {{ agent.first_name }}
    {{ assignee.name }} {{ group.name }} {{ message.body }} {{ rule.name }}
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from supportdesk.accounts.models import User
from supportdesk.mail.templates import TemplateProblem, render_text
from supportdesk.tickets.models import CustomField, Message, Ticket

# What an admin's text is checked against when a rule or macro is saved.
SAMPLE: dict[str, Any] = {
    "ticket": {
        "number": 1234,
        "subject": "My invoice is wrong",
        "status": "open",
        "priority": "normal",
        "type": "question",
        "channel": "email",
        "tags": ["billing"],
        "custom_fields": {},
        "url": "https://help.example.com/requests/1234/",
        "agent_url": "https://help.example.com/agent/tickets/1234/",
    },
    "requester": {"name": "Ann Lee", "first_name": "Ann", "email": "ann@example.com"},
    "agent": {"name": "Sam Agent", "first_name": "Sam", "email": "sam@example.com"},
    "assignee": {"name": "Sam Agent", "first_name": "Sam", "email": "sam@example.com"},
    "group": {"name": "Billing"},
    "message": {"body": "I was charged twice.", "author": "Ann Lee", "public": True},
    "rule": {"name": "Refunds to billing"},
}


def person(user: User | None) -> dict[str, str]:
    if user is None:
        return {"name": "", "first_name": "", "email": ""}
    name = user.display_name
    return {"name": name, "first_name": (name.split() or [""])[0], "email": user.email}


def ticket_context(
    ticket: Ticket,
    *,
    agent: User | None = None,
    message: Message | None = None,
    rule: str = "",
) -> dict[str, Any]:
    """The context for one ticket; `agent` is who applies a macro (or the assignee)."""
    group = ticket.group
    return {
        "ticket": {
            "number": ticket.pk,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "type": ticket.type,
            "channel": ticket.channel,
            "tags": list(ticket.tags),
            "custom_fields": dict(ticket.custom_fields or {}),
            "url": f"{settings.SITE_URL}/requests/{ticket.pk}/",
            "agent_url": f"{settings.SITE_URL}/agent/tickets/{ticket.pk}/",
        },
        "requester": person(ticket.requester),
        "agent": person(agent or ticket.assignee),
        "assignee": person(ticket.assignee),
        "group": {"name": group.name if group else ""},
        "message": {
            "body": message.body if message else "",
            "author": message.author.display_name if message else "",
            "public": message.public if message else False,
        },
        "rule": {"name": rule},
    }


def render(text: str, context: dict[str, Any]) -> str:
    """A rule's or macro's text rendered; raises TemplateProblem (a DomainError)."""
    return render_text("-", text, context)[1]


def _sample() -> dict[str, Any]:
    """SAMPLE with every defined custom field, so `{{ ticket.custom_fields.KEY }}` of a
    field that exists passes the strict check and a misspelt key does not."""
    keys = CustomField.objects.values_list("key", flat=True)
    fields = {key: "example" for key in keys}
    if not fields:
        return SAMPLE
    ticket = {**SAMPLE["ticket"], "custom_fields": {**fields, **SAMPLE["ticket"]["custom_fields"]}}
    return {**SAMPLE, "ticket": ticket}


def check(text: str, where: str) -> str:
    """`text` if it renders over the sample with every placeholder known; else a
    TemplateProblem naming `where`."""
    try:
        render_text("-", text, _sample(), strict=True)
    except TemplateProblem as exc:
        # render_text names the part it rendered ("body", "body, line 3"): here it is `where`.
        said = str(exc).removeprefix("body, ").removeprefix("body: ")
        raise TemplateProblem(f"{where}: {said}") from exc
    return text
