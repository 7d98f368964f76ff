"""Reads of the webhook admin pages (admins only: the views check)."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from supportdesk.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def endpoints_with_last_delivery() -> QuerySet[WebhookEndpoint]:
    """Every endpoint with `last_status` and `last_at` of its newest delivery, in one query
    (the (endpoint, id) index answers each subquery)."""
    newest = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-id")
    return WebhookEndpoint.objects.annotate(
        last_status=Subquery(newest.values("status")[:1]),
        last_at=Subquery(newest.values("created_at")[:1]),
    ).order_by("name")


def get_endpoint(pk: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(pk=pk).first()
    if endpoint is None:
        raise Http404("no such webhook endpoint")
    return endpoint


def get_delivery(endpoint: WebhookEndpoint, pk: int) -> WebhookDelivery:
    delivery = endpoint.deliveries.select_related("endpoint").filter(pk=pk).first()
    if delivery is None:
        raise Http404("no such delivery")
    return delivery


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries with their attempts (oldest first), for keyset paging
    by -id."""
    attempts = WebhookAttempt.objects.order_by("id")
    return endpoint.deliveries.prefetch_related(Prefetch("attempt_log", queryset=attempts))
