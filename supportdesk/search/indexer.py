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
    created = {e.ticket_id for e in events if e.kind == EventKind.CREATED}
    if created:
        # Everything a ticket created in this change holds is in its events: no reads,
        # and no document of it exists yet.
        TicketDocument.objects.bulk_create([_new_document(n, events) for n in sorted(created)])
    if numbers - created:
        # The services hand their events the ticket they just wrote: its subject is current.
        subjects = {e.ticket_id: e.ticket.subject for e in events if e.ticket_id in numbers}
        index_tickets(numbers - created, subjects=subjects)


def _new_document(number: int, events: Sequence[TicketEvent]) -> TicketDocument:
    mine = [e for e in events if e.ticket_id == number]
    texts: dict[bool, list[str]] = {True: [], False: []}
    for event in mine:
        if event.kind == EventKind.MESSAGE and event.message is not None:
            texts[event.message.public].append(event.message.body)
    return _document(number, mine[0].ticket.subject, texts)


def index_tickets(numbers: Iterable[int], *, subjects: dict[int, str] | None = None) -> int:
    """Rebuild the documents of these tickets from their rows; `subjects`, when the caller
    has them, saves reading them."""
    numbers = sorted(set(numbers))
    if subjects is None or not set(numbers) <= set(subjects):
        subjects = dict(Ticket.objects.filter(number__in=numbers).values_list("number", "subject"))
    else:
        subjects = {n: subjects[n] for n in numbers}
    texts: dict[int, dict[bool, list[str]]] = {n: {True: [], False: []} for n in subjects}
    rows = Message.objects.filter(ticket_id__in=list(subjects)).order_by("id")
    for ticket_id, public, body in rows.values_list("ticket_id", "public", "body").iterator():
        texts[ticket_id][public].append(body)
    return _write([_document(n, subjects[n], texts[n]) for n in subjects])


def _document(number: int, subject: str, texts: dict[bool, list[str]]) -> TicketDocument:
    return TicketDocument(
        ticket_id=number,
        subject=subject,
        public_text="\n".join(texts[True])[:MAX_TEXT],
        private_text="\n".join(texts[False])[:MAX_TEXT],
    )


def _write(docs: list[TicketDocument]) -> int:
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
