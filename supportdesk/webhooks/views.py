"""/agent/admin/webhooks/: endpoints, their secret, and the log of deliveries and
attempts. Admins only, like every admin page (agents 403, customers 404)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from supportdesk.adminui.access import admin_view, paged, run_service, show
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest
from supportdesk.webhooks import queries, services
from supportdesk.webhooks.delivery import MAX_ATTEMPTS
from supportdesk.webhooks.forms import EndpointForm
from supportdesk.webhooks.models import WebhookEndpoint

SECTION = "webhooks"


@admin_view
def endpoint_list(request: AuthedRequest) -> HttpResponse:
    endpoints = queries.endpoints_with_last_delivery()
    return show(request, "webhooks/endpoints.html", {"section": SECTION, "endpoints": endpoints})


@admin_view
def endpoint_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create an endpoint (no `pk`) or change one."""
    endpoint = queries.get_endpoint(pk) if pk is not None else None
    initial: dict[str, object] = {"enabled": True}
    if endpoint is not None:
        initial = {"name": endpoint.name, "url": endpoint.url, "enabled": endpoint.enabled}
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved: list[WebhookEndpoint] = []

        def save() -> None:
            saved.append(
                services.save_endpoint(by=request.user, endpoint=endpoint, **form.cleaned_data)
            )

        if run_service(form, save):
            verb = "Saved" if endpoint else "Added"
            messages.success(request, f"{verb} endpoint {saved[0].name}.")
            return redirect("adminui:webhooks:endpoint", pk=saved[0].pk)
    context = {"section": SECTION, "endpoint": endpoint, "form": form}
    return show(request, "webhooks/endpoint_edit.html", context, status=400 if form.errors else 200)


@never_cache
@admin_view
def endpoint_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    endpoint = queries.get_endpoint(pk)
    page = paged(request, queries.deliveries_of(endpoint), ("-id",))
    context = {"section": SECTION, "endpoint": endpoint, "max_attempts": MAX_ATTEMPTS, **page}
    return show(request, "webhooks/endpoint.html", context)


@admin_view
def endpoint_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the endpoint and its delivery log."""
    endpoint = queries.get_endpoint(pk)
    if request.method == "POST":
        services.delete_endpoint(endpoint, by=request.user)
        messages.success(request, f"Deleted endpoint {endpoint.name} and its delivery log.")
        return redirect("adminui:webhooks:endpoints")
    return show(
        request, "webhooks/endpoint_delete.html", {"section": SECTION, "endpoint": endpoint}
    )


@require_POST
@admin_view
def endpoint_rotate(request: AuthedRequest, pk: int) -> HttpResponse:
    endpoint = services.rotate_secret(queries.get_endpoint(pk), by=request.user)
    messages.success(
        request,
        f"{endpoint.name} has a new secret. Give it to the receiver: "
        "until then it rejects our signatures.",
    )
    return redirect("adminui:webhooks:endpoint", pk=pk)


@require_POST
@admin_view
def endpoint_test(request: AuthedRequest, pk: int) -> HttpResponse:
    endpoint = queries.get_endpoint(pk)
    try:
        services.send_test(endpoint, by=request.user)
    except DomainError as exc:
        messages.error(request, _sentence(str(exc)))
    else:
        messages.success(
            request, f"Sent a test to {endpoint.name}. Its attempts show below as they happen."
        )
    return redirect("adminui:webhooks:endpoint", pk=pk)


@require_POST
@admin_view
def delivery_redeliver(request: AuthedRequest, pk: int, delivery_pk: int) -> HttpResponse:
    delivery = queries.get_delivery(queries.get_endpoint(pk), delivery_pk)
    try:
        services.redeliver(delivery, by=request.user)
    except DomainError as exc:
        messages.error(request, _sentence(str(exc)))
    else:
        messages.success(request, f"Delivering {delivery.event} #{delivery.pk} again.")
    return redirect("adminui:webhooks:endpoint", pk=pk)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]
