"""/api/v1/tickets/{number}/merge and /links: how tickets relate."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status as Answer

from supportdesk.accounts.models import User
from supportdesk.api.auth import caller
from supportdesk.api.conversation import PageQuery
from supportdesk.api.paths import TicketNumber
from supportdesk.api.schemas import Id, Input, errors
from supportdesk.api.ticket_schemas import (
    LinkIn,
    LinkOut,
    LinkPage,
    MergeIn,
    TicketOut,
    link_out,
)
from supportdesk.api.tickets import fetch_ticket
from supportdesk.api.transactions import atomic
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.pagination import keyset_page
from supportdesk.tickets import structure
from supportdesk.tickets.models import LinkKind, Source, Ticket, TicketLink
from supportdesk.tickets.queries import access_ticket

router = Router(tags=["links"])

ERRORS = errors(400, 403, 404)


def _other(user: User, field: str, number: int) -> Ticket:
    """The ticket a request body names: unknown or invisible is a 400 on that field."""
    try:
        return access_ticket(user, number)
    except NotFound:
        raise DomainError(f"{field}: no ticket #{number}") from None


@router.post("/{number}/merge", response={200: TicketOut, **ERRORS})
@atomic
def merge(request: HttpRequest, number: TicketNumber, data: MergeIn) -> TicketOut:
    """Move this ticket's messages into ticket `into` and close this one. Answers the
    ticket merged into."""
    user = caller(request)
    source = access_ticket(user, number)
    target = _other(user, "into", data.into)
    structure.merge_tickets(source, target, by=user, source_kind=Source.API)
    return fetch_ticket(user, target.number)


@router.get("/{number}/links", response={200: LinkPage, **ERRORS})
def list_links(request: HttpRequest, number: TicketNumber, page: Query[PageQuery]) -> LinkPage:
    """Links from and to this ticket, to tickets the caller may see."""
    user = caller(request)
    ticket = access_ticket(user, number)
    visible = Ticket.objects.visible_to(user).values("number")
    qs = TicketLink.objects.select_related("source", "target").filter(
        (Q(source=ticket) & Q(target__in=visible)) | (Q(target=ticket) & Q(source__in=visible))
    )
    rows, next_cursor = keyset_page(qs, order=("id",), limit=page.limit, cursor=page.cursor)
    return LinkPage(items=[link_out(link, ticket) for link in rows], next=next_cursor)


@router.post("/{number}/links", response={201: LinkOut, **ERRORS})
@atomic
def add_link(request: HttpRequest, number: TicketNumber, data: LinkIn) -> Answer[LinkOut]:
    """Link this ticket to `target`: related, incident_of (target is the problem) or
    child_of (target is the parent). Linking twice is harmless."""
    user = caller(request)
    source = access_ticket(user, number)
    target = _other(user, "target", data.target)
    link = structure.link_tickets(
        source, target, kind=str(data.kind.value), by=user, source_kind=Source.API
    )
    link = TicketLink.objects.select_related("source", "target").get(pk=link.pk)
    return Answer(201, link_out(link, source))


class UnlinkQuery(Input):
    target: Id
    kind: LinkKind


@router.delete("/{number}/links", response={204: None, **ERRORS})
@atomic
def remove_link(
    request: HttpRequest, number: TicketNumber, link: Query[UnlinkQuery]
) -> Answer[None]:
    """Remove the link from this ticket to `target` of `kind` (query parameters)."""
    user = caller(request)
    source = access_ticket(user, number)
    target = _other(user, "target", link.target)
    structure.unlink_tickets(
        source, target, kind=str(link.kind.value), by=user, source_kind=Source.API
    )
    return Answer(204, None)
