"""/api/v1/tickets: list and search, create, read, change, trash, restore, delete."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status as Answer

from supportdesk.accounts.models import User
from supportdesk.accounts.services import find_or_create_requester
from supportdesk.api import refs
from supportdesk.api.auth import caller
from supportdesk.api.paths import TicketNumber
from supportdesk.api.schemas import errors
from supportdesk.api.ticket_schemas import (
    TicketFilters,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketPatch,
    hidden_custom_fields,
    ticket_out,
    ticket_page,
)
from supportdesk.api.ticket_search import search_page, ticket_filter, with_typed_filters
from supportdesk.api.transactions import atomic
from supportdesk.lib.errors import DomainError, NotFound, PermissionDenied
from supportdesk.tickets import structure
from supportdesk.tickets.models import Channel, Source
from supportdesk.tickets.queries import (
    access_ticket,
    access_trashed_ticket,
    attach_people,
    filter_tickets,
    page_tickets,
    with_list_relations,
)
from supportdesk.tickets.services import create_ticket, update_ticket

router = Router(tags=["tickets"])

ERRORS = errors(400, 403, 404, 413)


def fetch_ticket(user: User, number: int) -> TicketOut:
    """The ticket as `user` sees it, read through the one gate."""
    ticket = access_ticket(user, number)
    return ticket_out(ticket, user, hidden_custom_fields(user))


@router.get("", response={200: TicketPage, **errors(400, 403)})
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> TicketPage:
    """Tickets the caller may see, newest first; `q` searches their text (ranked)."""
    user = caller(request)
    if filters.trashed and not user.is_agent:
        raise PermissionDenied("only agents see the trash")
    filters = with_typed_filters(filters)
    qs = filter_tickets(user, ticket_filter(filters))
    if filters.q and filters.q.strip():
        rows, next_cursor = search_page(user, filters, qs)
    else:
        rows, next_cursor = page_tickets(
            with_list_relations(qs),
            sort=filters.sort,
            limit=filters.limit,
            cursor=filters.cursor,
        )
    return ticket_page(rows, user, next_cursor)


@router.post("", response={201: TicketOut, **ERRORS})
@atomic
def create(request: HttpRequest, data: TicketIn) -> Answer[TicketOut]:
    """Open a ticket; `body` becomes its first message, written by the requester."""
    user = caller(request)
    if not user.is_agent:
        for name in ("channel", "status"):
            if getattr(data, name) is not None:
                raise PermissionDenied(f"{name}: only agents may set it")
    requester = _requester(user, data)
    skip = {"subject", "body", "html", "requester", "requester_name", "channel"}
    # On create, null is the same as leaving a property out.
    sent = {k: v for k, v in data.provided().items() if k not in skip and v is not None}
    properties = resolve_properties(sent)
    ticket = create_ticket(
        by=user,
        requester=requester,
        subject=data.subject,
        body=data.body,
        html=data.html,
        channel=data.channel or Channel.API,
        source=Source.API,
        properties=properties,
    )
    # The service's ticket has its relations in hand; no need to read it back.
    attach_people([ticket])
    return Answer(201, ticket_out(ticket, user, hidden_custom_fields(user)))


def _requester(user: User, data: TicketIn) -> User:
    """Customers file for themselves; agents name anyone, and a new address becomes a
    new customer (inside the request's transaction, so a refused ticket leaves none)."""
    value = data.requester
    if value is None:
        return user
    if not user.is_agent:
        try:
            person = refs.person("requester", value)
        except DomainError:
            person = None
        if person is None or person.pk != user.pk:
            raise PermissionDenied("requester: customers file requests for themselves")
        return person
    if isinstance(value, str) and "@" in value:
        return find_or_create_requester(value, name=data.requester_name or "")
    return refs.person("requester", value)


def resolve_properties(values: dict[str, Any]) -> dict[str, Any]:
    """Property values from a request (ids, names, e-mails) as the service takes them
    (rows); an unknown reference is a 400 naming the field."""
    resolved: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("group", "assignee", "requester", "form") and value is None:
            resolved[name] = None
        elif name == "group":
            resolved[name] = refs.group(name, value)
        elif name in ("assignee", "requester"):
            resolved[name] = refs.person(name, value)
        elif name == "form":
            resolved[name] = refs.form(name, value)
        elif name in ("cc", "followers"):
            resolved[name] = refs.people(name, value)
        elif name in ("status", "priority", "type"):
            resolved[name] = str(value.value if hasattr(value, "value") else value)
        else:
            resolved[name] = value
    return resolved


@router.get("/{number}", response={200: TicketOut, **errors(404)})
def read(request: HttpRequest, number: TicketNumber) -> TicketOut:
    return fetch_ticket(caller(request), number)


@router.patch("/{number}", response={200: TicketOut, **ERRORS})
@atomic
def change(request: HttpRequest, number: TicketNumber, data: TicketPatch) -> TicketOut:
    """Change the properties sent; the others stay. Customers may only set status to
    solved."""
    user = caller(request)
    ticket = access_ticket(user, number)
    changes = resolve_properties(data.provided())
    if changes:
        update_ticket(ticket, by=user, changes=changes, source=Source.API)
    return fetch_ticket(user, number)


@router.delete("/{number}", response={204: None, **ERRORS})
@atomic
def delete(request: HttpRequest, number: TicketNumber, permanent: bool = False) -> Answer[None]:
    """Move to the trash; with `permanent=true` (admins), delete a trashed ticket for
    good."""
    user = caller(request)
    if not permanent:
        structure.trash_ticket(access_ticket(user, number), by=user, source_kind=Source.API)
        return Answer(204, None)
    try:
        ticket = access_trashed_ticket(user, number)
    except NotFound:
        access_ticket(user, number)  # 404 when it does not exist at all
        raise DomainError("move the ticket to the trash first") from None
    structure.delete_ticket(ticket, by=user)
    return Answer(204, None)


@router.post("/{number}/restore", response={200: TicketOut, **ERRORS})
@atomic
def restore(request: HttpRequest, number: TicketNumber) -> TicketOut:
    """Take a ticket out of the trash."""
    user = caller(request)
    try:
        ticket = access_trashed_ticket(user, number)
    except NotFound:
        access_ticket(user, number)
        raise DomainError("this ticket is not in the trash") from None
    structure.restore_ticket(ticket, by=user, source_kind=Source.API)
    return fetch_ticket(user, number)
