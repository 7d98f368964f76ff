"""The default rules: they do what the help desk did before rules existed (acknowledge a
customer's new ticket, tell the assignee of a customer's reply, close solved tickets
after AUTO_CLOSE_SOLVED_DAYS), plus a notice to the group of a new unassigned ticket.
Ready-made time rules for pending tickets and unassigned ones come switched off.

Installed by the migration `0002_default_rules`; the tests put them back after a
transactional test empties the tables (root conftest)."""

from typing import Any

from django.conf import settings

NONE: dict[str, list[Any]] = {"all": [], "any": []}
TRIGGERS = [
    {
        "name": "Acknowledge new tickets",
        "event": "ticket.created",
        "conditions": {
            "all": [{"field": "actor_role", "operator": "is", "value": "customer"}],
            "any": [],
        },
        "actions": [
            {"action": "send_email", "value": {"to": "requester", "template": "acknowledgement"}}
        ],
        "description": "Mails the requester their ticket number (Admin > E-mail > Templates).",
    },
    {
        "name": "Notify the assignee of a customer reply",
        "event": "ticket.customer_replied",
        "conditions": NONE,
        "actions": [{"action": "notify", "value": {"to": ["assignee"]}}],
        "description": "",
    },
    {
        "name": "Notify the group of a new unassigned ticket",
        "event": "ticket.created",
        "conditions": {
            "all": [{"field": "assignee", "operator": "is_empty", "value": None}],
            "any": [],
        },
        "actions": [{"action": "notify", "value": {"to": ["group"]}}],
        "description": "In the app by default; each agent chooses under Notifications.",
    },
]
REMINDER = (
    "Hello {{ requester.first_name }},\n\nWe are waiting for your answer on request "
    "#{{ ticket.number }} ({{ ticket.subject }}). Reply to this message to continue, or "
    "follow it at {{ ticket.url }}\n\nThe support team\n"
)


def time_rules() -> list[dict[str, Any]]:
    days = int(getattr(settings, "AUTO_CLOSE_SOLVED_DAYS", 4))
    return [
        {
            "name": "Close solved tickets",
            "since": "solved",
            "hours": days * 24.0,
            "enabled": True,
            "conditions": NONE,
            "actions": [{"action": "set_status", "value": "closed"}],
            "description": f"Carried over from AUTO_CLOSE_SOLVED_DAYS ({days}) at install.",
        },
        {
            "name": "Remind the customer of a pending ticket",
            "since": "pending",
            "hours": 72.0,
            "enabled": False,
            "conditions": NONE,
            "actions": [
                {
                    "action": "send_email",
                    "value": {
                        "to": "requester",
                        "subject": "Waiting for your answer: {{ ticket.subject }}",
                        "body": REMINDER,
                    },
                }
            ],
            "description": "",
        },
        {
            "name": "Solve pending tickets after 5 days",
            "since": "pending",
            "hours": 120.0,
            "enabled": False,
            "conditions": NONE,
            "actions": [{"action": "set_status", "value": "solved"}],
            "description": "",
        },
        {
            "name": "Tell the group lead of unassigned tickets",
            "since": "created",
            "hours": 0.5,
            "enabled": False,
            "conditions": {
                "all": [
                    {"field": "assignee", "operator": "is_empty", "value": None},
                    {"field": "status", "operator": "includes_any", "value": ["new", "open"]},
                ],
                "any": [],
            },
            "actions": [{"action": "notify", "value": {"to": ["group_lead"]}}],
            "description": "",
        },
    ]


def install_defaults(
    *, trigger_model: Any = None, time_rule_model: Any = None, only_if_empty: bool = False
) -> None:
    """Create the default rules that do not exist by name (with a migration's historical
    models, or the current ones). `only_if_empty`: only when there are no rules at all."""
    if trigger_model is None or time_rule_model is None:
        from supportdesk.automation.models import TimeRule, Trigger

        trigger_model, time_rule_model = Trigger, TimeRule
    if only_if_empty and (trigger_model.objects.exists() or time_rule_model.objects.exists()):
        return
    for position, values in enumerate(TRIGGERS, start=1):
        trigger_model.objects.get_or_create(
            name=values["name"], defaults={**values, "position": position, "enabled": True}
        )
    for position, values in enumerate(time_rules(), start=1):
        time_rule_model.objects.get_or_create(
            name=values["name"], defaults={**values, "position": position}
        )
