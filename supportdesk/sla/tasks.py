from django.utils import timezone

from supportdesk.jobs import job, periodic
from supportdesk.sla.bulk import recompute_many


@job()
def recompute_tickets(numbers: list[int]) -> int:
    recompute_many(numbers, now=timezone.now())
    return len(numbers)


@periodic(minute="*")
def run_escalations() -> dict[str, int]:
    """SLA warnings and escalations, stalled tickets and emergencies, every minute."""
    from supportdesk.sla import escalations

    return escalations.run()
