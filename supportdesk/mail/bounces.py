"""Delivery status notifications (bounces): attached to the mail of ours they return, never
turned into tickets.

A bounce is a `multipart/report; report-type=delivery-status` (RFC 3464), any message with
a message/delivery-status part, or a message from mailer-daemon/postmaster that carries a
returned message. The returned message's Message-ID (from its message/rfc822 or
text/rfc822-headers part, else the bounce's own In-Reply-To/References) names the
`OutgoingEmail`, which is marked BOUNCED with the diagnostic; the ticket page shows it
under the reply ("Bounced: 550 5.1.1 no such user"). There is no ticket event for it: no
event kind fits a mail that did not arrive, and the mail's status is where the ticket page
and the admins' failed-mail list read it.
"""

from __future__ import annotations

import email.policy
import re
from dataclasses import dataclass
from email.parser import BytesHeaderParser

from supportdesk.mail.models import InboundMessage, Outcome
from supportdesk.mail.parse import HEAD_LIMIT, Parsed
from supportdesk.notify.models import OutgoingEmail
from supportdesk.notify.services import mark_bounced

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_ROBOT = re.compile(r"^(mailer[._-]?daemon|postmaster)\b", re.IGNORECASE)
_RETURNED = ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers")
# "Message-ID: <...>" quoted in a notice's text, for notices whose parts are mangled.
_QUOTED_ID = re.compile(r"(?im)^[ \t>]*message-id:[ \t]*(<[^<>\s]+>)")
SCANNED = 1_000_000  # characters of a notice searched for a quoted Message-ID
MAX_DIAGNOSTIC = 1000


@dataclass(frozen=True)
class Bounce:
    line: str
    ticket: int | None


def is_bounce(parsed: Parsed) -> bool:
    if parsed.content_type == "multipart/report" and parsed.report_type == "delivery-status":
        return True
    if parsed.delivery_status:
        return True
    local = parsed.sender[1].rpartition("@")[0]
    robot = bool(_ROBOT.match(local)) or "mailer-daemon" in parsed.sender[0].lower()
    return robot and any(a.content_type in _RETURNED for a in parsed.attachments)


def returned_ids(parsed: Parsed) -> list[str]:
    """Message-IDs of the message(s) this bounce returns, the surest first: the returned
    message's own header, a Message-ID line quoted in the notice's text (some servers
    write one; and it is all there is when the parts cannot be told apart), then what the
    notice itself replies to."""
    ids: list[str] = []
    for attachment in parsed.attachments:
        if attachment.content_type in _RETURNED:
            ids += _message_ids(attachment.content)
    texts = [parsed.text[:SCANNED]] + [
        a.content[:SCANNED].decode("latin-1")
        for a in parsed.attachments
        if a.content_type.startswith(("text/", "multipart/"))
    ]
    for text in texts:
        ids += _QUOTED_ID.findall(text)
    ids += parsed.in_reply_to + list(reversed(parsed.references))
    return list(dict.fromkeys(i[:300] for i in ids))


def _message_ids(content: bytes) -> list[str]:
    try:
        headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(content[:HEAD_LIMIT])
        return _MESSAGE_ID.findall(str(headers.get("Message-ID", "")))[:1]
    except Exception:  # noqa: BLE001  (a mangled returned message: nothing to match by)
        return []


def diagnostic(parsed: Parsed) -> str:
    """What went wrong, in the reporting server's words: the Diagnostic-Code, else the
    Status, for the first failed recipient; else the first lines of the notice."""
    fields: dict[str, str] = {}
    for line in parsed.delivery_status.splitlines():
        name, _, value = line.partition(":")
        key = name.strip().lower()
        if key in ("final-recipient", "diagnostic-code", "status") and key not in fields:
            fields[key] = value.strip()
    reason = _after_type(fields.get("diagnostic-code", "")) or fields.get("status", "")
    if reason:
        recipient = _after_type(fields.get("final-recipient", ""))
        text = f"{recipient}: {reason}" if recipient else reason
    else:
        lines = [line.strip() for line in parsed.body.splitlines() if line.strip()]
        text = " ".join(lines[:3]) or parsed.subject or "delivery failed"
    return " ".join(text.split())[:MAX_DIAGNOSTIC]


def _after_type(value: str) -> str:
    """ "smtp; 550 5.1.1 no such user" -> "550 5.1.1 no such user"."""
    kind, sep, rest = value.partition(";")
    return rest.strip() if sep and " " not in kind.strip() else value.strip()


def record_bounce(record: InboundMessage, parsed: Parsed) -> Bounce:
    """Mark the returned mail bounced and tie the stored bounce to its ticket message.
    Call inside a transaction."""
    ids = returned_ids(parsed)
    mail = OutgoingEmail.objects.filter(message_id__in=ids).order_by("-id").first() if ids else None
    record.outcome = Outcome.BOUNCE
    if mail is None:
        record.save(update_fields=["outcome"])
        return Bounce("bounce for an unknown message", None)
    mark_bounced(mail.pk, diagnostic(parsed))
    record.ticket_id, record.ticket_message_id = mail.ticket_id, mail.ticket_message_id
    record.save(update_fields=["outcome", "ticket", "ticket_message"])
    if mail.ticket_id is None:
        return Bounce(f"bounce for mail {mail.pk} to {', '.join(mail.to)[:200]}", None)
    return Bounce(f"bounce for ticket {mail.ticket_id}", mail.ticket_id)
