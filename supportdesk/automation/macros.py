"""Macros: canned replies with placeholders and the changes they make, applied by an
agent from the composer or the API.

A macro's texts are Jinja2 templates rendered in the sandbox over `context.ticket_context`
(plain dicts, never model objects); they are checked strictly when saved and rendered
leniently when used, so a placeholder of a field removed since renders as nothing.
Applying one goes through `tickets.services` (reply, update_ticket) with the macro's name
as the `rule` of every event, and counts a `MacroUse` for the admin list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from supportdesk.accounts.models import Group, Role, User
from supportdesk.automation.actions import (
    MACRO_ACTIONS,
    ROUTING,
    clean_actions,
    describe_changes,
    planned_changes,
)
from supportdesk.automation.context import check, render, ticket_context
from supportdesk.automation.models import Macro, MacroUse
from supportdesk.lib.errors import DomainError, NotFound, PermissionDenied
from supportdesk.tickets.models import Channel, Message, Source, Ticket
from supportdesk.tickets.services import Upload, reply, update_ticket
from supportdesk.tickets.visibility import can_see

MAX_NAME = 100
MAX_FOLDER = 100
MAX_TEXT = 20_000
USAGE_DAYS = 90
WORKERS = (Role.ADMIN, Role.AGENT)


@dataclass
class MacroPreview:
    """What a macro does on one ticket: the reply it writes and the changes it makes.
    `changes` is the `update_ticket` change set (model objects); `rows` the same as
    plain data ({"field", "from", "to"}); `lines` in words."""

    macro: Macro
    body: str
    public: bool
    changes: dict[str, Any]
    rows: list[dict[str, Any]]
    lines: list[str]
    committed: bool = False
    message: Message | None = field(default=None)


# Who may do what ------------------------------------------------------------------------


def _check_can_save(by: User, macro: Macro | None, shared: bool) -> None:
    if by.role not in WORKERS:
        raise PermissionDenied("only agents and admins may save macros")
    if by.is_admin:
        return
    if shared:
        raise PermissionDenied("only admins may save shared macros; save it as yours")
    if macro is not None and macro.owner_id != by.pk:
        raise PermissionDenied("only admins may change shared macros or another agent's")


def _check_can_apply(macro: Macro, ticket: Ticket, by: User) -> None:
    if by.role not in WORKERS:
        raise PermissionDenied("only agents may apply macros")
    if macro.owner_id is not None and macro.owner_id != by.pk:
        raise PermissionDenied("this macro is personal to another agent")
    if not macro.enabled:
        raise DomainError("this macro is disabled")
    if not can_see(ticket, by):
        raise NotFound("no such ticket")


def macro_scope(user: User) -> QuerySet[Macro]:
    """The macros `user` works with: the shared ones and their own (none for light
    agents and customers)."""
    if user.role not in WORKERS:
        return Macro.objects.none()
    return Macro.objects.filter(Q(owner=None) | Q(owner=user))


def access_macro(user: User, pk: int | str) -> Macro:
    """Macro `pk` if `user` may see it; NotFound for missing and forbidden alike. Admins
    reach every agent's personal macros too, to tidy them."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise NotFound("no such macro") from exc
    qs = Macro.objects.all() if user.is_admin else macro_scope(user)
    found = qs.select_related("owner").filter(pk=pk).first() if 0 < pk < 2**63 else None
    if found is None:
        raise NotFound("no such macro")
    return found


def search_macros(
    qs: QuerySet[Macro], *, q: str = "", folder: str | None = None
) -> QuerySet[Macro]:
    """`qs` narrowed by words (each in the name, folder or body) and an exact folder."""
    for word in q.split()[:10]:
        qs = qs.filter(
            Q(name__icontains=word) | Q(folder__icontains=word) | Q(body__icontains=word)
        )
    if folder is not None:
        qs = qs.filter(folder=folder.strip())
    return qs.order_by("folder", "position", "name", "id")


def macros_for(user: User, *, q: str = "", folder: str | None = None) -> QuerySet[Macro]:
    """The enabled macros `user` may apply, shared and their own, for the composer's
    picker: by folder, position, name."""
    return search_macros(macro_scope(user).filter(enabled=True), q=q, folder=folder)


# Saving ---------------------------------------------------------------------------------


