"""Mail about a ticket to its customers: agents' public replies and the acknowledgement of a
new ticket, sent from the ticket's mailbox and threaded so that the customer's mail client
shows one conversation and their answer comes back to the same ticket.

Threading, both ways:
- Message-ID `<sd.{ticket}.{message}.{random}@{mailbox domain}>`: ingest reads the ticket
  number back from any In-Reply-To or References that names it.
- In-Reply-To the customer's latest message, References the ticket's whole chain (their
  Message-IDs and ours), so clients group the mails even without our ids.
- Reply-To the ticket's reply address (`support+12-k3f9x2ab@...`), which threads even when
  a client drops every header; and "[#12]" in the subject, which threads when all else is
  lost.

Automatic mail (the acknowledgement, later the automation rules' mail) first asks
`may_auto_reply`, which keeps us out of mail loops.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone
from django.utils.html import linebreaks, urlize

from supportdesk.accounts.models import Role, User
from supportdesk.mail.addresses import base_address, reply_address
from supportdesk.mail.models import AutoReplyLog, InboundMessage, Mailbox
from supportdesk.mail.templates import ACKNOWLEDGEMENT, render_template, template
from supportdesk.notify.models import OutgoingEmail
from supportdesk.notify.services import send_email
from supportdesk.sla.current import current_clocks
from supportdesk.tickets.models import Message, Ticket

log = logging.getLogger(__name__)

MAX_REFERENCES = 20
MAX_DESCRIPTION = 5000  # characters of the request quoted in the acknowledgement
# Headers of automatic mail (RFC 3834; Exchange reads X-Auto-Response-Suppress), so that
# well-behaved responders do not answer it.
AUTO_HEADERS = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
# Local parts of addresses that robots send from and nobody reads.
_ROBOT = re.compile(
    r"(^|[._+-])(mailer[._-]?daemon|postmaster|no[._-]?reply|do[._-]?not[._-]?reply|"
    r"bounces?)([._+-]|$)",
    re.IGNORECASE,
)


# Where a ticket's mail comes from ------------------------------------------------------


def mailbox_of(ticket: Ticket) -> Mailbox | None:
    """The mailbox a ticket's mail is sent from: the one its first e-mail came in through,
    else the one whose group the ticket is in, else the first enabled one, else none."""
    inbound = (
        InboundMessage.objects.filter(ticket=ticket, mailbox__isnull=False)
        .select_related("mailbox")
        .order_by("id")
        .first()
    )
    if inbound is not None and inbound.mailbox is not None:
        return inbound.mailbox
    enabled = Mailbox.objects.filter(enabled=True).order_by("id")
    if ticket.group_id is not None:
        found = enabled.filter(group_id=ticket.group_id).first()
        if found is not None:
            return found
    return enabled.first()


def _domain(mailbox: Mailbox | None) -> str:
    address = mailbox.address if mailbox else parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def new_message_id(ticket_id: int, tag: str | int, mailbox: Mailbox | None) -> str:
    """Our Message-ID for a mail about `ticket_id`; ingest recognises `<sd.{ticket}.`."""
    return f"<sd.{ticket_id}.{tag}.{secrets.token_hex(6)}@{_domain(mailbox)}>"


# Threading headers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Thread:
    message_id: str
    in_reply_to: str
    references: str


def thread_for(
    ticket: Ticket, *, mailbox: Mailbox | None, tag: str | int, before: int | None = None
) -> Thread:
    """Headers for a new mail on `ticket`. In-Reply-To: the customer's latest e-mail (or,
    on a ticket that never had one, our latest mail); References: the chain of the ticket's
    messages and our mails, oldest first, at most MAX_REFERENCES (the root kept).
    `before`: consider only messages older than this message id."""
    messages = Message.objects.filter(ticket=ticket, metadata__has_key="message_id")
    if before is not None:
        messages = messages.filter(pk__lt=before)
    chain: list[tuple[datetime, str]] = []
    latest_customer = ""
    for at, role, message_id in messages.order_by("created_at", "id").values_list(
        "created_at", "author__role", "metadata__message_id"
    ):
        if isinstance(message_id, str) and message_id.startswith("<"):
            chain.append((at, message_id))
            if role == Role.CUSTOMER:
                latest_customer = message_id
    ours = OutgoingEmail.objects.filter(ticket=ticket).exclude(message_id="")
    chain += list(ours.values_list("created_at", "message_id"))
    chain.sort(key=lambda pair: pair[0])
    ids = list(dict.fromkeys(message_id for _, message_id in chain))
    parent = latest_customer or (ids[-1] if ids else "")
    if parent:
        ids = [i for i in ids if i != parent] + [parent]
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    return Thread(new_message_id(ticket.pk, tag, mailbox), parent, " ".join(ids))


def _subject(ticket: Ticket, subject: str) -> str:
    """Keep "[#N]" in the subject: the last thread back when every header is lost."""
    reference = f"[#{ticket.pk}]"
    return subject if reference in subject else f"{reference} {subject}"


def text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs, escaped, with its links clickable."""
    if not text.strip():
        return ""
    return linebreaks(urlize(text, nofollow=True, autoescape=True), autoescape=False)


