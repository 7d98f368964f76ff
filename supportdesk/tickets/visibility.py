"""Who sees which tickets: the one read gate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from supportdesk.accounts.models import User
    from supportdesk.tickets.models import Ticket


class TicketQuerySet(models.QuerySet):
    def visible_to(self, user: User, *, trashed: bool = False) -> TicketQuerySet:
        """Tickets `user` may read. Agents see every ticket; customers their own, those
        they are CC'd on, and their organization's when it shares tickets. Trashed
        tickets only appear for agents who ask for the trash."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_agent:
            if trashed:
                return self.filter(deleted_at__isnull=False)
            return self.filter(deleted_at__isnull=True)
        if trashed:
            return self.none()
        mine = Q(requester=user) | Q(
            number__in=self.model.cc.through.objects.filter(user=user).values("ticket_id")
        )
        org = user.organization
        if org is not None and org.shared_tickets:
            mine |= Q(organization=org)
        return self.filter(mine, deleted_at__isnull=True)


def can_see(ticket: Ticket, user: User) -> bool:
    """`visible_to` for one ticket in hand. A customer who is its requester sees it without
    a query (the first rule of visible_to); anyone else is asked of the database."""
    if (
        user is not None
        and user.is_authenticated
        and user.is_active
        and ticket.requester_id == user.pk
        and ticket.deleted_at is None
    ):
        return True
    return type(ticket).objects.visible_to(user).filter(pk=ticket.pk).exists()
