"""A ticket's timeline: its messages and compact lines for property changes, in order,
with the people and groups that events name by id resolved in two queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from supportdesk.accounts.models import Group, User
from supportdesk.tickets.models import EventKind, Message, TicketEvent

PERSON_FIELDS = {"assignee", "requester"}
PEOPLE_FIELDS = {"cc", "followers"}
LABELS = {"custom_fields": "Fields", "cc": "CC", "type": "Type", "sla_policy": "SLA policy"}


@dataclass
class Entry:
    kind: str  # "message" or "event"
    at: Any
    message: Message | None = None
    text: str = ""
    actor: str = ""


def build_timeline(messages: list[Message], events: list[TicketEvent]) -> list[Entry]:
    lines = [e for e in events if e.kind not in (EventKind.MESSAGE,)]
    names = _names(lines)
    entries = [Entry("message", m.created_at, message=m) for m in messages]
    for event in lines:
        text = describe(event, names)
        if text:
            # Macros name themselves ("macro 'Refund sent'"); rules are named bare.
            rule = event.rule
            actor = rule and (rule if rule.startswith("macro '") else f"rule '{rule}'")
            actor = actor or (event.actor.display_name if event.actor else "the system")
            entries.append(Entry("event", event.created_at, text=text, actor=actor))
    # Messages before the property changes made in the same action.
    entries.sort(key=lambda e: (e.at, e.kind != "message"))
    return entries


def _names(events: list[TicketEvent]) -> dict[tuple[str, int], str]:
    user_ids: set[int] = set()
    group_ids: set[int] = set()
    policy_ids: set[int] = set()
    for e in events:
        values = [v for v in (e.old, e.new) if v is not None]
        if e.field in PERSON_FIELDS:
            user_ids.update(v for v in values if isinstance(v, int))
        elif e.field in PEOPLE_FIELDS:
            user_ids.update(i for v in values if isinstance(v, list) for i in v)
        elif e.field == "group":
            group_ids.update(v for v in values if isinstance(v, int))
        elif e.field == "sla_policy":
            policy_ids.update(v for v in values if isinstance(v, int))
    names: dict[tuple[str, int], str] = {}
    for user in User.objects.filter(pk__in=user_ids).only("pk", "name", "email"):
        names[("user", user.pk)] = user.display_name
    for group in Group.objects.filter(pk__in=group_ids).only("pk", "name"):
        names[("group", group.pk)] = group.name
    if policy_ids:
        from supportdesk.sla.models import Policy

        for policy in Policy.objects.filter(pk__in=policy_ids).only("pk", "name"):
            names[("policy", policy.pk)] = policy.name
    return names


def _show(field: str, value: Any, names: dict[tuple[str, int], str]) -> str:
    if value is None or value == [] or value == "":
        return "none"
    if field in PERSON_FIELDS:
        return names.get(("user", value), f"#{value}")
    if field in PEOPLE_FIELDS:
        return ", ".join(names.get(("user", v), f"#{v}") for v in value)
    if field == "group":
        return names.get(("group", value), f"#{value}")
    if field == "sla_policy":
        return names.get(("policy", value), f"#{value}")
    if field == "tags":
        return ", ".join(value)
    if field == "custom_fields" and isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "none"
    return str(value)


def describe(event: TicketEvent, names: dict[tuple[str, int], str]) -> str:
    """One line, e.g. "Priority: normal → high"."""
    if event.kind == EventKind.CHANGED:
        label = LABELS.get(event.field, event.field.replace("_", " ").capitalize())
        old, new = _show(event.field, event.old, names), _show(event.field, event.new, names)
        return f"{label}: {old} → {new}"
    if event.kind == EventKind.CREATED:
        return "Ticket created"
    if event.kind == EventKind.MERGED:
        return _merged(event)
    if event.kind == EventKind.LINKED:
        kind = event.field.split(":")[0].replace("_", " ")
        if event.new is not None:
            return f"Linked ({kind}) to #{event.new}"
        return f"Unlinked ({kind}) from #{event.old}"
    if event.kind == EventKind.TRASHED:
        return "Moved to the trash"
    if event.kind == EventKind.RESTORED:
        return "Restored from the trash"
    if event.kind == EventKind.AUTOMATION and isinstance(event.new, dict):
        return str(event.new.get("text", ""))
    return ""


def _merged(event: TicketEvent) -> str:
    if event.field == "merged_into":
        return f"Merged into #{event.new}"
    return f"Ticket #{event.new} merged into this one"