def _document(body_html: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        f'<body style="font-family: sans-serif; line-height: 1.5">{body_html}</body></html>'
    )


def _sender(mailbox: Mailbox | None, name: str) -> str:
    if mailbox is None:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((" ".join(name.split()), mailbox.address))


# Public replies ------------------------------------------------------------------------


def send_public_reply(ticket: Ticket, message: Message, *, url: str) -> OutgoingEmail | None:
    """Mail an agent's public reply to the requester and CCs (never the author, nor our
    own mailboxes, which would only quarantine it), as text and HTML with the agent's
    signature and the message's attachments. Notes never come here (checked, not
    assumed)."""
    if not message.public:
        return None
    author = message.author
    people = [ticket.requester, *ticket.cc.all()]
    to = [
        p.email
        for p in people
        if p.pk != message.author_id and p.is_active and not is_our_address(p.email)
    ]
    cc = [a.lower() for a in to if a != ticket.requester.email]
    mailbox = mailbox_of(ticket)
    signature = _signature(message)
    footer = f"-- \n{author.display_name}\nRequest #{ticket.pk}: {url}"
    text = f"{message.body.rstrip()}\n\n{signature}{footer}\n"
    html = _document(
        f"<div>{message.html or text_to_html(message.body)}</div>"
        + (f'<div class="signature">{text_to_html(signature)}</div>' if signature else "")
        + f'<div class="footer" style="color: #5b6576">{text_to_html(footer)}</div>'
    )
    thread = thread_for(ticket, mailbox=mailbox, tag=message.pk, before=message.pk)
    name = f"{author.display_name} ({mailbox.name})" if mailbox else ""
    return send_email(
        kind="public_reply",
        to=to,
        subject=_subject(ticket, f"Re: {ticket.subject}"),
        body=text,
        html=html,
        ticket_id=ticket.pk,
        ticket_message=message,
        mailbox=mailbox,
        from_address=_sender(mailbox, name),
        reply_to=reply_address(mailbox.address, ticket.pk) if mailbox else "",
        message_id=thread.message_id,
        in_reply_to=thread.in_reply_to,
        references=thread.references,
        headers={"Cc": ", ".join(cc)} if cc else {},
        attachment_ids=[a.pk for a in message.attachments.order_by("id")],
    )


def _signature(message: Message) -> str:
    """The author's signature to add to the mail ("" or text ending in a blank line): not
    when the agent's composer already signed the message, or was told not to
    (`metadata["signed"]`), nor when the text ends with it already."""
    signature = message.author.signature.strip()
    if not signature or "signed" in (message.metadata or {}):
        return ""
    if message.body.rstrip().endswith(signature):
        return ""
    return f"{signature}\n\n"


# The acknowledgement -------------------------------------------------------------------


def send_acknowledgement(
    ticket: Ticket, message: Message, *, url: str, now: datetime | None = None
) -> OutgoingEmail | None:
    """Tell the requester their new ticket's number and when to expect an answer, with the
    admin's "acknowledgement" template, unless it is switched off or loop protection
    says no."""
    requester = ticket.requester
    if not requester.is_customer or not requester.is_active:
        return None
    if not template(ACKNOWLEDGEMENT)[2]:
        return None
    reason = may_auto_reply(requester.email, message)
    if reason:
        log.info("no acknowledgement of ticket %s to %s: %s", ticket.pk, requester.email, reason)
        return None
    mailbox = mailbox_of(ticket)
    context = acknowledgement_context(ticket, mailbox, url=url, now=now)
    subject, text = render_template(ACKNOWLEDGEMENT, context)
    thread = thread_for(ticket, mailbox=mailbox, tag="ack")
    mail = send_email(
        kind="acknowledgement",
        to=[requester.email],
        subject=_subject(ticket, subject or ticket.subject),
        body=text,
        html=_document(text_to_html(text)),
        ticket_id=ticket.pk,
        mailbox=mailbox,
        from_address=_sender(mailbox, mailbox.name if mailbox else ""),
        reply_to=reply_address(mailbox.address, ticket.pk) if mailbox else "",
        message_id=thread.message_id,
        in_reply_to=thread.in_reply_to,
        references=thread.references,
        headers=dict(AUTO_HEADERS),
    )
    if mail is not None:
        record_auto_reply(requester.email)
    return mail


