"""Mail delivery, the mail and notifications that ticket events cause, daily digests."""

from __future__ import annotations

from supportdesk.jobs import job, periodic
from supportdesk.notify import services


@job(context=True)
def deliver(mail_id: int, *, task=None) -> None:  # type: ignore[no-untyped-def]
    try:
        services.deliver_now(mail_id)
    except Exception:
        if task is not None and task.retries == 0:
            services.mark_failed(mail_id)
        raise


@job()
def mail_for_events(event_ids: list[int]) -> None:
    from supportdesk.notify.subscribers import mail_for
    from supportdesk.tickets.models import TicketEvent

    mail_for(
        list(
            TicketEvent.objects.filter(pk__in=event_ids)
            .select_related("ticket", "actor")
            .order_by("id")
        )
    )


@periodic(minute="0")
def send_digests() -> None:
    """Every hour: the daily digests of the agents for whom it is morning now."""
    from supportdesk.notify.digest import send_due_digests

    send_due_digests()