def _clean_text(value: str, where: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise DomainError(f"{where}: at most {MAX_TEXT:,} characters")
    return check(value, where) if value else ""


def _clean_macro_actions(actions: Any) -> list[dict[str, Any]]:
    cleaned = clean_actions(actions or [], allowed=MACRO_ACTIONS, required=False)
    for i, item in enumerate(cleaned):
        # Routing chooses an agent when a ticket arrives; a macro names one.
        if item["action"] == "set_assignee" and item["value"] in ROUTING:
            raise DomainError(f"actions[{i}].value: a macro assigns an agent, not {item['value']}")
    return cleaned


def _clean_name(name: str, owner: User | None, macro: Macro | None) -> str:
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= MAX_NAME:
        raise DomainError(f"name: 1 to {MAX_NAME} characters")
    taken = Macro.objects.filter(owner=owner, name=name)
    if macro is not None:
        taken = taken.exclude(pk=macro.pk)
    if taken.exists():
        kind = "shared" if owner is None else "personal"
        raise DomainError(f"name: there is already a {kind} macro named {name!r}")
    return name


def _next_position(owner: User | None, folder: str) -> int:
    top = Macro.objects.filter(owner=owner, folder=folder).aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def save_macro(
    *,
    by: User,
    macro: Macro | None = None,
    name: str,
    folder: str = "",
    body: str = "",
    chat_body: str = "",
    public: bool = True,
    actions: Any = None,
    shared: bool,
    position: int | None = None,
    enabled: bool = True,
) -> Macro:
    """Create `macro` (None) or change it. Agents save their own personal macros; admins
    also shared ones and anyone's. Texts must render over the sample ticket with every
    placeholder known; a macro needs a reply or at least one action."""
    _check_can_save(by, macro, shared)
    if shared:
        owner = None
    elif macro is not None and macro.owner_id is not None:
        owner = macro.owner  # an admin tidying an agent's macro leaves it theirs
    else:
        owner = by
    folder = " ".join((folder or "").split())
    if len(folder) > MAX_FOLDER:
        raise DomainError(f"folder: at most {MAX_FOLDER} characters")
    name = _clean_name(name, owner, macro)
    body = _clean_text(body, "body")
    chat_body = _clean_text(chat_body, "chat_body")
    cleaned = _clean_macro_actions(actions)
    if not body and not cleaned:
        if chat_body:
            raise DomainError("body: the chat text is a short variant; write the full reply too")
        raise DomainError("body: write a reply, or add an action")
    if position is not None and not 0 <= position <= 100_000:
        raise DomainError("position: 0 to 100,000")
    macro = macro or Macro()
    owner_id = owner.pk if owner is not None else None
    moved = macro.pk is None or macro.folder != folder or macro.owner_id != owner_id
    if position is None:
        position = _next_position(owner, folder) if moved else macro.position
    macro.name, macro.folder, macro.owner = name, folder, owner
    macro.body, macro.chat_body, macro.public = body, chat_body, public
    macro.actions, macro.position, macro.enabled = cleaned, position, enabled
    macro.updated_at = timezone.now()
    try:
        with transaction.atomic():
            macro.save()
    except IntegrityError as exc:  # a twin saved at the same moment
        raise DomainError(f"name: there is already a macro named {name!r}") from exc
    return macro


@transaction.atomic
def delete_macro(macro: Macro, *, by: User) -> None:
    """Delete a macro and its use counts. The events it left on tickets keep its name."""
    _check_can_save(by, macro, shared=macro.owner_id is None)
    macro.delete()


# Applying -------------------------------------------------------------------------------


def text_for(macro: Macro, channel: str) -> str:
    return macro.chat_body if channel == Channel.CHAT and macro.chat_body else macro.body


def _value(value: Any) -> Any:
    """A change's value as plain data: people and groups as references."""
    if isinstance(value, User):
        return {"id": value.pk, "name": value.display_name, "email": value.email}
    if isinstance(value, Group):
        return {"id": value.pk, "name": value.name}
    return value


def change_rows(ticket: Ticket, changes: dict[str, Any]) -> list[dict[str, Any]]:
    """The changes that differ from the ticket, as {"field", "from", "to"}; each custom
    field is its own row ("custom_fields.order_id")."""
    rows = []
    for name, new in changes.items():
        if name == "custom_fields":
            for key, value in new.items():
                was = (ticket.custom_fields or {}).get(key)
                if was != value:
                    rows.append({"field": f"custom_fields.{key}", "from": was, "to": value})
            continue
        old = getattr(ticket, name)
        if name == "tags":
            old = list(old)
        if _value(old) != _value(new):
            rows.append({"field": name, "from": _value(old), "to": _value(new)})
    return rows


def preview_macro(
    macro: Macro, ticket: Ticket, *, by: User, channel: str | None = None
) -> MacroPreview:
    """What `macro` would write and change on `ticket` for `by`; saves nothing. The
    chat text is used on a chat ticket (or `channel="chat"`) when the macro has one."""
    _check_can_apply(macro, ticket, by)
    if channel is not None and channel not in Channel.values:
        raise DomainError(f"channel: {channel!r} is not one of {', '.join(Channel.values)}")
    text = text_for(macro, channel or ticket.channel)
    body = render(text, ticket_context(ticket, agent=by)).strip() if text else ""
    changes = planned_changes(macro.actions, ticket)
    return MacroPreview(
        macro=macro,
        body=body,
        public=macro.public,
        changes=changes,
        rows=change_rows(ticket, changes),
        lines=describe_changes(ticket, changes),
    )


@transaction.atomic
def apply_macro(
    macro: Macro,
    ticket: Ticket,
    *,
    by: User,
    channel: str | None = None,
    body_override: str | None = None,
    public: bool | None = None,
    status: str | None = None,
    attachments: Sequence[Upload] = (),
    metadata: dict[str, Any] | None = None,
    source: str = Source.WEB,
) -> MacroPreview:
    """Post the macro's reply and make its changes, in one transaction, through the
    ticket services, each event naming the macro; count the use.

    `body_override`: the text the agent edited in the composer instead of the rendered
    one ("" sends no reply); `public` and `status`: what the agent chose on sending,
    over the macro's own."""
    preview = preview_macro(macro, ticket, by=by, channel=channel)
    rule = f"macro '{macro.name}'"
    text = preview.body if body_override is None else body_override.strip()
    is_public = macro.public if public is None else public
    changes = dict(preview.changes)
    # The status goes with the reply, so that "replied and set pending" is one change.
    wanted_status = status or changes.pop("status", None)
    changes.pop("status", None)
    if text:
        preview.message = reply(
            ticket,
            author=by,
            body=text,
            public=is_public,
            source=source,
            channel=channel,
            status=wanted_status,
            attachments=attachments,
            metadata=metadata,
            rule=rule,
        )
    elif wanted_status:
        changes["status"] = wanted_status
    if changes:
        update_ticket(ticket, by=by, changes=changes, source=source, rule=rule)
    record_use(macro, ticket, by)
    preview.body, preview.public, preview.committed = text, is_public, True
    return preview


def record_use(macro: Macro, ticket: Ticket | None, user: User | None) -> MacroUse:
    """Count one use of `macro` (the admin list's "last used" and "uses in 90 days")."""
    return MacroUse.objects.create(macro=macro, ticket=ticket, user=user)


def usage(
    macros: Iterable[Macro], *, now: datetime | None = None
) -> dict[int, tuple[datetime | None, int]]:
    """{macro id: (last used, uses in the last 90 days)} for `macros`, in one query;
    (None, 0) for a macro never used."""
    ids = [m.pk for m in macros]
    since = (now or timezone.now()) - timedelta(days=USAGE_DAYS)
    rows = (
        MacroUse.objects.filter(macro_id__in=ids)
        .values("macro_id")
        .annotate(last=Max("used_at"), recent=Count("id", filter=Q(used_at__gte=since)))
        .order_by()
    )
    found: dict[int, tuple[datetime | None, int]] = {pk: (None, 0) for pk in ids}
    for row in rows:
        found[row["macro_id"]] = (row["last"], row["recent"])
    return found


def is_stale(last_used: datetime | None, created_at: datetime, *, now: datetime) -> bool:
    """Unused for 90 days (a macro younger than that is not stale yet)."""
    cutoff = now - timedelta(days=USAGE_DAYS)
    return (last_used or created_at) < cutoff