def send_automatic(
    ticket: Ticket, *, to: list[str], subject: str, text: str, tag: str
) -> OutgoingEmail | None:
    """A rule's mail about a ticket (a reminder to the customer, a note to an agent): from
    the ticket's mailbox, threaded, marked automatic. The caller checked loop protection."""
    mailbox = mailbox_of(ticket)
    thread = thread_for(ticket, mailbox=mailbox, tag=tag)
    return send_email(
        kind="rule",
        to=to,
        subject=_subject(ticket, subject or ticket.subject),
        body=text,
        html=_document(text_to_html(text)),
        ticket_id=ticket.pk,
        mailbox=mailbox,
        from_address=_sender(mailbox, mailbox.name if mailbox else ""),
        reply_to=reply_address(mailbox.address, ticket.pk) if mailbox else "",
        message_id=thread.message_id,
        in_reply_to=thread.in_reply_to,
        references=thread.references,
        headers=dict(AUTO_HEADERS),
    )


def acknowledgement_context(
    ticket: Ticket, mailbox: Mailbox | None, *, url: str, now: datetime | None = None
) -> dict[str, Any]:
    """The plain values the acknowledgement template is rendered over (see
    templates.SAMPLE_CONTEXT for its shape)."""
    requester = ticket.requester
    name = requester.display_name
    return {
        "ticket": {
            "number": ticket.pk,
            "subject": ticket.subject,
            "url": url,
            "description": _description(ticket),
        },
        "requester": {
            "name": name,
            "first_name": (name.split() or [name])[0],
            "email": requester.email,
        },
        "first_reply_due": first_reply_due(ticket, _zone(requester), now or timezone.now()),
        "mailbox": {
            "name": mailbox.name if mailbox else "",
            "address": mailbox.address if mailbox else "",
        },
    }


def _description(ticket: Ticket) -> str:
    """The text of the ticket's first message, at most MAX_DESCRIPTION characters."""
    first = ticket.messages.order_by("id").values_list("body", flat=True).first() or ""
    return first if len(first) <= MAX_DESCRIPTION else first[: MAX_DESCRIPTION - 1] + "…"


def _zone(person: User) -> ZoneInfo:
    try:
        return ZoneInfo(person.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def first_reply_due(ticket: Ticket, zone: ZoneInfo, now: datetime) -> str:
    """When the SLA's first reply is due, in words in `zone` ("15:00 today (CEST)"); ""
    when no policy sets a first-reply target or it is not running."""
    found = current_clocks(ticket.pk, now=now)
    clock = found.clocks.get("first_reply") if found else None
    if clock is None or clock.state != "active" or clock.due_at is None:
        return ""
    return due_in_words(clock.due_at, zone, now)


def due_in_words(due: datetime, zone: ZoneInfo, now: datetime) -> str:
    local, today = due.astimezone(zone), now.astimezone(zone).date()
    if local.date() == today:
        day = "today"
    elif local.date() == today + timedelta(days=1):
        day = "tomorrow"
    elif local.date() < today + timedelta(days=7):
        day = f"on {local:%A}"
    else:
        day = f"on {local:%A} {local.day} {local:%B}"
    return f"{local:%H:%M} {day} ({local.tzname() or zone.key})"


# Loop protection -----------------------------------------------------------------------


def may_auto_reply(address: str, message: Message) -> str:
    """Why no automatic mail may go to `address` about `message`, or "" when it may.

    No: when the ticket's first message (or this one) was itself automatic, bulk or a list
    mail (`metadata["no_auto_reply"]`, set by ingest); to robots' addresses; to our own
    mailboxes (two mailboxes would answer each other for ever); and beyond
    MAIL_AUTO_REPLY_LIMIT automatic mails to one address in an hour. Two workers checking
    at the same moment may each send one more than the limit; it still bounds a loop."""
    for source in _first_and(message):
        flag = (source.metadata or {}).get("no_auto_reply")
        if flag:
            return (
                f"the message asked for no automatic replies ({flag})"
                if isinstance(flag, str)
                else "the message asked for no automatic replies"
            )
    address = (address or "").strip().lower()
    local, _, domain = address.rpartition("@")
    if not local or not domain:
        return "not an e-mail address"
    if _ROBOT.search(local):
        return "an automatic sender's address"
    if is_our_address(address):
        return "one of our own addresses"
    limit = int(getattr(settings, "MAIL_AUTO_REPLY_LIMIT", 5))
    since = timezone.now() - timedelta(hours=1)
    sent = AutoReplyLog.objects.filter(address=address, sent_at__gte=since).count()
    if sent >= limit:
        return f"{sent} automatic mails to this address in the last hour (limit {limit})"
    return ""


def _first_and(message: Message) -> list[Message]:
    first = Message.objects.filter(ticket_id=message.ticket_id).order_by("id").first()
    return [message] if first is None or first.pk == message.pk else [first, message]


def is_our_address(address: str) -> bool:
    """One of our mailboxes (with or without +tag), or the site's own sender address."""
    base = base_address(address)
    ours = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    ours.add(parseaddr(getattr(settings, "SERVER_EMAIL", ""))[1].lower())
    return base in ours or Mailbox.objects.filter(address__iexact=base).exists()


def record_auto_reply(address: str) -> None:
    AutoReplyLog.objects.create(address=address.strip().lower())
