"""Webhook delivery jobs. Retries are ours, not Huey's: each attempt is logged and the
next one scheduled with its own backoff (see `delivery.py`)."""

from __future__ import annotations

from supportdesk.jobs import job, periodic


@job(retries=0)
def deliver(delivery_id: int, expected: int) -> None:
    """Attempt number `expected + 1` of a delivery; a stale or duplicate job does nothing."""
    from supportdesk.webhooks.delivery import attempt_delivery

    attempt_delivery(delivery_id, expected=expected)


@periodic(minute="*/5")
def resume_stalled_deliveries() -> None:
    """Every 5 minutes: deliveries whose retry job was lost (a queue wiped, a worker that
    died mid-attempt) get a new one."""
    from supportdesk.webhooks.delivery import resume_stalled

    resume_stalled()
