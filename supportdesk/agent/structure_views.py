"""Posts that change how tickets relate: merge, link, unlink, trash, restore; and the
form an agent uses to open a ticket for a customer (a phone call, a walk-in)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk.accounts.models import Group
from supportdesk.accounts.services import find_or_create_requester
from supportdesk.agent import ticket_input
from supportdesk.agent.pages import agent_required, render_workspace
from supportdesk.agent.rail import forget_counts
from supportdesk.agent.ticket_views import _render, _ticket_or_404
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.http import AuthedRequest
from supportdesk.tickets.models import Channel, Priority
from supportdesk.tickets.queries import access_ticket, access_trashed_ticket
from supportdesk.tickets.services import create_ticket
from supportdesk.tickets.structure import (
    link_tickets,
    merge_tickets,
    restore_ticket,
    trash_ticket,
    unlink_tickets,
)


def _other(request: AuthedRequest, raw: str) -> object:
    try:
        return access_ticket(request.user, raw.strip().lstrip("#"))
    except NotFound as exc:
        raise DomainError(f"there is no ticket #{raw.strip().lstrip('#')}") from exc


@agent_required
@require_POST
def merge_view(request: AuthedRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    try:
        target = _other(request, request.POST.get("into", ""))
        merge_tickets(ticket, target, by=request.user)  # type: ignore[arg-type]
    except DomainError as exc:
        return _render(request, ticket, error=str(exc), status=400)
    forget_counts(request.user)
    messages.success(request, f"Ticket #{ticket.number} was merged into this one.")
    return redirect("agent:ticket", number=target.number)  # type: ignore[attr-defined]


@agent_required
@require_POST
def link_view(request: AuthedRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    try:
        target = _other(request, request.POST.get("target", ""))
        link_tickets(ticket, target, kind=request.POST.get("kind", ""), by=request.user)  # type: ignore[arg-type]
    except DomainError as exc:
        return _render(request, ticket, error=str(exc), status=400)
    messages.success(request, "Tickets linked.")
    return redirect("agent:ticket", number=ticket.number)


@agent_required
@require_POST
def unlink_view(request: AuthedRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    try:
        other = _other(request, request.POST.get("target", ""))
        source, target = (ticket, other) if request.POST.get("outgoing") else (other, ticket)
        unlink_tickets(source, target, kind=request.POST.get("kind", ""), by=request.user)  # type: ignore[arg-type]
    except DomainError as exc:
        return _render(request, ticket, error=str(exc), status=400)
    messages.success(request, "Link removed.")
    return redirect("agent:ticket", number=ticket.number)


@agent_required
@require_POST
def trash_view(request: AuthedRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    try:
        trash_ticket(ticket, by=request.user)
    except DomainError as exc:
        return _render(request, ticket, error=str(exc), status=400)
    forget_counts(request.user)
    messages.success(request, f"Ticket #{ticket.number} moved to the trash.")
    return redirect("agent:queue", key="trash")


@agent_required
@require_POST
def restore_view(request: AuthedRequest, number: int) -> HttpResponse:
    try:
        ticket = access_trashed_ticket(request.user, number)
        restore_ticket(ticket, by=request.user)
    except NotFound as exc:
        raise Http404("no such ticket") from exc
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("agent:queue", key="trash")
    forget_counts(request.user)
    messages.success(request, f"Ticket #{ticket.number} restored.")
    return redirect("agent:ticket", number=ticket.number)


NEW_TICKET_CHANNELS = [Channel.PHONE, Channel.EMAIL, Channel.PORTAL, Channel.CHAT]


@agent_required
@require_http_methods(["GET", "POST"])
def new_ticket(request: AuthedRequest) -> HttpResponse:
    form = request.POST if request.method == "POST" else request.GET
    context = {
        "form": form,
        "channels": NEW_TICKET_CHANNELS,
        "priorities": list(Priority),
        "groups": list(Group.objects.order_by("name")),
        "error": "",
    }
    if request.method == "GET":
        return render_workspace(request, "agent/ticket_new.html", context)
    try:
        requester = find_or_create_requester(form.get("requester", ""), name=form.get("name", ""))
        properties: dict[str, object] = {"priority": form.get("priority") or Priority.NORMAL}
        if form.get("group"):
            properties["group"] = ticket_input.ref(Group, form["group"], "group")
        if form.get("assign_me"):
            properties["assignee"] = request.user
        ticket = create_ticket(
            by=request.user,
            requester=requester,
            subject=form.get("subject", ""),
            body=form.get("body", ""),
            channel=form.get("channel") or Channel.PHONE,
            properties=properties,
            attachments=ticket_input.uploads(request.FILES),
        )
    except DomainError as exc:
        context["error"] = str(exc)
        return render_workspace(request, "agent/ticket_new.html", context, status=400)
    forget_counts(request.user)
    messages.success(request, f"Ticket #{ticket.number} created.")
    return redirect("agent:ticket", number=ticket.number)
