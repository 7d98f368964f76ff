"""Raw e-mail bytes to a plain `Parsed` message: addresses, threading headers, the text
and (sanitised) HTML bodies, attachments and inline images. Pure: no database.

Built on the stdlib `email` package with the modern policy. Mail from the wild is broken
in every way, so this never raises for a bad message except `Unparseable`, whose reason
the caller keeps with the raw bytes (quarantine); everything else degrades: an unknown
charset decodes as UTF-8 with replacements, a part that cannot be decoded is kept as an
attachment, a missing header is empty.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from supportdesk.lib.html import html_to_text, sanitize_html

MAX_PARTS = 1_000  # a message with more parts is quarantined, not walked
MAX_HEADER = 10_000  # characters kept of any one header
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Unparseable(ValueError):
    """A message that cannot be ingested; the text is the reason shown to admins."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""  # without angle brackets; set for inline images
    inline: bool = False


@dataclass
class Parsed:
    message_id: str = ""  # with angle brackets, as in headers
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    sender: tuple[str, str] = ("", "")  # (name, address)
    reply_to: list[tuple[str, str]] = field(default_factory=list)
    to: list[tuple[str, str]] = field(default_factory=list)
    cc: list[tuple[str, str]] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""
    html: str = ""  # sanitised
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case name: first value

    @property
    def body(self) -> str:
        """The readable text: the text part, else the HTML part rendered as text."""
        return self.text or html_to_text(self.html)


def parse(raw: bytes) -> Parsed:
    """Parse one message; raises Unparseable with a reason when it cannot be ingested."""
    if not raw or not raw.strip():
        raise Unparseable("empty message")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # noqa: BLE001  (the stdlib raises many kinds on bad input)
        raise Unparseable(f"not a MIME message: {exc}") from exc
    parts = _count_parts(message)
    if parts > MAX_PARTS:
        raise Unparseable(f"{parts:,} MIME parts (more than {MAX_PARTS:,})")
    out = Parsed(headers=_headers(message))
    _read_headers(message, out)
    _read_body(message, out)
    return out


def _count_parts(message: Message) -> int:
    count = 0
    for _ in message.walk():
        count += 1
        if count > MAX_PARTS:
            break
    return count


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001  (a malformed header raises when parsed: take it raw)
        raw = [v for k, v in message.raw_items() if k.lower() == name.lower()]
        value = raw[0] if raw else ""
    text = str(value or "")
    # Folded or injected line breaks never survive into one line of ours.
    return _CONTROL.sub(" ", text.replace("\r", " ").replace("\n", " ")).strip()[:MAX_HEADER]


def _headers(message: Message) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in message.keys():
        key = name.lower()
        if key not in out:
            out[key] = _header(message, name)
    return out


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    values = [_header(message, name)] if message.get_all(name) else []
    pairs = getaddresses(values)
    return [(n.strip(), a.strip().lower()) for n, a in pairs if "@" in a]


def _ids(text: str) -> list[str]:
    return list(dict.fromkeys(_MESSAGE_ID.findall(text)))


def _read_headers(message: Message, out: Parsed) -> None:
    out.subject = _header(message, "Subject")
    senders = _addresses(message, "From") or _addresses(message, "Sender")
    out.sender = senders[0] if senders else ("", "")
    out.reply_to = _addresses(message, "Reply-To")
    out.to = _addresses(message, "To")
    out.cc = _addresses(message, "Cc")
    found = _ids(_header(message, "Message-ID"))
    out.message_id = found[0] if found else ""
    out.in_reply_to = _ids(_header(message, "In-Reply-To"))
    out.references = _ids(_header(message, "References"))
    try:
        out.date = parsedate_to_datetime(_header(message, "Date")) or None
    except (TypeError, ValueError, IndexError):
        out.date = None


def _read_body(message: Message, out: Parsed) -> None:
    texts: list[str] = []
    htmls: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        named = bool(part.get_filename())
        if kind in ("text/plain", "text/html") and disposition != "attachment" and not named:
            content = _text_of(part)
            (texts if kind == "text/plain" else htmls).append(content)
        else:
            out.attachments.append(_attachment(part, kind, disposition))
    # NUL never reaches the database: PostgreSQL refuses it in text.
    out.text = "\n\n".join(t.strip() for t in texts if t.strip()).replace("\x00", "")
    if htmls:
        out.html = sanitize_html("\n".join(htmls).replace("\x00", ""))


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    if not isinstance(payload, bytes):
        return str(payload)
    charset = part.get_content_charset() or "utf-8"
    for candidate in (charset, "utf-8", "windows-1252"):
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")


def _attachment(part: Message, kind: str, disposition: str) -> Attachment:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload() or "").encode("utf-8", errors="replace")
    name = _filename(part, kind)
    content_id = _header(part, "Content-ID").strip("<> ")
    inline = disposition == "inline" or (bool(content_id) and disposition != "attachment")
    return Attachment(name, kind, payload, content_id, inline)


def _filename(part: Message, kind: str) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001  (a broken RFC 2231 parameter)
        name = ""
    name = _CONTROL.sub("", name).replace("/", "_").replace("\\", "_").strip()[:200]
    if name:
        return name
    if kind == "message/rfc822":
        return "attached-message.eml"
    return f"attachment.{kind.split('/')[-1][:10] or 'bin'}"


def display_address(pair: tuple[str, str]) -> str:
    """ "Ann Lee <ann@example.com>" for a (name, address) pair."""
    name, address = pair
    try:
        return str(Address(display_name=name, addr_spec=address)) if name else address
    except (ValueError, IndexError):
        return address
