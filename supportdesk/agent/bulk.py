"""Bulk actions on the tickets ticked in a list: assign, status, priority, tags, merge.

Each ticket is changed through the services in its own transaction, so one ticket that
refuses (a closed ticket, an assignee outside its group) leaves the others changed and is
named in the answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import User
from supportdesk.agent import ticket_input
from supportdesk.agent.pages import agent_required
from supportdesk.agent.rail import forget_counts
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.http import AuthedRequest
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.queries import TicketFilter, access_ticket, filter_tickets
from supportdesk.tickets.services import update_ticket
from supportdesk.tickets.structure import merge_tickets

MAX_BULK = 100


@agent_required
@require_POST
def bulk(request: AuthedRequest) -> HttpResponse:
    post = request.POST
    back = post.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/agent/"
    numbers = [int(n) for n in post.getlist("t") if n.isdigit()][:MAX_BULK]
    if not numbers:
        messages.error(request, "Select at least one ticket first (x or the checkboxes).")
        return redirect(back)
    tickets = list(filter_tickets(request.user, TicketFilter()).filter(number__in=numbers))
    try:
        changes = _changes(request.user, post)
        target = _merge_target(request.user, post.get("merge_into", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    if not changes and target is None:
        messages.error(request, "Choose what to change in the bar above the list.")
        return redirect(back)
    done, failed = _apply(request.user, tickets, changes, target)
    forget_counts(request.user)
    if done:
        messages.success(request, f"Changed {done} ticket{'s' if done != 1 else ''}.")
    for problem in failed[:10]:
        messages.error(request, problem)
    return redirect(back)


def _changes(user: User, post: Any) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    assignee = post.get("assignee", "")
    if assignee == "me":
        changes["assignee"] = user
    elif assignee == "none":
        changes["assignee"] = None
    elif assignee:
        changes["assignee"] = ticket_input.ref(User, assignee, "assignee")
    for name in ("status", "priority"):
        if post.get(name):
            changes[name] = post[name]
    add, remove = (
        ticket_input.words(post.get("add_tags", "")),
        ticket_input.words(post.get("remove_tags", "")),
    )
    if add or remove:
        changes["_tags"] = (add, remove)
    return changes


def _merge_target(user: User, raw: str) -> Ticket | None:
    raw = raw.strip().lstrip("#")
    if not raw:
        return None
    try:
        return access_ticket(user, raw)
    except NotFound as exc:
        raise DomainError(f"merge: there is no ticket #{raw}") from exc


def _apply(
    user: User, tickets: list[Ticket], changes: dict[str, Any], target: Ticket | None
) -> tuple[int, list[str]]:
    done, failed = 0, []
    for ticket in tickets:
        try:
            with transaction.atomic():
                if target is not None:
                    if ticket.pk != target.pk:
                        merge_tickets(ticket, target, by=user)
                else:
                    update_ticket(ticket, by=user, changes=_for(ticket, changes))
            done += 1
        except DomainError as exc:
            failed.append(f"#{ticket.number}: {exc}")
    return done, failed


def _for(ticket: Ticket, changes: dict[str, Any]) -> dict[str, Any]:
    mine = {k: v for k, v in changes.items() if k != "_tags"}
    if "_tags" in changes:
        add, remove = changes["_tags"]
        drop = {t.lower() for t in remove}
        mine["tags"] = [t for t in [*ticket.tags, *add] if t.lower() not in drop]
    return mine
