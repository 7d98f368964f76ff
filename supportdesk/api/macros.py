"""/api/v1/macros: canned replies with actions, shared or personal; and
/api/v1/tickets/{number}/macros/{id}/apply, which previews a macro on a ticket or, with
`?commit=true`, applies it.

Agents see the shared macros and their own (admins every agent's too, to tidy them);
light agents and customers see none, so every id is a 404 for them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Query, Router
from ninja.responses import Status as Answer
from pydantic import Field

from supportdesk.api.auth import caller, require_agent
from supportdesk.api.paths import ObjectId, TicketNumber
from supportdesk.api.schemas import Input, Out, PageQuery, Patch, UserRef, errors, user_ref
from supportdesk.api.transactions import atomic
from supportdesk.automation.macros import (
    MAX_FOLDER,
    MAX_NAME,
    MAX_TEXT,
    MacroPreview,
    access_macro,
    apply_macro,
    delete_macro,
    macro_scope,
    preview_macro,
    save_macro,
    search_macros,
    usage,
)
from supportdesk.automation.models import Macro
from supportdesk.lib.pagination import keyset_page
from supportdesk.tickets.models import Channel, Source
from supportdesk.tickets.queries import access_ticket

router = Router(tags=["macros"])
ticket_router = Router(tags=["macros"])
ERRORS = errors(400, 403, 404)
Actions = list[dict[str, Any]]
ACTIONS_HELP = (
    'e.g. [{"action": "set_status", "value": "pending"}, {"action": "add_tags", "value": '
    '["refund"]}]: set_status, set_priority, set_type, set_group, set_assignee, add_tags, '
    "remove_tags, set_field"
)


class MacroIn(Input):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    folder: str = Field("", max_length=MAX_FOLDER)
    body: str = Field("", max_length=MAX_TEXT, description="the reply, for e-mail and the portal")
    chat_body: str = Field("", max_length=MAX_TEXT, description="a short variant for chat")
    public: bool = Field(True, description="false: the text is an internal note")
    actions: Actions = Field(default_factory=list, max_length=30, description=ACTIONS_HELP)
    shared: bool = Field(False, description="true: for every agent (admins only)")
    position: int | None = Field(None, ge=0, le=100_000)
    enabled: bool = True


class MacroPatch(Patch):
    name: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    folder: str | None = Field(None, max_length=MAX_FOLDER)
    body: str | None = Field(None, max_length=MAX_TEXT)
    chat_body: str | None = Field(None, max_length=MAX_TEXT)
    public: bool | None = None
    actions: Actions | None = Field(None, max_length=30)
    shared: bool | None = None
    position: int | None = Field(None, ge=0, le=100_000)
    enabled: bool | None = None


class MacroOut(Out):
    id: int
    name: str
    folder: str
    owner: UserRef | None = Field(description="null: shared with every agent")
    position: int
    enabled: bool
    body: str
    chat_body: str
    public: bool
    actions: Actions
    last_used_at: str | None
    uses_90_days: int


class MacroPage(Out):
    items: list[MacroOut]
    next: str | None


class MacroQuery(PageQuery):
    q: str | None = Field(None, max_length=200, description="words in the name, folder or body")
    folder: str | None = Field(None, max_length=MAX_FOLDER, description="exactly this folder")


class ApplyQuery(Input):
    commit: bool = Field(False, description="true: post the reply and make the changes")


class ApplyIn(Input):
    channel: Channel | None = Field(None, description="chat: use the macro's chat text")


class ReplyOut(Out):
    body: str
    public: bool


class ApplyOut(Out):
    reply: ReplyOut
    changes: list[dict[str, Any]] = Field(description='[{"field", "from", "to"}]')
    lines: list[str]
    committed: bool
    message_id: int | None


def macro_out(macro: Macro, used: tuple[Any, int]) -> MacroOut:
    last, recent = used
    return MacroOut(
        id=macro.pk,
        name=macro.name,
        folder=macro.folder,
        owner=user_ref(macro.owner),
        position=macro.position,
        enabled=macro.enabled,
        body=macro.body,
        chat_body=macro.chat_body,
        public=macro.public,
        actions=macro.actions,
        last_used_at=last.isoformat() if last else None,
        uses_90_days=recent,
    )


def _one_out(macro: Macro) -> MacroOut:
    return macro_out(macro, usage([macro])[macro.pk])


def _fields(macro: Macro) -> dict[str, Any]:
    return {
        "name": macro.name,
        "folder": macro.folder,
        "body": macro.body,
        "chat_body": macro.chat_body,
        "public": macro.public,
        "actions": macro.actions,
        "shared": macro.owner_id is None,
        "enabled": macro.enabled,
    }


@router.get("", response={200: MacroPage, **ERRORS})
def list_macros(request: HttpRequest, filters: Query[MacroQuery]) -> MacroPage:
    """Shared macros and the caller's own, disabled ones too, by folder, position, name."""
    user = caller(request)
    require_agent(user)
    qs = search_macros(
        macro_scope(user).select_related("owner"), q=filters.q or "", folder=filters.folder
    )
    rows, next_cursor = keyset_page(
        qs, order=("folder", "position", "name", "id"), limit=filters.limit, cursor=filters.cursor
    )
    used = usage(rows)
    return MacroPage(items=[macro_out(m, used[m.pk]) for m in rows], next=next_cursor)


