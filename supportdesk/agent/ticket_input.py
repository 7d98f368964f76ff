"""Turning the ticket page's form posts into service arguments.

Each function reads plain form fields (as a browser sends them, with or without htmx)
and returns values the services accept, raising DomainError with a message for the
person when something cannot be understood.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.datastructures import MultiValueDict

from supportdesk.accounts.models import STAFF_ROLES, Group, User
from supportdesk.accounts.services import find_or_create_requester
from supportdesk.lib.errors import DomainError
from supportdesk.tickets.models import CustomField, FieldType, Ticket
from supportdesk.tickets.services import Upload

_SPLIT = re.compile(r"[,\s]+")
# @ann, @ann.lee or @ann@acme.com: the part an agent types after @.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


def words(text: str) -> list[str]:
    return [w for w in _SPLIT.split(text or "") if w]


def uploads(files: MultiValueDict, name: str = "attachments") -> list[Upload]:
    return [
        Upload(
            filename=f.name or "file",
            content_type=f.content_type or "application/octet-stream",
            data=f,
            size=f.size or 0,
        )
        for f in files.getlist(name)
        if f.size
    ]


def ref(model: type[Group] | type[User], raw: str, what: str) -> Any:
    if not raw:
        return None
    qs: Any = model.objects.all()
    if model is User:
        qs = qs.filter(role__in=STAFF_ROLES)
    found = qs.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
    if found is None:
        raise DomainError(f"{what}: unknown {what}")
    return found


def property_changes(post: Any, ticket: Ticket) -> dict[str, Any]:
    """The properties the form changes, as `update_ticket` takes them. Fields absent from
    the post are left alone, so a smaller form (a quick action) changes only its own."""
    changes: dict[str, Any] = {}
    for name in ("status", "priority", "type"):
        value = post.get(name)
        if value and value != getattr(ticket, name):
            changes[name] = value
    if "group" in post:
        group = ref(Group, post["group"], "group")
        if (group.pk if group else None) != ticket.group_id:
            changes["group"] = group
    if "assignee" in post:
        assignee = ref(User, post["assignee"], "assignee")
        if (assignee.pk if assignee else None) != ticket.assignee_id:
            changes["assignee"] = assignee
    if "tags" in post:
        tags = words(post["tags"])
        if tags != list(ticket.tags):
            changes["tags"] = tags
    if "cc" in post:
        changes["cc"] = [find_or_create_requester(e) for e in words(post["cc"])]
    if "followers_present" in post:
        changes["followers"] = [ref(User, i, "follower") for i in post.getlist("followers")]
    values = custom_field_values(post, CustomField.objects.filter(enabled=True))
    if values:
        changes["custom_fields"] = values
    return changes


def custom_field_values(post: Any, fields: Any) -> dict[str, Any]:
    """Values of the custom fields present in the form (`cf_<key>`); an empty input
    clears the field. Checkboxes send `cf_<key>_present` so that unticking one counts."""
    values: dict[str, Any] = {}
    for field in fields:
        name = f"cf_{field.key}"
        if field.type == FieldType.CHECKBOX:
            if f"{name}_present" in post:
                values[field.key] = name in post
            continue
        if name not in post:
            continue
        raw = post[name].strip()
        if field.type == FieldType.NUMBER and raw:
            try:
                values[field.key] = float(raw) if "." in raw else int(raw)
            except ValueError as exc:
                raise DomainError(f"{field.label}: a number, please") from exc
        else:
            values[field.key] = raw or None
    return values


def mentioned_agents(text: str) -> list[User]:
    """Agents named in a note as @name-part, @first.last or @full@address."""
    handles = {m.lower() for m in MENTION.findall(text or "")}
    if not handles:
        return []
    agents = User.objects.filter(role__in=STAFF_ROLES, is_active=True)
    found = []
    for agent in agents.only("pk", "email", "name"):
        local = agent.email.split("@")[0].lower()
        name = ".".join(agent.name.lower().split())
        first = agent.name.lower().split()[0] if agent.name.strip() else local
        if {agent.email.lower(), local, name, first} & handles:
            found.append(agent)
    return found


def signed(body: str, user: User) -> str:
    signature = user.signature.strip()
    return f"{body.rstrip()}\n\n{signature}" if signature else body
