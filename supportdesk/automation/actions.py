"""The actions of triggers, time rules and macros: checked when a rule is saved (names
become ids, texts must render), so that running them trusts what it reads.

    {"action": "set_priority", "value": "urgent"}
    {"action": "set_group", "value": "Billing"}            # stored as the group's id
    {"action": "set_assignee", "value": "round_robin"}     # or an id or an e-mail
    {"action": "add_tags", "value": ["vip"]}
    {"action": "set_field", "value": {"key": "order_id", "value": "42"}}
    {"action": "add_note", "value": "Customer is on the {{ ticket.priority }} plan"}
    {"action": "send_email", "value": {"to": "requester", "subject": "...", "body": "..."}}
    {"action": "notify", "value": {"to": ["assignee", "group", 12], "text": "..."}}
    {"action": "webhook", "value": {"endpoint": 3, "body": "..."}}
    {"action": "apply_macro", "value": 7}

Running them is in `run.py`; this module only cleans and describes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from supportdesk.accounts.models import Group, Role, User
from supportdesk.automation.context import check
from supportdesk.lib.errors import DomainError
from supportdesk.tickets.fields import clean_custom_fields, clean_tags
from supportdesk.tickets.models import CustomField, Priority, Status, Ticket, TicketType

PROPERTY_ACTIONS = (
    "set_status",
    "set_priority",
    "set_type",
    "set_group",
    "set_assignee",
    "add_tags",
    "remove_tags",
    "set_field",
)
TRIGGER_ACTIONS = (
    *PROPERTY_ACTIONS,
    "add_note",
    "send_email",
    "notify",
    "webhook",
    "apply_macro",
)
MACRO_ACTIONS = PROPERTY_ACTIONS
ROUTING = ("round_robin", "least_loaded", "skills")
MAIL_TO = ("requester", "assignee", "group", "cc")
NOTIFY_TO = ("assignee", "group", "group_lead")
MAX_ACTIONS = 30
MAX_TEXT = 20_000


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _text(value: Any, where: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise DomainError(f"{where}: text of 1 to {limit:,} characters")
    return check(value, where)


def _choice(choices: Collection[str], noun: str) -> Callable[[Any, str], Any]:
    def clean(value: Any, where: str) -> Any:
        if value not in choices:
            raise DomainError(f"{where}: {noun} {value!r} is not one of {', '.join(choices)}")
        return value

    return clean


def _group(value: Any, where: str) -> int:
    found = None
    if _is_id(value):
        found = Group.objects.filter(pk=value).values_list("pk", flat=True).first()
    elif isinstance(value, str):
        found = Group.objects.filter(name=value.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise DomainError(f"{where}: no group {value!r}")
    return int(found)


def _agent(value: Any, where: str) -> int:
    agents = User.objects.filter(role__in=(Role.ADMIN, Role.AGENT), is_active=True)
    found = None
    if _is_id(value):
        found = agents.filter(pk=value).values_list("pk", flat=True).first()
    elif isinstance(value, str):
        found = agents.filter(email__iexact=value.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise DomainError(f"{where}: no active agent {value!r}")
    return int(found)


def _assignee(value: Any, where: str) -> int | str | None:
    if value is None or value in ROUTING:
        return value  # type: ignore[no-any-return]
    return _agent(value, where)


def _tags(value: Any, where: str) -> list[str]:
    try:
        tags = clean_tags(value)
    except DomainError as exc:
        raise DomainError(f"{where}: {exc}") from exc
    if not tags:
        raise DomainError(f"{where}: a list of tags")
    return tags


def _field(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != {"key", "value"}:
        raise DomainError(f'{where}: {{"key": <custom field key>, "value": ...}}')
    key = value["key"]
    if not isinstance(key, str) or not CustomField.objects.filter(key=key).exists():
        raise DomainError(f"{where}: no custom field {key!r}")
    try:
        clean = clean_custom_fields({key: value["value"]}, {})
    except DomainError as exc:
        raise DomainError(f"{where}: {exc}") from exc
    return {"key": key, "value": clean.get(key)}


def _mail(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or "to" not in value:
        raise DomainError(f'{where}: {{"to": ..., "subject": ..., "body": ...}}')
    if set(value) - {"to", "subject", "body", "template"}:
        raise DomainError(f"{where}: only to, subject, body (or template)")
    to = value["to"]
    if to not in MAIL_TO:
        try:
            validate_email(to)
        except (ValidationError, TypeError) as exc:
            raise DomainError(
                f"{where}.to: {', '.join(MAIL_TO)} or an e-mail address, not {to!r}"
            ) from exc
    if "template" in value:
        # The admin's acknowledgement, with its loop protection: the default rule's mail.
        if value["template"] != "acknowledgement" or to != "requester":
            raise DomainError(f'{where}: "template" is only "acknowledgement", to the requester')
        return {"to": to, "template": "acknowledgement"}
    subject = _text(value.get("subject"), f"{where}.subject", limit=255)
    return {"to": to, "subject": subject, "body": _text(value.get("body"), f"{where}.body")}


def _notify(value: Any, where: str) -> dict[str, Any]:
    if isinstance(value, list):
        value = {"to": value}
    if not isinstance(value, dict) or not isinstance(value.get("to"), list) or not value["to"]:
        raise DomainError(f'{where}: {{"to": ["assignee", "group", "group_lead", <agent>...]}}')
    if set(value) - {"to", "text"}:
        raise DomainError(f"{where}: only to and text")
    to: list[Any] = []
    for item in value["to"][:50]:
        to.append(item if item in NOTIFY_TO else _agent(item, f"{where}.to"))
    out: dict[str, Any] = {"to": list(dict.fromkeys(to))}
    if value.get("text"):
        out["text"] = _text(value["text"], f"{where}.text", limit=1000)
    return out


def _webhook(value: Any, where: str) -> dict[str, Any]:
    from supportdesk.webhooks.models import WebhookEndpoint

    if not isinstance(value, dict):
        value = {"endpoint": value}
    if set(value) - {"endpoint", "url", "body"}:
        raise DomainError(f"{where}: endpoint (or url) and an optional body")
    endpoints = WebhookEndpoint.objects.all()
    ref, url = value.get("endpoint"), value.get("url")
    found = None
    if _is_id(ref):
        found = endpoints.filter(pk=ref).values_list("pk", flat=True).first()
    elif isinstance(ref, str):
        found = endpoints.filter(name=ref).values_list("pk", flat=True).first()
    elif isinstance(url, str):
        # Signed with the endpoint's secret, so the URL must be one of our endpoints.
        found = endpoints.filter(url=url.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise DomainError(
            f"{where}: no webhook endpoint {ref or url!r}; add it under Admin > Webhooks"
        )
    out: dict[str, Any] = {"endpoint": int(found)}
    if value.get("body"):
        out["body"] = _text(value["body"], f"{where}.body")
    return out


def _macro(value: Any, where: str) -> int:
    from supportdesk.automation.models import Macro

    shared = Macro.objects.filter(owner=None)
    found = None
    if _is_id(value):
        found = shared.filter(pk=value).values_list("pk", flat=True).first()
    elif isinstance(value, str):
        found = shared.filter(name=value.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise DomainError(f"{where}: no shared macro {value!r}")
    return int(found)


CLEANERS: dict[str, Callable[[Any, str], Any]] = {
    "set_status": _choice([s for s in Status.values if s != Status.NEW], "status"),
    "set_priority": _choice(Priority.values, "priority"),
    "set_type": _choice(TicketType.values, "type"),
    "set_group": _group,
    "set_assignee": _assignee,
    "add_tags": _tags,
    "remove_tags": _tags,
    "set_field": _field,
    "add_note": lambda v, w: _text(v, w),
    "send_email": _mail,
    "notify": _notify,
    "webhook": _webhook,
    "apply_macro": _macro,
}


def clean_actions(
    actions: Any, *, allowed: Collection[str] = TRIGGER_ACTIONS, required: bool = True
) -> list[dict[str, Any]]:
    """The actions with names resolved to ids, or a DomainError naming the bad one."""
    low = 1 if required else 0
    if not isinstance(actions, list) or not low <= len(actions) <= MAX_ACTIONS:
        raise DomainError(f"actions: a list of {low} to {MAX_ACTIONS} actions")
    out = []
    for i, item in enumerate(actions):
        where = f"actions[{i}]"
        if not isinstance(item, dict) or set(item) - {"action", "value"} or "action" not in item:
            raise DomainError(f'{where}: {{"action": ..., "value": ...}}')
        name = item["action"]
        if name not in allowed:
            raise DomainError(f"{where}.action: unknown action {name!r}; use {', '.join(allowed)}")
        out.append({"action": name, "value": CLEANERS[name](item.get("value"), f"{where}.value")})
    return out


def planned_changes(actions: list[dict[str, Any]], ticket: Ticket) -> dict[str, Any]:
    """The property actions as one `update_ticket` change set (model objects for
    relations). Routing values of set_assignee are left out: routing decides at run
    time. Missing groups or agents (deleted since) are left out too."""
    changes: dict[str, Any] = {}
    tags = list(ticket.tags)
    fields: dict[str, Any] = {}
    for item in actions:
        name, value = item["action"], item["value"]
        if name in ("set_status", "set_priority", "set_type"):
            changes[name.removeprefix("set_")] = value
        elif name == "set_group":
            group = Group.objects.filter(pk=value).first()
            if group is not None:
                changes["group"] = group
        elif name == "set_assignee" and value not in ROUTING:
            changes["assignee"] = (
                None if value is None else User.objects.filter(pk=value, is_active=True).first()
            )
            if value is not None and changes["assignee"] is None:
                del changes["assignee"]
        elif name == "add_tags":
            tags += [t for t in value if t not in tags]
        elif name == "remove_tags":
            tags = [t for t in tags if t not in value]
        elif name == "set_field":
            fields[value["key"]] = value["value"]
    if tags != list(ticket.tags):
        changes["tags"] = tags
    if fields:
        changes["custom_fields"] = fields
    return changes


def routing_of(actions: list[dict[str, Any]]) -> str | None:
    """The routing strategy a set_assignee action asks for, if any (the last one wins)."""
    found = None
    for item in actions:
        if item["action"] == "set_assignee":
            found = item["value"] if item["value"] in ROUTING else None
    return found


def describe_changes(ticket: Ticket, changes: dict[str, Any]) -> list[str]:
    """Lines such as "Priority: normal → urgent", for dry runs and previews."""
    lines = []
    for field, new in changes.items():
        old: Any = getattr(ticket, field, None)
        if field == "custom_fields":
            for key, value in new.items():
                was = (ticket.custom_fields or {}).get(key)
                if was != value:
                    lines.append(f"Field {key}: {_shown(was)} → {_shown(value)}")
            continue
        if _shown(old) != _shown(new):
            lines.append(f"{field.capitalize()}: {_shown(old)} → {_shown(new)}")
    return lines


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, User):
        return value.display_name
    if isinstance(value, Group):
        return value.name
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
