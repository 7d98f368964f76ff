"""The ticket page: timeline, composer, properties, requester context; and its posts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.models import STAFF_ROLES, Group, Role
from supportdesk.accounts.services import update_user
from supportdesk.agent import ticket_input
from supportdesk.agent.pages import agent_required, render_workspace
from supportdesk.agent.queue_views import bulk_choices
from supportdesk.agent.rail import forget_counts
from supportdesk.agent.sla_panel import sla_panel
from supportdesk.agent.timeline import build_timeline
from supportdesk.automation.macros import apply_macro
from supportdesk.automation.views_macros import chosen_macro
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.http import AuthedRequest
from supportdesk.mail.display import annotate as annotate_mail
from supportdesk.sla.emergencies import acknowledge_emergency
from supportdesk.sla.models import Emergency
from supportdesk.tickets.models import (
    CustomField,
    LinkKind,
    Message,
    Priority,
    Status,
    Ticket,
    TicketLink,
    TicketType,
)
from supportdesk.tickets.queries import (
    TicketFilter,
    access_ticket,
    access_trashed_ticket,
    events_of,
    filter_tickets,
    messages_of,
)
from supportdesk.tickets.services import reply, update_ticket

OTHER_TICKETS = 5


def _ticket_or_404(request: AuthedRequest, number: int) -> Ticket:
    try:
        return access_ticket(request.user, number)
    except NotFound as exc:
        raise Http404("no such ticket") from exc


@agent_required
@require_GET
def ticket_page(request: AuthedRequest, number: int) -> HttpResponse:
    try:
        ticket = access_ticket(request.user, number)
    except NotFound:
        return _trashed_page(request, number)
    return _render(request, ticket)


def _trashed_page(request: AuthedRequest, number: int) -> HttpResponse:
    """A ticket in the trash: what it is, and Restore."""
    try:
        ticket = access_trashed_ticket(request.user, number)
    except NotFound as exc:
        raise Http404("no such ticket") from exc
    return render_workspace(request, "agent/trashed.html", {"ticket": ticket}, current_key="trash")


def _render(
    request: AuthedRequest,
    ticket: Ticket,
    *,
    composer: dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
    collision: bool = False,
) -> HttpResponse:
    user = request.user
    conversation = list(messages_of(user, ticket))
    annotate_mail(conversation)
    timeline = build_timeline(conversation, list(events_of(user, ticket)))
    other = filter_tickets(user, TicketFilter(requester=ticket.requester_id))
    context = {
        "ticket": ticket,
        "timeline": timeline,
        "last_message_id": conversation[-1].pk if conversation else 0,
        "sla": sla_panel(ticket, user),
        "emergencies": list(
            Emergency.objects.filter(ticket=ticket, acknowledged_at=None).select_related("rule")
        ),
        "collision": collision,
        "composer": composer or {"kind": "note" if user.role == Role.LIGHT_AGENT else "public"},
        "error": error,
        "can_reply": user.role != Role.LIGHT_AGENT,
        "can_change": user.role in (Role.ADMIN, Role.AGENT),
        "other_tickets": list(other.exclude(number=ticket.number).order_by("-number")[:5]),
        "links": _links(ticket),
        "groups": list(Group.objects.order_by("name")),
        "field_rows": [
            {"field": f, "value": ticket.custom_fields.get(f.key)}
            for f in CustomField.objects.filter(enabled=True)
        ],
        "follower_ids": {p.pk for p in getattr(ticket, "follower_people", [])},
        "cc_text": ", ".join(p.email for p in getattr(ticket, "cc_people", [])),
        "types": list(TicketType),
        "link_kinds": list(LinkKind),
        **bulk_choices(),
        "statuses": [s for s in Status if s != Status.NEW or ticket.status == Status.NEW],
        "priorities": list(Priority),
    }
    return render_workspace(request, "agent/ticket.html", context, status=status)


def _links(ticket: Ticket) -> list[dict[str, Any]]:
    out = TicketLink.objects.filter(source=ticket).select_related("target")
    into = TicketLink.objects.filter(target=ticket).select_related("source")
    links = [{"kind": link.kind, "ticket": link.target, "outgoing": True} for link in out]
    links += [{"kind": link.kind, "ticket": link.source, "outgoing": False} for link in into]
    return links


@agent_required
@require_POST
def reply_view(request: AuthedRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    post = request.POST
    public = post.get("kind", "public") == "public"
    body = post.get("body", "")
    composer = {
        "kind": "public" if public else "note",
        "body": body,
        "macro": post.get("macro", ""),
    }
    status = post.get("submit_status") or None
    other = _replied_since(ticket, request.user, post) if public else None
    if other is not None:
        error = (
            f"{other.author.display_name} replied while you were writing (shown above). "
            "Your reply is kept: read theirs, then send yours if it still fits."
        )
        return _render(request, ticket, composer=composer, error=error, status=409, collision=True)
    try:
        with transaction.atomic():
            mentioned = [] if public else ticket_input.mentioned_agents(body)
            text = ticket_input.signed(body, request.user) if public and "sign" in post else body
            files = ticket_input.uploads(request.FILES)
            metadata = _reply_metadata(public, "sign" in post, mentioned)
            # A macro chosen in the composer: its changes go with the (edited) text.
            macro = chosen_macro(request.user, post.get("macro", ""))
            if macro is not None:
                apply_macro(
                    macro,
                    ticket,
                    by=request.user,
                    body_override=text,
                    public=public,
                    status=status,
                    attachments=files,
                    metadata=metadata,
                )
            else:
                reply(
                    ticket,
                    author=request.user,
                    body=text,
                    public=public,
                    status=status,
                    attachments=files,
                    metadata=metadata,
                )
    except DomainError as exc:
        return _render(request, ticket, composer=composer, error=str(exc), status=400)
    forget_counts(request.user)
    what = "Reply sent" if public else "Note added"
    if status:
        what += f" and status set to {Status(status).label.lower()}"
    messages.success(request, f"{what}.")
    return redirect(reverse("agent:ticket", args=[ticket.number]) + "#latest")


def _reply_metadata(public: bool, signed: bool, mentioned: list[Any]) -> dict[str, Any] | None:
    if not public:
        return {"mentions": [a.pk for a in mentioned]} if mentioned else None
    # Signed here or not, as the agent chose: the mail adds no signature of its own.
    return {"signed": signed}


def _replied_since(ticket: Ticket, user: Any, post: Any) -> Message | None:
    """Another agent's public reply newer than the last message the composer's page showed,
    unless the agent chose to send anyway."""
    seen = post.get("seen", "")
    if post.get("confirm_collision") == "1" or not seen.isdigit() or len(seen) > 18:
        return None
    return (
        ticket.messages.filter(public=True, id__gt=int(seen), author__role__in=STAFF_ROLES)
        .exclude(author=user)
        .select_related("author")
        .order_by("-id")
        .first()
    )


@agent_required
@require_POST
def update_view(request: AuthedRequest, number: int) -> HttpResponse:
    """The properties panel, and the quick actions (assign to me, pending, solved)."""
    ticket = _ticket_or_404(request, number)
    post = request.POST.copy()
    if post.get("assignee") == "me":
        post["assignee"] = str(request.user.pk)
    try:
        changes = ticket_input.property_changes(post, ticket)
        if changes:
            update_ticket(ticket, by=request.user, changes=changes)
    except DomainError as exc:
        return _render(request, ticket, error=str(exc), status=400)
    forget_counts(request.user)
    messages.success(request, "Ticket updated." if changes else "Nothing to change.")
    return redirect("agent:ticket", number=ticket.number)


@agent_required
@require_POST
def requester_notes_view(request: AuthedRequest, number: int) -> HttpResponse:
    """Notes about the requester, which every agent sees next to their tickets."""
    ticket = _ticket_or_404(request, number)
    try:
        update_user(ticket.requester, by=request.user, notes=request.POST.get("notes", "")[:5000])
    except DomainError as exc:
        return _render(request, ticket, error=str(exc), status=400)
    messages.success(request, "Notes saved.")
    return redirect("agent:ticket", number=ticket.number)


@agent_required
@require_POST
def acknowledge_view(request: AuthedRequest, number: int, emergency_id: int) -> HttpResponse:
    """Take an emergency on: the repeats stop and the ticket records who and when."""
    ticket = _ticket_or_404(request, number)
    emergency = Emergency.objects.filter(pk=emergency_id, ticket=ticket).first()
    if emergency is None:
        raise Http404("no such emergency")
    try:
        acknowledge_emergency(emergency, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Emergency acknowledged: the alerts stop.")
    return redirect("agent:ticket", number=ticket.number)
