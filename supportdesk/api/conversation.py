"""/api/v1/tickets/{number}/messages and /events: a ticket's conversation and its trail.

Adding a message takes JSON, or multipart/form-data with files under `attachments`. The
body is read here rather than by Ninja so that one operation can take both, and so that a
request over the size cap is refused from its Content-Length before a byte of it is
stored.
"""

from __future__ import annotations

import json
import re
from typing import Any, BinaryIO, cast

import pydantic
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.responses import Status as Answer

from supportdesk.api.auth import caller
from supportdesk.api.errors import validation_error
from supportdesk.api.paths import TicketNumber
from supportdesk.api.schemas import PageQuery, errors
from supportdesk.api.ticket_schemas import (
    EventPage,
    MessageIn,
    MessageOut,
    MessagePage,
    event_out,
    message_out,
)
from supportdesk.api.transactions import atomic
from supportdesk.lib.pagination import keyset_page
from supportdesk.tickets.models import Source, Status
from supportdesk.tickets.queries import access_ticket, events_of, messages_of
from supportdesk.tickets.services import TooLarge, Upload, reply

router = Router(tags=["conversation"])

_CONTENT_TYPE = re.compile(r"^[\w.+-]{1,50}/[\w.+-]{1,50}$")


@router.get("/{number}/messages", response={200: MessagePage, **errors(400, 404)})
def list_messages(
    request: HttpRequest, number: TicketNumber, page: Query[PageQuery]
) -> MessagePage:
    """Replies and notes, oldest first. Customers never see internal notes."""
    user = caller(request)
    ticket = access_ticket(user, number)
    rows, next_cursor = keyset_page(
        messages_of(user, ticket), order=("created_at", "id"), limit=page.limit, cursor=page.cursor
    )
    return MessagePage(items=[message_out(m) for m in rows], next=next_cursor)


MESSAGE_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "body": {"type": "string"},
                    "html": {"type": "string"},
                    "public": {"type": "boolean", "default": True},
                    "status": {"type": "string", "enum": Status.values},
                },
                "required": ["body"],
            }
        },
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "body": {"type": "string"},
                    "public": {"type": "boolean", "default": True},
                    "status": {"type": "string", "enum": Status.values},
                    "attachments": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                    },
                },
                "required": ["body"],
            }
        },
    },
}


@router.post(
    "/{number}/messages",
    response={201: MessageOut, **errors(400, 403, 404, 413, 415)},
    openapi_extra={"requestBody": MESSAGE_BODY},
)
@atomic
def add_message(request: HttpRequest, number: TicketNumber) -> Answer[MessageOut]:
    """A public reply, or with `"public": false` an internal note (agents), optionally
    setting the status. A customer's reply to a closed ticket opens a follow-up ticket:
    the answer's `ticket` is then the new number."""
    check_request_size(request)
    user = caller(request)
    ticket = access_ticket(user, number)
    data, uploads = read_message(request)
    message = reply(
        ticket,
        author=user,
        body=data.body,
        html=data.html,
        public=data.public,
        status=str(data.status.value) if data.status else None,
        source=Source.API,
        attachments=uploads,
    )
    stored = messages_of(user, message.ticket).get(pk=message.pk)
    return Answer(201, message_out(stored))


def check_request_size(request: HttpRequest) -> None:
    """Refuse a body over the request cap from its declared length. Django counts only
    form fields against DATA_UPLOAD_MAX_MEMORY_SIZE and would spool any size of file."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise HttpError(400, "Content-Length is not a number") from None
    cap = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if cap is not None and length > cap:
        raise TooLarge(f"the request is {length:,} bytes; the limit is {cap:,}")


def read_message(request: HttpRequest) -> tuple[MessageIn, list[Upload]]:
    if request.content_type == "multipart/form-data":
        fields = {k: request.POST.get(k) for k in ("body", "html", "public", "status")}
        data = _validate({k: v for k, v in fields.items() if v is not None}, "form")
        files = request.FILES.getlist("attachments")
        return data, [_upload(f) for f in files]
    if request.content_type not in ("application/json", "", None):
        raise HttpError(415, "send application/json or multipart/form-data")
    try:
        raw = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise HttpError(400, "the request body is not valid JSON") from None
    return _validate(raw, "body"), []


def _validate(raw: Any, source: str) -> MessageIn:
    try:
        return MessageIn.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise validation_error(exc, source) from None


def _upload(file: UploadedFile) -> Upload:
    content_type = (file.content_type or "").strip().lower()
    if not _CONTENT_TYPE.match(content_type):
        content_type = "application/octet-stream"
    return Upload(
        filename=(file.name or "file").replace("\x00", ""),
        content_type=content_type,
        data=cast(BinaryIO, file),  # an UploadedFile reads like one
        size=file.size or 0,
    )


@router.get("/{number}/events", response={200: EventPage, **errors(400, 404)})
def list_events(request: HttpRequest, number: TicketNumber, page: Query[PageQuery]) -> EventPage:
    """Every change, oldest first: who, what, old and new value, via which channel or
    rule. Customers see public events only."""
    user = caller(request)
    ticket = access_ticket(user, number)
    rows, next_cursor = keyset_page(
        events_of(user, ticket), order=("id",), limit=page.limit, cursor=page.cursor
    )
    return EventPage(items=[event_out(e) for e in rows], next=next_cursor)
