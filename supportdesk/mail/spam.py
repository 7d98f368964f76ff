"""Mail that goes to the suspended list instead of the queues: what the upstream spam
filter flagged, and senders on the block list. An agent releases or deletes it there
(services.py); nothing here deletes anything.

We trust the filter in front of us (SpamAssassin, rspamd, the mail service) rather than
judge content ourselves: `X-Spam-Flag: YES`, or a score header at or over a threshold
(`MAIL_SPAM_SCORE_HEADER`, default X-Spam-Score; `MAIL_SPAM_THRESHOLD`, default 5.0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

from supportdesk.mail.config import blocked_patterns
from supportdesk.mail.parse import Parsed

_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
# SpamAssassin's X-Spam-Status: "Yes, score=7.3 required=5.0 tests=..."
_SCORE_FIELD = re.compile(r"\bscore=([-+]?\d+(?:\.\d+)?)", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    """Why a message is suspended; `line` is what ingest reports ("spam", or "suspended:
    sender blocked"), `reason` what the admin list shows."""

    line: str
    reason: str


def verdict(parsed: Parsed) -> Verdict | None:
    """Suspend this message? None when it goes on to the queues."""
    flag = parsed.headers.get("x-spam-flag", "").strip()
    if flag.lower().startswith("yes"):
        return Verdict("spam", "the mail server flagged it as spam (X-Spam-Flag: YES)")
    found = spam_score(parsed)
    if found is not None:
        name, score = found
        threshold = float(getattr(settings, "MAIL_SPAM_THRESHOLD", 5.0))
        if score >= threshold:
            return Verdict("spam", f"spam score {score:g} in {name} (threshold {threshold:g})")
    pattern = blocked_pattern(parsed.sender[1])
    if pattern:
        return Verdict("suspended: sender blocked", f"sender blocked ({pattern})")
    return None


def spam_score(parsed: Parsed) -> tuple[str, float] | None:
    """(header name, score) from the configured score header, if it holds a number."""
    name = str(getattr(settings, "MAIL_SPAM_SCORE_HEADER", "X-Spam-Score") or "").strip()
    value = parsed.headers.get(name.lower(), "") if name else ""
    if not value:
        return None
    found = _SCORE_FIELD.search(value) or _NUMBER.search(value)
    if found is None:
        return None
    try:
        return name, float(found.group(1) if found.re is _SCORE_FIELD else found.group(0))
    except ValueError:
        return None


def blocked_pattern(address: str) -> str:
    """The block list entry that matches `address` (the address itself, or "@domain")."""
    address = address.strip().lower()
    if "@" not in address:
        return ""
    candidates = [address, "@" + address.rpartition("@")[2]]
    blocked = blocked_patterns()
    return next((c for c in candidates if c in blocked), "")
