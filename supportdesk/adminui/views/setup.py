"""/agent/admin/fields/: custom ticket fields and the ticket forms that group them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from supportdesk.adminui.access import admin_view, run_service, show
from supportdesk.adminui.forms import CustomFieldForm, TicketFormForm
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest
from supportdesk.tickets.models import CustomField, TicketForm
from supportdesk.tickets.setup import save_custom_field, save_ticket_form


def _field(pk: int) -> CustomField:
    field = CustomField.objects.filter(pk=pk).first()
    if field is None:
        raise Http404("no such field")
    return field


def _form(pk: int) -> TicketForm:
    form = TicketForm.objects.filter(pk=pk).first()
    if form is None:
        raise Http404("no such form")
    return form


@admin_view
def setup_list(request: AuthedRequest) -> HttpResponse:
    in_order = CustomField.objects.order_by("position", "id")
    context = {
        "section": "fields",
        "fields": in_order,
        "forms": TicketForm.objects.prefetch_related(Prefetch("fields", queryset=in_order)),
    }
    return show(request, "adminui/setup.html", context)


@admin_view
def field_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create a custom field (no `pk`) or change one."""
    field = _field(pk) if pk is not None else None
    initial: dict[str, Any] = {}
    if field is not None:
        initial = {
            name: getattr(field, name)
            for name in ("label", "key", "type", "required", "customer_visible", "position")
        }
        initial["enabled"] = field.enabled
        initial["choices"] = "\n".join(map(str, field.options))
    form = CustomFieldForm(request.POST or None, initial=initial, existing=field)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["options"] = data.pop("choices")
        if field is not None:
            del data["key"], data["type"]
        saved: list[CustomField] = []

        def save() -> None:
            saved.append(save_custom_field(by=request.user, field=field, **data))

        if run_service(form, save):
            messages.success(request, f"Saved field {saved[0].label}.")
            return redirect("adminui:setup")
    context = {"section": "fields", "field": field, "form": form}
    return show(request, "adminui/field_edit.html", context, status=400 if form.errors else 200)


@admin_view
def form_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create a ticket form (no `pk`) or change one."""
    ticket_form = _form(pk) if pk is not None else None
    initial: dict[str, Any] = {}
    if ticket_form is not None:
        initial = {
            "name": ticket_form.name,
            "custom_fields": list(ticket_form.fields.all()),
            "position": ticket_form.position,
            "enabled": ticket_form.enabled,
        }
    form = TicketFormForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["fields"] = data.pop("custom_fields")
        saved: list[TicketForm] = []

        def save() -> None:
            saved.append(save_ticket_form(by=request.user, form=ticket_form, **data))

        if run_service(form, save):
            messages.success(request, f"Saved form {saved[0].name}.")
            return redirect("adminui:setup")
    context = {"section": "fields", "ticket_form": ticket_form, "form": form}
    return show(request, "adminui/form_edit.html", context, status=400 if form.errors else 200)


@require_POST
@admin_view
def field_enabled(request: AuthedRequest, pk: int) -> HttpResponse:
    field = _field(pk)
    enabled = request.POST.get("enabled") == "1"
    try:
        save_custom_field(by=request.user, field=field, enabled=enabled)
    except DomainError as exc:
        messages.error(request, f"{field.label}: {exc}")
    else:
        state = "is in use again" if enabled else "is no longer in use; tickets keep their values"
        messages.success(request, f"Field {field.label} {state}.")
    return redirect("adminui:setup")


@require_POST
@admin_view
def form_enabled(request: AuthedRequest, pk: int) -> HttpResponse:
    ticket_form = _form(pk)
    enabled = request.POST.get("enabled") == "1"
    save_ticket_form(by=request.user, form=ticket_form, enabled=enabled)
    state = "is offered again" if enabled else "is no longer offered"
    messages.success(request, f"Form {ticket_form.name} {state}.")
    return redirect("adminui:setup")
