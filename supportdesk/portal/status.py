"""A ticket's status in the words a customer reads: whose turn it is, not our workflow."""

from __future__ import annotations

from typing import NamedTuple

from supportdesk.tickets.models import Status


class CustomerStatus(NamedTuple):
    label: str
    css: str  # a class in portal.css


OURS = CustomerStatus("Awaiting our reply", "cs-ours")
_WORDS: dict[str, CustomerStatus] = {
    Status.NEW: OURS,
    Status.OPEN: OURS,
    # On hold means we wait on someone else; for the customer it is still our turn.
    Status.ON_HOLD: CustomerStatus("In progress", "cs-ours"),
    Status.PENDING: CustomerStatus("Awaiting your reply", "cs-yours"),
    Status.SOLVED: CustomerStatus("Solved", "cs-solved"),
    Status.CLOSED: CustomerStatus("Closed", "cs-closed"),
}


def customer_status(status: str) -> CustomerStatus:
    return _WORDS.get(status, OURS)
