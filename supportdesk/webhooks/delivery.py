"""One attempt of a webhook delivery: sign, POST, log the answer, then mark the delivery
delivered, schedule the next attempt, or give up.

`attempt_delivery` is the unit the job runs and tests call directly. It claims the
attempt with a conditional update on (status, attempts), so a duplicate job (the sweeper
and a late scheduled retry) makes one POST, not two.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.db import transaction
from django.utils import timezone

from supportdesk.jobs import enqueue, enqueue_in
from supportdesk.webhooks import tasks
from supportdesk.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from supportdesk.webhooks.signing import signature_header

log = logging.getLogger(__name__)

# Seconds to wait after failed attempt 1, 2, ...: six attempts over about 2 h 40 min.
BACKOFF = (30, 120, 480, 1800, 7200)
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT = 10.0
# A claimed attempt that has not finished after this long is presumed dead (the worker
# stopped); the sweeper then schedules it again.
LEASE = timedelta(minutes=5)
# A pending delivery this late past its due time lost its scheduled job.
STALLED_AFTER = timedelta(minutes=10)
EXCERPT_CHARS = 500
# Read a little more than we keep: multi-byte characters, and never a whole large body.
EXCERPT_BYTES = 4 * EXCERPT_CHARS
ERROR_CHARS = 300
USER_AGENT = "supportdesk-webhooks"


@dataclass
class Outcome:
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str = ""
    excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def request_body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes we POST and sign."""
    document = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def attempt_delivery(delivery_id: int, *, expected: int | None = None) -> WebhookAttempt | None:
    """Make the next attempt of a pending delivery and log it.

    `expected` is how many attempts the caller saw made; if another worker made one since,
    this does nothing (None). Without it, whatever the count is now (tests, scripts)."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    done = delivery.attempts if expected is None else expected
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, attempts=done
    ).update(attempts=done + 1, next_attempt_at=timezone.now() + LEASE)
    if not claimed:
        return None
    endpoint = delivery.endpoint
    if endpoint.enabled:
        outcome = post(endpoint, delivery)
    else:
        outcome = Outcome(timezone.now(), 0, None, "not sent: the endpoint is disabled")
    return _record(delivery, done + 1, outcome, give_up=not endpoint.enabled)


def post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> Outcome:
    """POST the delivery once. Redirects are not followed: the answer is a failure that
    names where it pointed, so the admin can fix the URL."""
    body = request_body(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Supportdesk-Event": delivery.event,
        "X-Supportdesk-Delivery": str(delivery.pk),
        "X-Supportdesk-Signature": signature_header(endpoint.secret, body),
    }
    started_at, start = timezone.now(), time.monotonic()
    try:
        with (
            httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client,
            client.stream("POST", endpoint.url, content=body, headers=headers) as response,
        ):
            excerpt = _read_excerpt(response)
            code = response.status_code
            location = response.headers.get("location", "")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return Outcome(started_at, _ms_since(start), None, _error_text(exc))
    error = ""
    if 300 <= code < 400:
        error = f"redirected to {location[:200] or '(no Location)'}; redirects are not followed"
    return Outcome(started_at, _ms_since(start), code, error, excerpt)


def _read_excerpt(response: httpx.Response) -> str:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= EXCERPT_BYTES:
            break
    text = b"".join(chunks)[:EXCERPT_BYTES].decode("utf-8", errors="replace")
    # PostgreSQL text cannot hold NUL.
    return text.replace("\x00", "")[:EXCERPT_CHARS]


def _error_text(exc: Exception) -> str:
    detail = str(exc).strip()
    text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return text.replace("\x00", "")[:ERROR_CHARS]


def _ms_since(start: float) -> int:
    return max(0, round((time.monotonic() - start) * 1000))


def _record(
    delivery: WebhookDelivery, number: int, outcome: Outcome, *, give_up: bool = False
) -> WebhookAttempt:
    """Log attempt `number` and move the delivery on."""
    with transaction.atomic():
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            started_at=outcome.started_at,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            error=outcome.error,
            response_excerpt=outcome.excerpt,
        )
        delivery.attempts = number
        if outcome.ok:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at, delivery.next_attempt_at = timezone.now(), None
        elif give_up or number >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delay = BACKOFF[number - 1]
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            enqueue_in(delay, tasks.deliver, delivery.pk, number)
        delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])
    if not outcome.ok:
        answer = outcome.status_code or "no answer"
        then = f"next in {BACKOFF[number - 1]} s" if delivery.next_attempt_at else "giving up"
        log.warning(
            "webhooks: delivery %s (%s) to endpoint %s failed, attempt %s of %s (%s: %s); %s",
            delivery.pk,
            delivery.event,
            delivery.endpoint_id,
            number,
            MAX_ATTEMPTS,
            answer,
            outcome.error or "non-2xx",
            then,
        )
    return attempt


def resume_stalled(limit: int = 500) -> int:
    """Schedule again the pending deliveries whose next attempt is long overdue."""
    overdue = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lt=timezone.now() - STALLED_AFTER
    ).order_by("next_attempt_at")[:limit]
    rows = list(overdue.values_list("pk", "attempts"))
    for pk, attempts in rows:
        enqueue(tasks.deliver, pk, attempts)
    if rows:
        log.info("webhooks: resumed %s stalled deliveries", len(rows))
    return len(rows)
