"""Polling mailboxes over IMAP: every message not yet imported is fetched, ingested, and
then marked (a keyword of ours, so a person reading the same mailbox can read and flag
freely) or moved to another folder.

A message is marked only after `ingest` stored it, and `ingest` is idempotent, so a poll
that dies halfway fetches some messages again next time and stores them once.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator

from imapclient import IMAPClient

from supportdesk.mail.ingest import ingest
from supportdesk.mail.models import Mailbox

log = logging.getLogger(__name__)

IMPORTED = b"$SupportdeskImported"
FETCH_CHUNK = 50


def _connect(mailbox: Mailbox) -> IMAPClient:
    secure = mailbox.imap_security == "ssl"
    context = ssl.create_default_context()
    client = IMAPClient(
        mailbox.imap_host, port=mailbox.imap_port, ssl=secure, ssl_context=context, timeout=60
    )
    if mailbox.imap_security == "starttls":
        client.starttls(context)
    client.login(mailbox.imap_username, mailbox.imap_password)
    return client


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), FETCH_CHUNK):
        yield ids[i : i + FETCH_CHUNK]


def poll(mailbox: Mailbox) -> list[str]:
    """Import what is new in the mailbox's folder; a line per message."""
    lines: list[str] = []
    with _connect(mailbox) as client:
        client.select_folder(mailbox.imap_folder)
        ids = sorted(client.search(["NOT", "KEYWORD", IMPORTED.decode(), "NOT", "DELETED"]))
        for chunk in _chunks(ids):
            fetched = client.fetch(chunk, ["BODY.PEEK[]"])
            done = []
            for uid in chunk:
                raw = fetched.get(uid, {}).get(b"BODY[]")
                if raw is None:
                    continue  # expunged meanwhile
                lines.append(ingest(bytes(raw), mailbox=mailbox).line)
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


def poll_all() -> dict[str, int]:
    """Poll every enabled mailbox with IMAP settings; one failing never stops the others."""
    counts: dict[str, int] = {}
    for mailbox in Mailbox.objects.filter(enabled=True).exclude(imap_host=""):
        try:
            counts[mailbox.address] = len(poll(mailbox))
        except Exception:  # noqa: BLE001  (a server down, a password changed: next minute)
            log.exception("mail: polling %s failed", mailbox.address)
            counts[mailbox.address] = -1
    return counts
