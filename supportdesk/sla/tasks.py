from supportdesk.jobs import job
from supportdesk.sla.services import recompute


@job()
def recompute_tickets(numbers: list[int]) -> int:
    for number in numbers:
        recompute(number)
    return len(numbers)
