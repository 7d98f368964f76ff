"""/agent/admin/mail/templates/<name>/ and /agent/admin/mail/failed/: the texts of automatic
mail (the acknowledgement of a new ticket) with their placeholders and a preview, and the
outgoing mail that could not be delivered, to send again once the cause is fixed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from supportdesk.adminui.access import admin_view, paged, run_service, show
from supportdesk.adminui.mail_forms import TemplateForm
from supportdesk.adminui.views.mail_common import failed_mail, forget_attention
from supportdesk.lib.http import AuthedRequest
from supportdesk.mail import setup as mail_setup
from supportdesk.mail.templates import (
    ACKNOWLEDGEMENT,
    DEFAULT_TEMPLATES,
    SAMPLE_CONTEXT,
    TemplateProblem,
    render_template,
    render_text,
    template,
)
from supportdesk.notify.models import OutgoingEmail

SECTION = "mail"
TITLES = {ACKNOWLEDGEMENT: "Acknowledgement of a new ticket"}
ABOUT = {
    ACKNOWLEDGEMENT: "Sent to the customer when their e-mail opens a new ticket, from the "
    "mailbox they wrote to. Never sent to automatic mail (auto-replies, mailing lists, "
    "bounces) and at most a few times an hour to one address, so two robots cannot loop."
}
PLACEHOLDER_HELP = {
    "ticket.number": "The ticket's number",
    "ticket.subject": "The ticket's subject",
    "ticket.url": "Where the customer follows the request in the portal",
    "ticket.description": "The text of the customer's first message",
    "requester.name": "The customer's full name (their address when we have no name)",
    "requester.first_name": "The customer's first name; may be empty",
    "requester.email": "The customer's address",
    "first_reply_due": "When the first answer is due by the SLA, in the customer's time; "
    "empty when no SLA applies",
    "mailbox.name": "The mailbox's name, as the sender",
    "mailbox.address": "The mailbox's address",
}


def placeholders(context: dict[str, Any], prefix: str = "") -> list[tuple[str, str, str]]:
    """(name, meaning, sample value) of every value a template can use."""
    out: list[tuple[str, str, str]] = []
    for key, value in context.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out += placeholders(value, f"{name}.")
        else:
            out.append((name, PLACEHOLDER_HELP.get(name, ""), str(value)))
    return out


@admin_view
def template_edit(request: AuthedRequest, name: str = ACKNOWLEDGEMENT) -> HttpResponse:
    """Edit a template. "Preview" renders the form's text over a sample ticket (nothing
    saved); "Built-in text" puts the default back in the form; "Save" checks and stores."""
    if name not in DEFAULT_TEMPLATES:
        raise Http404("no such template")
    subject, body, enabled = template(name)
    initial = {"subject": subject, "body": body, "enabled": enabled}
    data: QueryDict | None = request.POST.copy() if request.method == "POST" else None
    if data is not None and "builtin" in data:
        default_subject, default_body = DEFAULT_TEMPLATES[name]
        data["subject"], data["body"] = default_subject, default_body
    form = TemplateForm(data, initial=initial)
    preview: tuple[str, str] | None = None
    if data is None:
        preview = render_template(name, SAMPLE_CONTEXT)
    elif form.is_valid():
        values = form.cleaned_data
        # Rendering first puts a broken placeholder under its field; the service checks again.
        preview = _preview(form, values["subject"], values["body"])
        if "save" in data and preview is not None:

            def save() -> None:
                mail_setup.save_template(name, by=request.user, **values)

            if run_service(form, save):
                messages.success(request, f"Saved the {TITLES[name].lower()}.")
                return redirect("adminui:mail_template", name=name)
    context = {
        "section": SECTION,
        "mail_tab": "templates",
        "name": name,
        "title": TITLES[name],
        "about": ABOUT[name],
        "form": form,
        "preview": preview,
        "placeholders": placeholders(SAMPLE_CONTEXT),
    }
    return show(request, "adminui/mail_template.html", context, status=400 if form.errors else 200)


def _preview(form: TemplateForm, subject: str, body: str) -> tuple[str, str] | None:
    """The text rendered over the sample; a problem goes on the field it is in."""
    try:
        return render_text(subject, body, SAMPLE_CONTEXT, strict=True)
    except TemplateProblem as exc:
        message = str(exc)
        field = "subject" if message.startswith("subject") else "body"
        if field not in form.errors:
            form.add_error(field, message[:1].upper() + message[1:])
        return None


@admin_view
def failed_list(request: AuthedRequest) -> HttpResponse:
    rows = failed_mail().defer("body", "html", "references", "headers")
    page = paged(request, rows, ("-created_at", "-id"))
    return show(
        request, "adminui/mail_failed.html", {"section": SECTION, "mail_tab": "failed", **page}
    )


@require_POST
@admin_view
def failed_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    mail = OutgoingEmail.objects.filter(pk=pk).first()
    if mail is None:
        raise Http404("no such mail")
    if mail_setup.retry_outgoing(mail, by=request.user):
        forget_attention()
        to = ", ".join(mail.to)
        messages.success(request, f"Queued again: \u201c{mail.subject}\u201d to {to}.")
    else:
        messages.error(request, "That mail was sent or queued again meanwhile.")
    return redirect("adminui:mail_failed")


urlpatterns: list[URLPattern] = [
    path("templates/", template_edit, name="mail_templates"),
    path("templates/<slug:name>/", template_edit, name="mail_template"),
    path("failed/", failed_list, name="mail_failed"),
    path("failed/<int:pk>/retry/", failed_retry, name="mail_failed_retry"),
]
