"""Signals that a message was written by a machine, so that no automatic mail of ours may
answer it: the first half of loop protection (the other half, checking where automatic
mail goes and how often, is outbound.may_auto_reply).

Ingest stores the reason in the ticket message's `metadata["no_auto_reply"]`; a message
from one of our own mailbox addresses is not turned into a ticket at all (quarantined),
which is what keeps two of our mailboxes from ever answering each other.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from supportdesk.mail.addresses import base_address
from supportdesk.mail.parse import Parsed

# RFC 2076 / RFC 3834 practice: bulk mail and mailing lists are never answered.
_BULK = {"bulk", "junk", "list"}
_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post")
# Local parts that robots send from and nobody reads.
_ROBOT = re.compile(
    r"^(mailer[._-]?daemon|postmaster|no[._-]?reply|do[._-]?not[._-]?reply)([._+-].*)?$",
    re.IGNORECASE,
)


def own_sender(parsed: Parsed, own: Collection[str]) -> str:
    """The sender's address when it is one of ours (with or without a +tag), else ""."""
    address = parsed.sender[1]
    return address if address and base_address(address) in own else ""


def auto_reply_blocker(parsed: Parsed, own_addresses: Collection[str]) -> str:
    """Why no automatic mail may answer this message, or "" when one may.

    `own_addresses`: our mailbox addresses, lower-case, without +tags (see config.own_addresses).
    """
    headers = parsed.headers
    submitted = headers.get("auto-submitted", "").strip()
    if submitted and submitted.split(";")[0].strip().lower() != "no":
        return f"Auto-Submitted: {submitted[:100]}"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in _BULK:
        return f"Precedence: {precedence}"
    for name in _LIST_HEADERS:
        if headers.get(name, "").strip():
            return f"{_title(name)} header (a mailing list)"
    suppress = headers.get("x-auto-response-suppress", "").strip()
    if suppress and suppress.lower() != "none":
        return f"X-Auto-Response-Suppress: {suppress[:100]}"
    address = parsed.sender[1]
    local = address.rpartition("@")[0]
    if local and _ROBOT.match(local):
        return f"sent from an automatic address <{address}>"
    if own_sender(parsed, own_addresses):
        return f"sent from our own address <{address}>"
    return ""


def _title(name: str) -> str:
    return "-".join(p.capitalize() for p in name.split("-"))
