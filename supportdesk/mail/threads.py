"""Which ticket an incoming message continues.

In order of trust, the first that names a ticket the sender may write on wins:

1. the reply address it was sent to (`support+1234-k3f9x2ab@...`, HMAC-checked), from the
   envelope recipients or the Delivered-To / X-Original-To / To / Cc headers;
2. its In-Reply-To and References: one of our Message-IDs (`<sd.1234....>`), or a message
   already stored on a ticket, the nearest ancestor first;
3. out of order: a stored message that names this one in its own In-Reply-To/References
   (the reply came before what it answers), or that shares a reference with it (a sibling
   whose parent we never got): every reference of every message is kept as an
   `InboundReference` row for this;
4. `[#1234]` in the subject.

Only the requester, a CC or an agent continue a ticket: anyone else gets a ticket of their
own, so a guessed number or a forged header never adds to someone else's conversation. A
closed ticket's newest open follow-up takes the reply, so one conversation does not open a
new follow-up for every answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from supportdesk.accounts.models import User
from supportdesk.mail.addresses import ticket_of_address
from supportdesk.mail.models import InboundMessage, InboundReference
from supportdesk.mail.parse import Parsed
from supportdesk.tickets.models import Status, Ticket

# "[#1234]" in a subject names the ticket; our own Message-IDs carry the ticket number.
SUBJECT_REF = re.compile(r"\[#(\d{1,12})\]")
OUR_ID = re.compile(r"^<sd\.(\d{1,12})\.")
MAX_REFERENCES = 100  # kept per message: References can list a whole long thread
MAX_TICKET = 2**63 - 1
_DECIDING = ("number", "status", "deleted_at", "requester_id")


def thread_of(parsed: Parsed, sender: User, recipients: Iterable[str] = ()) -> Ticket | None:
    """The ticket this message continues, if any and if the sender may write on it."""
    seen: set[int] = set()
    for group in _candidates(parsed, recipients):
        numbers = [n for n in dict.fromkeys(group) if 0 < n <= MAX_TICKET and n not in seen]
        if not numbers:
            continue
        seen.update(numbers)
        # Only what deciding needs; reply() reads the whole row again, locked.
        found = Ticket.objects.only(*_DECIDING).in_bulk(numbers)
        for number in numbers:
            ticket = found.get(number)
            if ticket is None or ticket.deleted_at is not None:
                continue
            if ticket.status == Status.CLOSED:
                ticket = _open_follow_up(ticket, sender) or ticket
            if _may_write(ticket, sender):
                return ticket
    return None


def _candidates(parsed: Parsed, recipients: Iterable[str]) -> Iterator[list[int]]:
    """The ticket numbers the message names, one kind at a time in order of trust: a kind
    that needs a query is only looked at when the ones before it named no ticket the
    sender may write on (a plain reply costs one query, not four)."""
    ids = [*parsed.in_reply_to, *reversed(parsed.references)]
    ours = [int(found.group(1)) for found in map(OUR_ID.match, ids) if found]
    yield _by_address(parsed, recipients) + ours
    if ids:
        yield _by_stored_ids(ids)
    yield _by_references(parsed.message_id, ids)
    yield [int(n) for n in SUBJECT_REF.findall(parsed.subject)]


def _by_address(parsed: Parsed, recipients: Iterable[str]) -> list[int]:
    addresses = [*recipients, *parsed.delivered_to]
    addresses += [a for _, a in parsed.to] + [a for _, a in parsed.cc]
    numbers = []
    for address in dict.fromkeys(a.strip().lower() for a in addresses):
        if "+" in address:  # only a tagged address can be a reply address
            number = ticket_of_address(address)
            if number is not None:
                numbers.append(number)
    return numbers


def _by_stored_ids(ids: list[str]) -> list[int]:
    if not ids:
        return []
    known = dict(
        InboundMessage.objects.filter(message_id__in=ids, ticket__isnull=False).values_list(
            "message_id", "ticket_id"
        )
    )
    return [known[i] for i in ids if i in known]


def _by_references(message_id: str, ids: list[str]) -> list[int]:
    """Tickets of stored messages that reference this one (children that came first),
    then of those that share a reference with it (siblings), newest first. One query."""
    wanted = ([message_id] if message_id else []) + ids[:MAX_REFERENCES]
    if not wanted:
        return []
    # Two plain queries instead of one join: the join costs more to build than both to
    # run, and the second one is rarely needed (most messages name nothing we stored).
    rows = list(
        InboundReference.objects.filter(referenced_id__in=wanted)
        # "-message_id" is the referring row's id (the foreign key), not a Message-ID.
        .order_by("-message_id")
        .values_list("referenced_id", "message_id")[:50]
    )
    if not rows:
        return []
    tickets = dict(
        InboundMessage.objects.filter(
            pk__in={m for _, m in rows}, ticket__isnull=False
        ).values_list("pk", "ticket_id")
    )
    children = [tickets.get(m) for r, m in rows if r == message_id]
    siblings = [tickets.get(m) for r, m in rows if r != message_id]
    return [n for n in children + siblings if n is not None]


def store_references(record: InboundMessage, parsed: Parsed) -> None:
    """Keep every Message-ID this message names, for the messages that come after it.
    A retried message's earlier rows are removed first (services.py)."""
    ids = list(dict.fromkeys([*parsed.in_reply_to, *parsed.references]))
    if len(ids) > MAX_REFERENCES:  # the root and the nearest ancestors matter most
        ids = ids[:10] + ids[-(MAX_REFERENCES - 10) :]
    if ids:
        InboundReference.objects.bulk_create(
            InboundReference(message=record, referenced_id=i[:300]) for i in ids
        )


def _open_follow_up(ticket: Ticket, sender: User) -> Ticket | None:
    follow_ups = Ticket.objects.filter(follow_up_of=ticket, deleted_at__isnull=True)
    newest = follow_ups.exclude(status=Status.CLOSED).order_by("-number").first()
    return newest if newest is not None and _may_write(newest, sender) else None


def _may_write(ticket: Ticket, sender: User) -> bool:
    """The requester, a CC or an agent: anyone else starts a ticket of their own, so a
    guessed ticket number in a subject never adds to someone else's conversation."""
    if sender.is_agent or ticket.requester_id == sender.pk:
        return True
    return ticket.cc.filter(pk=sender.pk).exists()
