"""The customer's pages: their requests, a new request, one request with its public
conversation, a reply and "mark as solved". Agents are sent to the workspace."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from supportdesk.accounts.models import User
from supportdesk.kb.deflection import record_request_filed
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.http import AuthedRequest
from supportdesk.live.feed import current_cursor
from supportdesk.portal import queries
from supportdesk.portal.forms import ReplyForm, RequestForm
from supportdesk.portal.uploads import limited_uploads, upload_errors, uploads_of
from supportdesk.tickets.models import Channel, Source, Status, Ticket
from supportdesk.tickets.queries import access_ticket, messages_of
from supportdesk.tickets.services import create_ticket, reply, update_ticket

View = Callable[..., HttpResponse]


def customer_page(view: View) -> View:
    """Portal pages are for customers: anonymous people log in first, and agents go to
    the same place in the workspace, where they see everything about a ticket."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.is_agent:  # type: ignore[union-attr]
            number = kwargs.get("number")
            return redirect(f"/agent/tickets/{number}/" if number else "/agent/")
        return view(request, *args, **kwargs)

    return wrapper


def wants_partial(request: HttpRequest) -> bool:
    """htmx swaps a part of the page, except when it restores history (it needs the
    whole page then)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request  # type: ignore[union-attr]


def add_domain_error(form: Any, exc: DomainError) -> None:
    """Show a service's error on the field it names ("subject: ..."), else on the form."""
    text = str(exc)
    name, sep, rest = text.partition(": ")
    if sep and name in form.fields:
        form.add_error(name, rest[:1].upper() + rest[1:])
    else:
        form.add_error(None, text[:1].upper() + text[1:])


def home(request: HttpRequest) -> HttpResponse:
    """The root: customers to their requests, agents to the workspace, everyone else to
    the login page (which links to sign-up and login by e-mail)."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.is_agent:  # type: ignore[union-attr]
        return redirect("/agent/")
    return redirect("portal:requests")


@customer_page
def request_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    shares = queries.shares_with_organization(user)
    scope = request.GET.get("scope", queries.MINE)
    if not shares or scope not in (queries.MINE, queries.ORGANIZATION):
        scope = queries.MINE
    text = request.GET.get("q", "").strip()[:200]
    cursor = request.GET.get("cursor") or None
    qs = queries.requests_of(user, scope)
    error = ""
    try:
        if text:
            rows, next_cursor = queries.search_requests(qs, text, cursor=cursor)
        else:
            rows, next_cursor = queries.page_requests(qs, cursor=cursor)
    except DomainError:
        rows, next_cursor = [], None
        error = "This page link is out of date."
    keep = {"scope": scope} if shares else {}
    if text:
        keep["q"] = text
    context = {
        "rows": rows,
        "shares": shares,
        "scope": scope,
        "q": text,
        "error": error,
        "first_url": "?" + urlencode(keep) if cursor else "",
        "next_url": "?" + urlencode({**keep, "cursor": next_cursor}) if next_cursor else "",
    }
    template = "portal/requests.html"
    if wants_partial(request):
        template += "#results"
    return render(request, template, context, status=400 if error else 200)


@limited_uploads
@customer_page
def new_request(request: AuthedRequest) -> HttpResponse:
    offered = queries.offered_forms()
    raw_choice = request.POST.get("form") if request.method == "POST" else request.GET.get("form")
    chosen = queries.pick_form(offered, raw_choice)
    if request.method != "POST":
        form = RequestForm(ticket_form=chosen)
        template = "portal/new.html#custom_fields" if wants_partial(request) else "portal/new.html"
        return render(request, template, {"form": form, "offered": offered, "chosen": chosen})
    form = RequestForm(request.POST, ticket_form=chosen)
    if raw_choice and chosen is None:
        form.add_error(None, "The form you chose is no longer offered. Choose another one.")
    files_errors = upload_errors(request)
    if form.is_valid() and not files_errors:
        ticket = _create(request, form)
        if ticket is not None:
            messages.success(
                request, f"Request #{ticket.pk} received. We e-mailed you a confirmation."
            )
            return redirect("portal:request", number=ticket.pk)
    context = {"form": form, "offered": offered, "chosen": chosen, "files_errors": files_errors}
    return render(request, "portal/new.html", context, status=400)


def _create(request: AuthedRequest, form: RequestForm) -> Ticket | None:
    properties: dict[str, Any] = {}
    if form.ticket_form is not None:
        properties = {"form": form.ticket_form, "custom_fields": form.custom_values()}
    try:
        ticket = create_ticket(
            by=request.user,
            requester=request.user,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            channel=Channel.PORTAL,
            source=Source.WEB,
            properties=properties,
            attachments=uploads_of(request),
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        return None
    # Suggested articles this visitor opened did not answer them: not a deflection.
    visitor = request.session.get("kb_visitor")
    if visitor:
        record_request_filed(str(visitor), ticket.pk)
    return ticket


def _access(user: User, number: int) -> Ticket:
    try:
        return access_ticket(user, number)
    except NotFound as exc:
        raise Http404("no such request") from exc


def _request_page(
    request: AuthedRequest,
    ticket: Ticket,
    form: ReplyForm,
    *,
    status: int = 200,
    files_errors: list[str] | None = None,
) -> HttpResponse:
    context = {
        "ticket": ticket,
        "conversation": list(messages_of(request.user, ticket)),
        "form": form,
        "files_errors": files_errors or [],
        "is_open": ticket.is_open,
        "live_since": current_cursor(),
    }
    return render(request, "portal/request.html", context, status=status)


@customer_page
def request_page(request: AuthedRequest, number: int) -> HttpResponse:
    return _request_page(request, _access(request.user, number), ReplyForm())


@limited_uploads
@customer_page
def reply_view(request: AuthedRequest, number: int) -> HttpResponse:
    ticket = _access(request.user, number)
    if request.method != "POST":
        return redirect("portal:request", number=ticket.pk)
    form = ReplyForm(request.POST)
    files_errors = upload_errors(request)
    if form.is_valid() and not files_errors:
        was = ticket.status
        try:
            message = reply(
                ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                public=True,
                channel=Channel.PORTAL,
                source=Source.WEB,
                attachments=uploads_of(request),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if message.ticket_id != ticket.pk:
                messages.success(
                    request,
                    f"Request #{ticket.pk} is closed, so your reply opened a new request, "
                    f"#{message.ticket_id}.",
                )
                return redirect("portal:request", number=message.ticket_id)
            done = "Your reply was sent."
            if was == Status.SOLVED:
                done += " The request is open again."
            messages.success(request, done)
            return redirect(reverse("portal:request", args=[ticket.pk]) + f"#m{message.pk}")
    return _request_page(request, ticket, form, status=400, files_errors=files_errors)


@customer_page
def solve_view(request: AuthedRequest, number: int) -> HttpResponse:
    ticket = _access(request.user, number)
    if request.method != "POST":
        return redirect("portal:request", number=ticket.pk)
    try:
        update_ticket(ticket, by=request.user, changes={"status": Status.SOLVED})
    except DomainError as exc:
        messages.error(request, str(exc)[:1].upper() + str(exc)[1:])
    else:
        messages.success(
            request,
            f"Request #{ticket.pk} is marked as solved. If you need anything more, reply "
            "and it opens again.",
        )
    return redirect("portal:request", number=ticket.pk)
