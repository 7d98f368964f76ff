"""Fetching mailboxes over IMAP: every message not yet imported is fetched, ingested, and
then marked (a keyword of ours, so a person reading the same mailbox can read and flag
freely) or moved to another folder.

Two ways: `poll_all`, run every minute by the job queue, and `idle`, a long-lived
connection per mailbox that the server tells about new mail (IMAP IDLE, RFC 2177) so a
message becomes a ticket within a second (`supportdesk mail poll --idle`).

A message is marked only after `ingest` stored it, and `ingest` is idempotent, so a poll
that dies halfway fetches some messages again next time and stores them once; a poll and
an idling connection may import the same message at the same moment, and it is stored once.
"""

from __future__ import annotations

import logging
import select
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from threading import Event

from django.db import close_old_connections, connection
from imapclient import IMAPClient

from supportdesk.mail.connections import explain, imap_client
from supportdesk.mail.ingest import ingest
from supportdesk.mail.models import Mailbox

log = logging.getLogger(__name__)

IMPORTED = b"$SupportdeskImported"
FETCH_CHUNK = 50
# Servers drop an IDLE after 30 minutes (RFC 2177 asks clients to re-issue it sooner).
IDLE_RENEW = 25 * 60
# How often an idling thread looks at its stop flag (a select() with this timeout).
IDLE_TICK = 1.0
# Without IDLE support: how often the connection polls.
NO_IDLE_INTERVAL = 60.0
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 300.0
# A connection that lived this long was healthy: after it drops, waits start short again.
# (Reset on every login instead, a server that fails right after login, or an import
# that fails every time, would be retried every second forever.)
HEALTHY = 60.0

Emit = Callable[[Mailbox, str], None]


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), FETCH_CHUNK):
        yield ids[i : i + FETCH_CHUNK]


def poll(mailbox: Mailbox, emit: Emit | None = None) -> list[str]:
    """Import what is new in the mailbox's folder; a line per message."""
    with imap_client(mailbox) as client:
        client.select_folder(mailbox.imap_folder)
        return import_new(client, mailbox, emit)


def import_new(client: IMAPClient, mailbox: Mailbox, emit: Emit | None = None) -> list[str]:
    """Fetch, ingest and mark every message of the selected folder that is not marked."""
    lines: list[str] = []
    ids = sorted(client.search(["NOT", "KEYWORD", IMPORTED.decode(), "NOT", "DELETED"]))
    for chunk in _chunks(ids):
        fetched = client.fetch(chunk, ["BODY.PEEK[]"])
        done = []
        for uid in chunk:
            raw = fetched.get(uid, {}).get(b"BODY[]")
            if raw is None:
                continue  # expunged meanwhile
            line = ingest(bytes(raw), mailbox=mailbox).line
            lines.append(line)
            if emit is not None:
                emit(mailbox, line)
            done.append(uid)
        _mark(client, mailbox, done)
    return lines


def _mark(client: IMAPClient, mailbox: Mailbox, uids: list[int]) -> None:
    if not uids:
        return
    if mailbox.imap_move_to:
        client.move(uids, mailbox.imap_move_to)
    else:
        client.add_flags(uids, [IMPORTED])


def imap_mailboxes(only: str | None = None) -> list[Mailbox]:
    """The enabled mailboxes with IMAP settings; `only`: one of them, by id or address."""
    found = Mailbox.objects.filter(enabled=True).exclude(imap_host="").order_by("pk")
    if only:
        found = found.filter(pk=int(only)) if only.isdigit() else found.filter(address__iexact=only)
    return list(found)


def poll_all(emit: Emit | None = None, only: str | None = None) -> dict[str, int]:
    """Poll every enabled mailbox with IMAP settings; one failing never stops the others.
    Counts per address, -1 for one that failed (`emit` gets "failed: reason")."""
    counts: dict[str, int] = {}
    for mailbox in imap_mailboxes(only):
        try:
            counts[mailbox.address] = len(poll(mailbox, emit))
        except Exception as exc:  # noqa: BLE001  (a server down, a password changed: next minute)
            log.exception("mail: polling %s failed", mailbox.address)
            counts[mailbox.address] = -1
            if emit is not None:
                emit(mailbox, f"failed: {explain(exc, _where(mailbox), mailbox.imap_security)}")
    return counts


