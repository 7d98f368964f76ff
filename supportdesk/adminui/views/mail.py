"""/agent/admin/mail/: the mailboxes mail comes in through, with their IMAP, SMTP and login
settings, the HTTP endpoint and its secret, and a connection test. The other e-mail pages
(quarantine, suspended mail, block list, templates, failed mail) are in mail_inbound.py
and mail_outbound.py; every route of the section is listed here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from supportdesk.adminui.access import admin_view, capped_count, run_service, show
from supportdesk.adminui.mail_forms import MailboxForm
from supportdesk.adminui.views import mail_inbound, mail_outbound
from supportdesk.lib.http import AuthedRequest
from supportdesk.mail import connections
from supportdesk.mail import setup as mail_setup
from supportdesk.mail.models import InboundMessage, Mailbox

SECTION = "mail"


def _mailbox(pk: int) -> Mailbox:
    found = Mailbox.objects.select_related("group").filter(pk=pk).first()
    if found is None:
        raise Http404("no such mailbox")
    return found


def sources(mailbox: Mailbox) -> list[str]:
    """Where the mailbox's mail comes from, in words."""
    found = [f"IMAP {mailbox.imap_host} (every minute)"] if mailbox.imap_host else []
    return [*found, "HTTP endpoint", "SMTP listener"]


def sends_via(mailbox: Mailbox) -> str:
    if mailbox.smtp_host:
        return f"Replies through {mailbox.smtp_host}:{mailbox.smtp_port}"
    return "Replies through the site's mail server"


@admin_view
def mailbox_list(request: AuthedRequest) -> HttpResponse:
    # The newest message by id: an index seek on the mailbox column, never a scan of all.
    last = (
        InboundMessage.objects.filter(mailbox=OuterRef("pk"))
        .order_by("-id")
        .values("received_at")[:1]
    )
    rows = list(
        Mailbox.objects.select_related("group")
        .annotate(last_received=Subquery(last))
        .order_by("address")
    )
    for row in rows:
        row.sources = sources(row)  # type: ignore[attr-defined]
        row.sends_via = sends_via(row)  # type: ignore[attr-defined]
    context = {"section": SECTION, "mail_tab": "mailboxes", "mailboxes": rows}
    return show(request, "adminui/mail_mailboxes.html", context)


@never_cache
@admin_view
def mailbox_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create a mailbox (no `pk`) or change one. Passwords and secrets are write-only."""
    mailbox = _mailbox(pk) if pk is not None else None
    initial: dict[str, Any] = {"enabled": True, "imap_folder": "INBOX"}
    if mailbox is not None:
        initial = MailboxForm.initial_of(mailbox)
    form = MailboxForm(request.POST or None, initial=initial, mailbox=mailbox)
    if request.method == "POST" and form.is_valid():
        saved: list[Mailbox] = []

        def save() -> None:
            changes = form.changes()
            saved.append(mail_setup.save_mailbox(mailbox, by=request.user, fields=changes))

        if run_service(form, save):
            verb = "Saved" if mailbox else "Added"
            messages.success(request, f"{verb} mailbox {saved[0].address}.")
            return redirect("adminui:mailbox", pk=saved[0].pk)
    context = {
        "section": SECTION,
        "mail_tab": "mailboxes",
        "mailbox": mailbox,
        "form": form,
        "endpoint": _endpoint(request, mailbox) if mailbox else "",
    }
    status = 400 if form.errors else 200
    return show(request, "adminui/mail_mailbox_edit.html", context, status=status)


def _endpoint(request: AuthedRequest, mailbox: Mailbox) -> str:
    return request.build_absolute_uri(reverse("mail:inbound", kwargs={"pk": mailbox.pk}))


@admin_view
def mailbox_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks first; POST deletes. Its messages and tickets stay."""
    mailbox = _mailbox(pk)
    if request.method == "POST":
        mail_setup.delete_mailbox(mailbox, by=request.user)
        messages.success(request, f"Deleted mailbox {mailbox.address}. Its messages stay.")
        return redirect("adminui:mailboxes")
    stored = capped_count(InboundMessage.objects.filter(mailbox=mailbox))
    context = {"section": SECTION, "mail_tab": "mailboxes", "mailbox": mailbox, "stored": stored}
    return show(request, "adminui/mail_mailbox_delete.html", context)


@require_POST
@admin_view
def mailbox_secret(request: AuthedRequest, pk: int) -> HttpResponse:
    mailbox = mail_setup.new_mailbox_secret(_mailbox(pk), by=request.user)
    messages.success(
        request,
        f"New secret for {mailbox.address}: the old one no longer works. "
        "Give the new one to the mail service.",
    )
    return redirect(reverse("adminui:mailbox", kwargs={"pk": mailbox.pk}) + "#endpoint")


@require_POST
@admin_view
def mailbox_check(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    """Connect and log in with the saved settings; the answer in a message."""
    mailbox = _mailbox(pk)
    checks = {"imap": connections.check_imap, "smtp": connections.check_smtp}
    if kind not in checks:
        raise Http404("no such check")
    try:
        result = checks[kind](mailbox)
    except connections.ConnectionCheckFailed as exc:
        messages.error(request, f"{kind.upper()} test failed: {exc}")
    else:
        messages.success(request, f"{kind.upper()} test: {result}")
    return redirect(reverse("adminui:mailbox", kwargs={"pk": mailbox.pk}) + f"#{kind}")


urlpatterns: list[URLPattern] = [
    path("", mailbox_list, name="mailboxes"),
    path("mailboxes/new/", mailbox_edit, name="mailbox_new"),
    path("mailboxes/<int:pk>/", mailbox_edit, name="mailbox"),
    path("mailboxes/<int:pk>/delete/", mailbox_delete, name="mailbox_delete"),
    path("mailboxes/<int:pk>/secret/", mailbox_secret, name="mailbox_secret"),
    path("mailboxes/<int:pk>/test/<str:kind>/", mailbox_check, name="mailbox_check"),
    *mail_inbound.urlpatterns,
    *mail_outbound.urlpatterns,
]
