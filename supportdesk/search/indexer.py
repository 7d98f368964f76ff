"""Keeps `TicketDocument` rows current. Runs inside the service's transaction, so the
index never disagrees with the tickets it describes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from supportdesk.search.models import TicketDocument
from supportdesk.tickets.models import EventKind, Message, Ticket, TicketEvent

# Events that change what a ticket's document holds.
_REINDEX_KINDS = {EventKind.CREATED, EventKind.MESSAGE, EventKind.MERGED}
# Search text per ticket is capped; a runaway thread should not bloat the index.
MAX_TEXT = 200_000


def on_events(events: Sequence[TicketEvent]) -> None:
    numbers = {
        e.ticket_id
        for e in events
        if e.kind in _REINDEX_KINDS or (e.kind == EventKind.CHANGED and e.field == "subject")
    }
    if numbers:
        index_tickets(numbers)


def index_tickets(numbers: Iterable[int]) -> int:
    numbers = sorted(set(numbers))
    subjects = dict(Ticket.objects.filter(number__in=numbers).values_list("number", "subject"))
    texts: dict[int, dict[bool, list[str]]] = {n: {True: [], False: []} for n in subjects}
    rows = Message.objects.filter(ticket_id__in=list(subjects)).order_by("id")
    for ticket_id, public, body in rows.values_list("ticket_id", "public", "body").iterator():
        texts[ticket_id][public].append(body)
    docs = [
        TicketDocument(
            ticket_id=n,
            subject=subjects[n],
            public_text="\n".join(texts[n][True])[:MAX_TEXT],
            private_text="\n".join(texts[n][False])[:MAX_TEXT],
        )
        for n in subjects
    ]
    TicketDocument.objects.bulk_create(
        docs,
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=["subject", "public_text", "private_text"],
    )
    return len(docs)


def reindex_all(batch: int = 2000) -> int:
    """Rebuild every ticket's document (`supportdesk manage reindex`)."""
    done, last = 0, 0
    while True:
        numbers = list(
            Ticket.objects.filter(number__gt=last)
            .order_by("number")
            .values_list("number", flat=True)[:batch]
        )
        if not numbers:
            return done
        done += index_tickets(numbers)
        last = numbers[-1]