def _where(mailbox: Mailbox) -> str:
    return f"{mailbox.imap_host}:{mailbox.imap_port}"


def idle(
    mailbox: Mailbox,
    stop: Event,
    emit: Emit | None = None,
    *,
    renew: float = IDLE_RENEW,
    backoff: tuple[float, float] = (BACKOFF_FIRST, BACKOFF_MAX),
) -> None:
    """Keep a connection to the mailbox and import mail as the server announces it, until
    `stop` is set or the mailbox is disabled. Reconnects after any error, waiting 1 s,
    2 s, 4 s ... up to 5 minutes (1 s again after a connection that lasted a minute);
    every (re)connection first imports what came meanwhile.
    Meant for a thread of its own; closes that thread's database connection when done."""
    delay = backoff[0]
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                mailbox.refresh_from_db()
            except Mailbox.DoesNotExist:
                return
            if not mailbox.enabled or not mailbox.imap_host:
                return
            began = time.monotonic()
            try:
                with imap_client(mailbox) as client:
                    client.select_folder(mailbox.imap_folder)
                    _session(client, mailbox, stop, emit, renew)
            except Exception as exc:  # noqa: BLE001  (a dropped connection: wait, reconnect)
                if time.monotonic() - began > HEALTHY:
                    delay = backoff[0]  # it worked for a while: a new outage starts short
                reason = explain(exc, _where(mailbox), mailbox.imap_security)
                log.warning("mail: %s: %s; reconnecting in %g s", mailbox.address, reason, delay)
                if emit is not None:
                    emit(mailbox, f"failed: {reason}; reconnecting in {delay:g} s")
                stop.wait(delay)
                delay = min(delay * 2, backoff[1])
    finally:
        connection.close()


def _session(
    client: IMAPClient, mailbox: Mailbox, stop: Event, emit: Emit | None, renew: float
) -> None:
    """One connection's life: import, idle until the server says something changed (or
    `renew` seconds pass), import, idle again..."""
    supports_idle = b"IDLE" in client.capabilities()
    # imaplib keeps untagged responses that arrive between commands here; an EXISTS
    # among them is a message that came after our SEARCH (or just before IDLE began).
    pending = client._imap.untagged_responses
    while not stop.is_set():
        close_old_connections()
        for kind in ("EXISTS", "RECENT"):
            pending.pop(kind, None)
        import_new(client, mailbox, emit)
        if not supports_idle:
            stop.wait(NO_IDLE_INTERVAL)
            client.noop()
            continue
        client.idle()
        if "EXISTS" not in pending and "RECENT" not in pending:
            _wait_for_news(client, stop, renew)  # raises when the connection died
        client.idle_done()


def _wait_for_news(client: IMAPClient, stop: Event, renew: float) -> None:
    """Return when the server announces new mail, `renew` seconds pass, or stop is set.
    Raises ConnectionError when the server hung up (imapclient's idle_check reads an
    end of file as "nothing yet")."""
    sock = client.socket()
    deadline = time.monotonic() + renew
    silent_reads = 0
    while not stop.is_set() and time.monotonic() < deadline:
        if not _readable(sock, min(IDLE_TICK, max(deadline - time.monotonic(), 0))):
            continue
        responses = client.idle_check(timeout=0)
        if not responses:
            # Readable but nothing read: the end of the stream (or, rarely, half a TLS
            # record). A closed socket stays readable, so this repeats at once.
            silent_reads += 1
            if silent_reads >= 5:
                raise ConnectionError("the server closed the connection")
            time.sleep(0.05)
            continue
        silent_reads = 0
        if any(_is_news(r) for r in responses):
            return
        if any(r[0] == b"BYE" for r in responses if r):
            raise ConnectionError("the server ended the session (BYE)")


def _readable(sock: socket.socket, timeout: float) -> bool:
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True  # decrypted bytes waiting that select() cannot see
    ready, _, _ = select.select([sock], [], [], timeout)
    return bool(ready)


def _is_news(response: tuple[object, ...]) -> bool:
    """(3, b'EXISTS') or (1, b'RECENT'): a message arrived. Flag changes and expunges
    (ours among them) are not news."""
    return len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT")
