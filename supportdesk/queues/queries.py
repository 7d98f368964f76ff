"""Reads of saved views and their tickets, shared by the API and the workspace."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from supportdesk.accounts.models import User
from supportdesk.conditions.compile import to_q
from supportdesk.lib.errors import NotFound
from supportdesk.queues.models import SavedView
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.queries import TicketFilter, filter_tickets

# Counts stop here: a queue of 1,000 reads "1,000+", and no page counts a whole table.
COUNT_CAP = 1000


def views_for(user: User) -> QuerySet[SavedView]:
    """The shared views and the user's own; none for customers."""
    if not user.is_agent:
        return SavedView.objects.none()
    return SavedView.objects.filter(Q(shared=True) | Q(owner=user))


def access_view(user: User, view_id: int) -> SavedView:
    view = views_for(user).filter(pk=view_id).first()
    if view is None:
        raise NotFound("no such view")
    return view


def tickets_in_view(user: User, view: SavedView) -> QuerySet[Ticket]:
    """The tickets of `view` that `user` may see (always through visible_to)."""
    return filter_tickets(user, TicketFilter()).filter(to_q(view.conditions))


def capped_count(qs: QuerySet[Ticket], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows, counting at most cap + 1: (count, whether there are more)."""
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap
