"""/agent/admin/mail/quarantine/, suspended/, blocked/: mail that did not become a ticket.

Quarantine (admins): messages that could not be parsed or stored, kept raw with the
reason; retry one after a fix, or delete it. Suspended (agents and admins, since sorting
spam is everyday work): spam and mail from blocked senders; release one into the queues,
delete it, or block its sender. The block list (admins): add and remove addresses and
@domains. Every action calls mail/services.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from supportdesk.adminui.access import admin_view, paged, run_service, show
from supportdesk.adminui.mail_forms import BlockForm
from supportdesk.adminui.views.mail_common import (
    agent_mail_view,
    forget_attention,
    quarantined,
    readable,
    suspended,
)
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest
from supportdesk.mail import services
from supportdesk.mail.models import BlockedSender, InboundMessage, Outcome

SECTION = "mail"


ORDER = ("-received_at", "-id")
LIST_FIELDS = ("raw",)  # never read the bytes for a list


def _record(request: AuthedRequest, pk: int) -> InboundMessage:
    """A stored message this user may handle: admins any, agents suspended ones."""
    record = InboundMessage.objects.select_related("mailbox").filter(pk=pk).first()
    if record is None:
        raise Http404("no such message")
    if not request.user.is_admin and record.outcome != Outcome.SUSPENDED:
        raise Http404("no such message")
    return record


def _list_page(request: AuthedRequest, qs: Any, template: str, tab: str) -> HttpResponse:
    rows = qs.select_related("mailbox").defer(*LIST_FIELDS)
    page = paged(request, rows, ORDER)
    for row in page["rows"]:
        row.sender_domain = row.sender.rpartition("@")[2].lower()
    return show(request, template, {"section": SECTION, "mail_tab": tab, **page})


@admin_view
def quarantine_list(request: AuthedRequest) -> HttpResponse:
    return _list_page(request, quarantined(), "adminui/mail_quarantine.html", "quarantine")


@agent_mail_view
def suspended_list(request: AuthedRequest) -> HttpResponse:
    return _list_page(request, suspended(), "adminui/mail_suspended.html", "suspended")


@never_cache
@agent_mail_view
def message_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    tab = "suspended" if record.outcome == Outcome.SUSPENDED else "quarantine"
    context = {"section": SECTION, "mail_tab": tab, "record": record, "shown": readable(record)}
    return show(request, "adminui/mail_message.html", context)


@agent_mail_view
def message_raw(request: AuthedRequest, pk: int) -> HttpResponse:
    """The message exactly as received, as a download: never shown inline."""
    record = _record(request, pk)
    response = HttpResponse(bytes(record.raw or b""), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{record.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _result(line: str, ticket: int | None) -> str:
    if ticket is None:
        return line
    url = reverse("agent:ticket", kwargs={"number": ticket})
    return format_html('{} <a href="{}">Open ticket {}</a>', line.capitalize() + ".", url, ticket)


def _back(request: AuthedRequest, default: str) -> HttpResponse:
    """To the list the action was taken from, on the page it was on."""
    cursor = str(request.POST.get("cursor", ""))[:500]
    return redirect(reverse(default) + (f"?{urlencode({'cursor': cursor})}" if cursor else ""))


@require_POST
@admin_view
def message_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    if record.outcome != Outcome.QUARANTINED:
        messages.error(request, "That message is no longer in quarantine.")
        return _back(request, "adminui:mail_quarantine")
    try:
        report = services.retry(record)
    except DomainError as exc:
        messages.error(request, f"Could not retry: {exc}")
    else:
        forget_attention()
        messages.success(request, _result(f"Retried: {report.line}", report.ticket))
    return _back(request, "adminui:mail_quarantine")


@require_POST
@agent_mail_view
def message_release(request: AuthedRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    if record.outcome != Outcome.SUSPENDED:
        messages.error(request, "That message is no longer suspended.")
        return _back(request, "adminui:mail_suspended")
    try:
        report = services.release(record, by=request.user)
    except DomainError as exc:
        messages.error(request, f"Could not release it: {exc}")
    else:
        messages.success(request, _result(f"Released: {report.line}", report.ticket))
    return _back(request, "adminui:mail_suspended")


@require_POST
@agent_mail_view
def message_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    back = (
        "adminui:mail_suspended"
        if record.outcome == Outcome.SUSPENDED
        else "adminui:mail_quarantine"
    )
    if record.outcome not in (Outcome.SUSPENDED, Outcome.QUARANTINED):
        messages.error(request, "That message was handled already.")
        return _back(request, back)
    try:
        services.delete(record, by=request.user)
    except DomainError as exc:
        messages.error(request, f"Could not delete it: {exc}")
    else:
        forget_attention()
        messages.success(
            request, f"Deleted the message from {record.sender or 'an unknown sender'}."
        )
    return _back(request, back)


@require_POST
@agent_mail_view
def message_block(request: AuthedRequest, pk: int) -> HttpResponse:
    """Block the sender of a suspended message: its address, or (scope=domain) its domain."""
    record = _record(request, pk)
    sender = record.sender.strip()
    if "@" not in sender:
        messages.error(request, "This message has no sender address to block.")
        return _back(request, "adminui:mail_suspended")
    domain = request.POST.get("scope") == "domain"
    pattern = "@" + sender.rpartition("@")[2] if domain else sender
    try:
        blocked = services.block_sender(pattern, by=request.user)
    except DomainError as exc:
        messages.error(request, f"Could not block {pattern}: {_without_field(exc)}")
    else:
        text = f"Blocked {blocked.pattern}: their next mail goes to Suspended."
        messages.success(request, text)
    return _back(request, "adminui:mail_suspended")


def _without_field(exc: DomainError) -> str:
    """A service's "pattern: ..." message without the field name, for a flash message."""
    return str(exc).partition(": ")[2] or str(exc)


@admin_view
def blocked_list(request: AuthedRequest) -> HttpResponse:
    form = BlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pattern = form.cleaned_data["pattern"]
        blocked: list[BlockedSender] = []

        def block() -> None:
            blocked.append(services.block_sender(pattern, by=request.user))

        if run_service(form, block):
            messages.success(request, f"Blocked {blocked[0].pattern}.")
            return redirect("adminui:mail_blocked")
    rows = BlockedSender.objects.select_related("created_by")
    context = {
        "section": SECTION,
        "mail_tab": "blocked",
        "form": form,
        **paged(request, rows, ("pattern",)),
    }
    return show(request, "adminui/mail_blocked.html", context, status=400 if form.errors else 200)


@require_POST
@admin_view
def blocked_remove(request: AuthedRequest) -> HttpResponse:
    pattern = str(request.POST.get("pattern", ""))[:254]
    if not BlockedSender.objects.filter(pattern=pattern).exists():
        messages.error(request, f"{pattern or 'That sender'} is not on the block list.")
    else:
        services.unblock(pattern)
        messages.success(request, f"Removed {pattern} from the block list.")
    return redirect("adminui:mail_blocked")


urlpatterns: list[URLPattern] = [
    path("quarantine/", quarantine_list, name="mail_quarantine"),
    path("suspended/", suspended_list, name="mail_suspended"),
    path("messages/<int:pk>/", message_detail, name="mail_message"),
    path("messages/<int:pk>/raw/", message_raw, name="mail_message_raw"),
    path("messages/<int:pk>/retry/", message_retry, name="mail_message_retry"),
    path("messages/<int:pk>/release/", message_release, name="mail_message_release"),
    path("messages/<int:pk>/delete/", message_delete, name="mail_message_delete"),
    path("messages/<int:pk>/block/", message_block, name="mail_message_block"),
    path("blocked/", blocked_list, name="mail_blocked"),
    path("blocked/remove/", blocked_remove, name="mail_blocked_remove"),
]
