"""The only writers of webhook endpoints and deliveries.

Other apps (SLA escalations, emergencies, automation rules) call `send_webhook`; admins
manage endpoints through the admin pages, which call the rest. The HTTP side lives in
`delivery.py`.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.jobs import enqueue
from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.webhooks import tasks
from supportdesk.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from supportdesk.webhooks.signing import verify_signature

__all__ = [
    "delete_endpoint",
    "redeliver",
    "rotate_secret",
    "save_endpoint",
    "send_test",
    "send_webhook",
    "verify_signature",
]

log = logging.getLogger(__name__)

_url_validator = URLValidator(schemes=["http", "https"])
MAX_NAME = 100
MAX_URL = 500
MAX_EVENT = 60
MAX_SOURCE = 300


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _require_admin(by: User) -> None:
    if not by.is_admin:
        raise PermissionDenied("only admins manage webhooks")


def _clean_url(url: str) -> str:
    url = url.strip()
    if not url:
        raise DomainError("url: enter the address that should receive the webhooks")
    if len(url) > MAX_URL:
        raise DomainError(f"url: at most {MAX_URL} characters")
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in ("http", "https"):
        raise DomainError("url: use an http:// or https:// address")
    try:
        _url_validator(url)
    except ValidationError as exc:
        raise DomainError("url: not a valid web address (https://host/path)") from exc
    return url


@transaction.atomic
def save_endpoint(
    *,
    by: User,
    endpoint: WebhookEndpoint | None = None,
    name: str,
    url: str,
    enabled: bool = True,
) -> WebhookEndpoint:
    """Create an endpoint (with a new secret) when `endpoint` is None, else change it."""
    _require_admin(by)
    name = name.strip()
    if not name:
        raise DomainError("name: give the endpoint a name")
    if len(name) > MAX_NAME:
        raise DomainError(f"name: at most {MAX_NAME} characters")
    url = _clean_url(url)
    taken = WebhookEndpoint.objects.filter(name__iexact=name)
    if endpoint is not None:
        taken = taken.exclude(pk=endpoint.pk)
    if taken.exists():
        raise DomainError(f"name: another endpoint is already called {name}")
    if endpoint is None:
        endpoint = WebhookEndpoint.objects.create(
            name=name, url=url, enabled=enabled, secret=new_secret()
        )
        log.info("webhooks: %s added endpoint %s (id %s)", by.email, name, endpoint.pk)
        return endpoint
    endpoint.name, endpoint.url, endpoint.enabled = name, url, enabled
    endpoint.save(update_fields=["name", "url", "enabled"])
    log.info("webhooks: %s changed endpoint %s (id %s)", by.email, name, endpoint.pk)
    return endpoint


def rotate_secret(endpoint: WebhookEndpoint, *, by: User) -> WebhookEndpoint:
    """Give the endpoint a new secret; later attempts (retries included) sign with it."""
    _require_admin(by)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    log.info("webhooks: %s rotated the secret of endpoint %s", by.email, endpoint.pk)
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint, *, by: User) -> None:
    """Delete the endpoint with its deliveries and their attempt log."""
    _require_admin(by)
    log.info("webhooks: %s deleted endpoint %s (id %s)", by.email, endpoint.name, endpoint.pk)
    endpoint.delete()


def _json_payload(payload: Any) -> Any:
    """The payload as plain JSON values: dates, decimals and UUIDs become strings, so what
    we store is exactly what we send."""
    try:
        return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    except (TypeError, ValueError) as exc:
        raise DomainError(f"payload: not JSON serialisable ({exc})") from exc


def send_webhook(
    endpoint: WebhookEndpoint, *, event: str, payload: Any, source: str = ""
) -> WebhookDelivery | None:
    """Record a delivery of `event` to `endpoint` and send it once the transaction commits.

    A disabled endpoint records and sends nothing: the answer is None. Failed attempts
    are retried with backoff (see `delivery.BACKOFF`); the caller never waits for the
    receiver. `source` says what caused it, for the admins reading the log."""
    if not endpoint.enabled:
        return None
    event = event.strip()
    if not event or len(event) > MAX_EVENT:
        raise DomainError(f"event: a short name such as sla.breached (1 to {MAX_EVENT} chars)")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=event,
        payload=_json_payload(payload),
        source=source.strip()[:MAX_SOURCE],
        next_attempt_at=timezone.now(),
    )
    enqueue(tasks.deliver, delivery.pk, 0)
    return delivery


def send_test(endpoint: WebhookEndpoint, *, by: User) -> WebhookDelivery:
    """Send a "test" event, so an admin can check the receiver and its signature check."""
    _require_admin(by)
    if not endpoint.enabled:
        raise DomainError("this endpoint is disabled; enable it to send a test")
    payload = {"message": "A test from supportdesk.", "endpoint": endpoint.name}
    delivery = send_webhook(
        endpoint, event="test", payload=payload, source=f"test sent by {by.display_name}"
    )
    assert delivery is not None  # enabled, checked above
    return delivery


def redeliver(delivery: WebhookDelivery, *, by: User) -> WebhookDelivery:
    """Send a failed delivery again: a new series of attempts, logged after the old ones."""
    _require_admin(by)
    if not delivery.endpoint.enabled:
        raise DomainError("this endpoint is disabled; enable it to deliver again")
    now = timezone.now()
    # Conditional, so two admins pressing the button start one series, not two.
    restarted = WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, delivered_at=None
    )
    if not restarted:
        raise DomainError("only a failed delivery can be delivered again")
    delivery.refresh_from_db()
    enqueue(tasks.deliver, delivery.pk, 0)
    log.info("webhooks: %s redelivers delivery %s", by.email, delivery.pk)
    return delivery
