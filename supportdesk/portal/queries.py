"""Reads of the portal, built on tickets.queries so that `visible_to` decides what a
customer sees."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from supportdesk.accounts.models import User
from supportdesk.lib.pagination import MAX_OFFSET, offset_cursor, parse_offset_cursor
from supportdesk.search.backends import search_ticket_numbers
from supportdesk.tickets.models import CustomField, Ticket, TicketForm
from supportdesk.tickets.queries import TicketFilter, filter_tickets, page_tickets

PAGE_SIZE = 25
MINE, ORGANIZATION = "mine", "org"


def shares_with_organization(user: User) -> bool:
    org = user.organization
    return org is not None and org.shared_tickets


def requests_of(user: User, scope: str) -> QuerySet[Ticket]:
    """The requests a customer lists: `mine` (theirs and those they are CC'd on) or
    `org` (their organization's, when it shares tickets)."""
    if not shares_with_organization(user):
        # Without sharing, what they may see is exactly their own and their CCs.
        return filter_tickets(user, TicketFilter())
    if scope == ORGANIZATION:
        return filter_tickets(user, TicketFilter(organization=user.organization_id))
    cc = Ticket.cc.through.objects.filter(user=user).values("ticket_id")
    return filter_tickets(user, TicketFilter()).filter(Q(requester=user) | Q(number__in=cc))


def page_requests(qs: QuerySet[Ticket], *, cursor: str | None) -> tuple[list[Ticket], str | None]:
    """A page of requests, the latest activity first."""
    return page_tickets(
        qs.select_related("requester"), sort="-updated_at", limit=PAGE_SIZE, cursor=cursor
    )


def search_requests(
    qs: QuerySet[Ticket], text: str, *, cursor: str | None
) -> tuple[list[Ticket], str | None]:
    """Ranked matches of `text` among `qs` (already scoped to what the customer sees), in
    subjects and public messages only: internal notes never match for customers."""
    offset = parse_offset_cursor(cursor)
    numbers = search_ticket_numbers(
        text, public_only=True, within=qs, limit=PAGE_SIZE + 1, offset=offset
    )
    more = len(numbers) > PAGE_SIZE
    numbers = numbers[:PAGE_SIZE]
    found = {t.number: t for t in qs.filter(number__in=numbers).select_related("requester")}
    rows = [found[n] for n in numbers if n in found]
    next_offset = offset + PAGE_SIZE
    return rows, offset_cursor(next_offset) if more and next_offset <= MAX_OFFSET else None


def offered_forms() -> list[TicketForm]:
    """The ticket forms a customer may pick, with their enabled fields. A form with a
    required field that customers do not see could never be sent from here, so it is
    left out (an admin has to fix that form)."""
    fields = CustomField.objects.filter(enabled=True).order_by("position", "id")
    forms = TicketForm.objects.filter(enabled=True).prefetch_related(
        Prefetch("fields", queryset=fields)
    )
    return [
        form
        for form in forms
        if not any(f.required and not f.customer_visible for f in form.fields.all())
    ]


def pick_form(offered: list[TicketForm], raw: str | None) -> TicketForm | None:
    """The offered form whose id is `raw`; None for none or an unknown id."""
    return next((f for f in offered if str(f.pk) == (raw or "").strip()), None)