@router.post("", response={201: MacroOut, **ERRORS})
@atomic
def create(request: HttpRequest, data: MacroIn) -> Answer[MacroOut]:
    """A personal macro, or with `"shared": true` one for every agent (admins)."""
    macro = save_macro(by=caller(request), **data.model_dump())
    return Answer(201, _one_out(macro))


@router.get("/{macro_id}", response={200: MacroOut, **ERRORS})
def read(request: HttpRequest, macro_id: ObjectId) -> MacroOut:
    return _one_out(access_macro(caller(request), macro_id))


@router.put("/{macro_id}", response={200: MacroOut, **ERRORS})
@atomic
def replace(request: HttpRequest, macro_id: ObjectId, data: MacroIn) -> MacroOut:
    user = caller(request)
    macro = access_macro(user, macro_id)
    return _one_out(save_macro(by=user, macro=macro, **data.model_dump()))


@router.patch("/{macro_id}", response={200: MacroOut, **ERRORS})
@atomic
def change(request: HttpRequest, macro_id: ObjectId, data: MacroPatch) -> MacroOut:
    user = caller(request)
    macro = access_macro(user, macro_id)
    merged = {**_fields(macro), **data.provided()}
    return _one_out(save_macro(by=user, macro=macro, **merged))


@router.delete("/{macro_id}", response={204: None, **ERRORS})
@atomic
def delete(request: HttpRequest, macro_id: ObjectId) -> Answer[None]:
    user = caller(request)
    delete_macro(access_macro(user, macro_id), by=user)
    return Answer(204, None)


def apply_out(preview: MacroPreview) -> ApplyOut:
    return ApplyOut(
        reply=ReplyOut(body=preview.body, public=preview.public),
        changes=preview.rows,
        lines=preview.lines,
        committed=preview.committed,
        message_id=preview.message.pk if preview.message else None,
    )


@ticket_router.post("/{number}/macros/{macro_id}/apply", response={200: ApplyOut, **ERRORS})
@atomic
def apply(
    request: HttpRequest,
    number: TicketNumber,
    macro_id: ObjectId,
    options: Query[ApplyQuery],
    data: Body[ApplyIn | None] = None,
) -> ApplyOut:
    """The reply the macro writes on this ticket and the changes it would make, saving
    nothing; with `?commit=true` the reply is posted and the changes made, each event
    naming the macro. `{"channel": "chat"}` picks the macro's chat text."""
    user = caller(request)
    ticket = access_ticket(user, number)
    macro = access_macro(user, macro_id)
    channel = data.channel.value if data and data.channel else None
    if options.commit:
        done = apply_macro(macro, ticket, by=user, channel=channel, source=Source.API)
        return apply_out(done)
    return apply_out(preview_macro(macro, ticket, by=user, channel=channel))
