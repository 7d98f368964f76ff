"""What the agent's ticket page shows about mail under each message: where an agent's reply
was sent (or why it was not), and a link to the original of a message that came by e-mail.

`annotate` reads the mails of all the page's messages in one query, whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from supportdesk.notify.models import MailStatus, OutgoingEmail
from supportdesk.tickets.models import Message

ERROR_SHOWN = 200


@dataclass(frozen=True)
class DeliveryLine:
    text: str
    state: str  # sent, sending, failed, bounced: the CSS class and the icon


def delivery_line(mail: OutgoingEmail) -> DeliveryLine:
    """ "Sent to ann@x.com" / "Sending… (attempt 2 failed: …)" / "Not delivered: …"."""
    error = _short(mail.last_error)
    if mail.status == MailStatus.SENT:
        return DeliveryLine(f"Sent to {', '.join(mail.to)}", "sent")
    if mail.status == MailStatus.FAILED:
        return DeliveryLine(f"Not delivered: {error or 'unknown error'}", "failed")
    if mail.status == MailStatus.BOUNCED:
        return DeliveryLine(f"Bounced: {error or 'no reason given'}", "bounced")
    if mail.attempts and error:
        return DeliveryLine(f"Sending… (attempt {mail.attempts} failed: {error})", "sending")
    return DeliveryLine(f"Sending to {', '.join(mail.to)}…", "sending")


def _short(error: str) -> str:
    line = " ".join((error or "").split())
    return line if len(line) <= ERROR_SHOWN else line[: ERROR_SHOWN - 1] + "…"


def annotate(messages: Sequence[Message]) -> None:
    """Give each message `delivery` (a list of DeliveryLine: its mails, which only agents'
    public replies have) and `original_url` (for messages that came by e-mail, else "")."""
    mails: dict[int, list[DeliveryLine]] = defaultdict(list)
    # Every public message, not only agents' replies: the same one query on every page,
    # whether or not it has replies yet.
    public = [m.pk for m in messages if m.public]
    if public:
        rows = OutgoingEmail.objects.filter(ticket_message_id__in=public).order_by("id")
        for mail in rows.only("ticket_message_id", "to", "status", "attempts", "last_error"):
            if mail.ticket_message_id is not None:
                mails[mail.ticket_message_id].append(delivery_line(mail))
    for message in messages:
        message.delivery = mails.get(message.pk, [])  # type: ignore[attr-defined]
        message.original_url = _original_url(message)  # type: ignore[attr-defined]


def _original_url(message: Message) -> str:
    inbound = (message.metadata or {}).get("inbound")
    if not isinstance(inbound, int):
        return ""
    try:
        return reverse("mail:original", args=[inbound])
    except NoReverseMatch:  # the view of the raw message is not installed
        return ""
