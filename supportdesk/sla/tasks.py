from supportdesk.jobs import job, periodic
from supportdesk.sla.services import recompute


@job()
def recompute_tickets(numbers: list[int]) -> int:
    for number in numbers:
        recompute(number)
    return len(numbers)


@periodic(minute="*")
def run_escalations() -> dict[str, int]:
    """SLA warnings and escalations, stalled tickets and emergencies, every minute."""
    from supportdesk.sla import escalations

    return escalations.run()
