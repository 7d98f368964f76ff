"""Raw e-mail bytes to a plain `Parsed` message: addresses, threading headers, the text
and (sanitised) HTML bodies, attachments and inline images, and what a delivery status
notification reports. Pure: no database.

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
from email.headerregistry import Address, HeaderRegistry
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any
from urllib.parse import quote, unquote

from supportdesk.lib.html import html_to_text, sanitize_html

MAX_PARTS = 1_000  # a message with more parts is quarantined, not walked
MAX_HEADER = 10_000  # characters kept of any one header
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))', re.IGNORECASE)
_DELIMITER = re.compile(rb"^--([^\r\n]{1,202})", re.MULTILINE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# cid: references (RFC 2392) in attributes, before sanitising: nh3 drops the cid: scheme.
_CID_REF = re.compile(r"""(?i)\b(src|href|background)(\s*=\s*)(["']?)cid:([^"'\s>]+)\3""")
# What a cid: reference becomes until the attachment's URL is known: a relative URL, which
# sanitising keeps as it is.
CID_PLACEHOLDER = "/__cid__/"
_PLACEHOLDER = re.compile(re.escape(CID_PLACEHOLDER) + r'[^"\'\s>]*')
HEAD_LIMIT = 100_000  # bytes of a message's header block read when the message is not parsed


class _OncePolicy(email.policy.EmailPolicy):
    """policy.default, parsing each header of one message once: the stdlib parses a
    header again on every read, and a part's Content-Type is read five times or more
    (type, maintype, charset, filename, params); this was half the parsing time."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        object.__setattr__(self, "_parsed", {})  # policies are immutable otherwise

    def header_fetch_parse(self, name: str, value: str) -> Any:
        parsed = self.__dict__.get("_parsed")  # a clone() has none: no caching there
        if parsed is None:
            return super().header_fetch_parse(name, value)
        key = (name.lower(), value)
        if key not in parsed:
            parsed[key] = super().header_fetch_parse(name, value)
        return parsed[key]


class _Registry(HeaderRegistry):
    """The stdlib's header registry builds a new class on every lookup (a `type()` call
    per header read); this one builds each once."""

    def __init__(self) -> None:
        super().__init__()
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        key = name.lower()
        found = self._built.get(key)
        if found is None:
            found = self._built[key] = super().__getitem__(name)
        return found


_REGISTRY = _Registry()


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
    # Delivered-To and X-Original-To: the envelope recipients as the receiving server wrote
    # them down, which name a reply address even when it was a Bcc.
    delivered_to: list[str] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""
    # Sanitised, with cid: references turned into CID_PLACEHOLDER URLs (see link_cids).
    html: str = ""
    # The HTML parts as received, not sanitised: client markers (gmail_quote...) that
    # quotes.visible_html needs are still there. Never store or show it as it is.
    raw_html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case name: first value
    content_type: str = ""  # of the whole message, e.g. "multipart/report"
    report_type: str = ""  # multipart/report's report-type, e.g. "delivery-status"
    # The fields of message/delivery-status parts, one "Name: value" a line (bounces.py).
    delivery_status: str = ""

    @property
    def body(self) -> str:
        """The readable text: the text part, else the HTML part rendered as text."""
        return self.text or html_to_text(self.html)


def parse(raw: bytes) -> Parsed:
    """Parse one message; raises Unparseable with a reason when it cannot be ingested."""
    if not raw or not raw.strip():
        raise Unparseable("empty message")
    delimiters = _delimiter_lines(raw)
    if delimiters > MAX_PARTS:
        raise Unparseable(f"{delimiters:,} MIME parts (more than {MAX_PARTS:,})")
    try:
        message = email.message_from_bytes(raw, policy=_OncePolicy(header_factory=_REGISTRY))
    except Exception as exc:  # noqa: BLE001  (the stdlib raises many kinds on bad input)
        raise Unparseable(f"not a MIME message: {exc}") from exc
    parts = _count_parts(message)
    if parts > MAX_PARTS:
        raise Unparseable(f"{parts:,} MIME parts (more than {MAX_PARTS:,})")
    out = Parsed(headers=_headers(message))
    _read_headers(message, out)
    _read_body(message, out)
    return out


def _delimiter_lines(raw: bytes) -> int:
    """Lines that open a MIME part, counted on the bytes before parsing: the stdlib
    parser spends about 0.3 ms on each part, so 100,000 of them would hold a worker for
    half a minute before the parsed tree could be counted."""
    boundaries = {m.group(1) or m.group(2) for m in _BOUNDARY.finditer(raw)}
    if not boundaries:
        return 0
    count = 0
    for match in _DELIMITER.finditer(raw):
        if match.group(1).rstrip() in boundaries:  # "--b", not the closing "--b--"
            count += 1
    return count


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
    """Each header's first value, lower-case name: value. A plain ASCII value is taken as
    it is, unfolded; only encoded words (=?utf-8?...) go through the policy's parser,
    which costs a tenth of a millisecond a header (Received chains, DKIM signatures)."""
    out: dict[str, str] = {}
    for name, value in message.raw_items():
        key = name.lower()
        if key not in out:
            plain = _plain(value)
            out[key] = plain if plain is not None else _header(message, name)
    return out


def _plain(value: object) -> str | None:
    """A raw header value as one clean line, or None when it needs decoding."""
    if not isinstance(value, str) or not value.isascii() or "=?" in value:
        return None
    return _CONTROL.sub(" ", value.replace("\r", " ").replace("\n", " ")).strip()[:MAX_HEADER]


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    raw = next((v for k, v in message.raw_items() if k.lower() == name.lower()), None)
    if raw is None:
        return []
    # Plain ASCII goes straight to getaddresses; the policy's parse (for encoded names)
    # would parse the same addresses a second time.
    plain = _plain(raw)
    return _addresses_of(plain if plain is not None else _header(message, name))


def _ids(text: str) -> list[str]:
    return list(dict.fromkeys(_MESSAGE_ID.findall(text)))


def _read_headers(message: Message, out: Parsed) -> None:
    out.subject = _header(message, "Subject")
    senders = _addresses(message, "From") or _addresses(message, "Sender")
    out.sender = senders[0] if senders else ("", "")
    out.reply_to = _addresses(message, "Reply-To")
    out.to = _addresses(message, "To")
    out.cc = _addresses(message, "Cc")
    delivered = []
    for name, value in message.raw_items():  # raw: every one of them, never a parse error
        if name.lower() in ("delivered-to", "x-original-to"):
            delivered += [a for _, a in _addresses_of(str(value))]
    out.delivered_to = list(dict.fromkeys(delivered))
    # Read from `headers` (see _headers): message ids and dates are ASCII by nature.
    found = _ids(out.headers.get("message-id", ""))
    out.message_id = found[0] if found else ""
    out.in_reply_to = _ids(out.headers.get("in-reply-to", ""))
    out.references = _ids(out.headers.get("references", ""))
    try:
        out.date = parsedate_to_datetime(out.headers.get("date", "")) or None
    except (TypeError, ValueError, IndexError):
        out.date = None


def _addresses_of(value: str) -> list[tuple[str, str]]:
    text = _CONTROL.sub(" ", value.replace("\r", " ").replace("\n", " "))[:MAX_HEADER]
    return [(n.strip(), a.strip().lower()) for n, a in getaddresses([text]) if "@" in a]


def _leaves(message: Message) -> list[Message]:
    """The parts that hold content, in order. An attached message (message/rfc822) or a
    delivery report (message/delivery-status) is one leaf: its own parts are not the
    sender's text. Iterative: nesting can be as deep as MAX_PARTS."""
    out: list[Message] = []
    stack = [message]
    while stack:
        part = stack.pop()
        if part.is_multipart() and not part.get_content_type().startswith("message/"):
            payload = part.get_payload()
            children = (
                [c for c in payload if isinstance(c, Message)] if isinstance(payload, list) else []
            )
            stack.extend(reversed(children))
        else:
            out.append(part)
    return out


def _read_body(message: Message, out: Parsed) -> None:
    out.content_type = message.get_content_type()
    out.report_type = str(message.get_param("report-type") or "").lower()[:100]
    texts: list[str] = []
    htmls: list[str] = []
    status: list[str] = []
    for part in _leaves(message):
        kind = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        if kind == "message/delivery-status":
            status.append(_delivery_status(part))
            continue
        named = bool(part.get_filename())
        if kind in ("text/plain", "text/html") and disposition != "attachment" and not named:
            content = _text_of(part)
            (texts if kind == "text/plain" else htmls).append(content)
        else:
            out.attachments.append(_attachment(part, kind, disposition))
    # NUL never reaches the database: PostgreSQL refuses it in text.
    out.text = "\n\n".join(t.strip() for t in texts if t.strip()).replace("\x00", "")
    out.delivery_status = "\n".join(s for s in status if s)[:MAX_HEADER]
    if htmls:
        out.raw_html = "\n".join(htmls).replace("\x00", "")
        out.html = sanitize_html(mark_cids(out.raw_html))


def _delivery_status(part: Message) -> str:
    """The fields of a message/delivery-status part, which the stdlib parses as a list of
    header blocks (one per message, then one per recipient)."""
    lines: list[str] = []
    payload = part.get_payload()
    blocks = [b for b in payload if isinstance(b, Message)] if isinstance(payload, list) else []
    for block in blocks:
        for name in block.keys():
            lines.append(f"{name}: {_header(block, name)}")
    if not lines and isinstance(payload, str):  # a part the parser did not split
        lines = [line.strip() for line in payload.splitlines() if line.strip()]
    return "\n".join(lines)


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
    if kind == "message/rfc822":
        payload = _message_bytes(part)
    elif not isinstance(payload, bytes):
        payload = str(part.get_payload() or "").encode("utf-8", errors="replace")
    name = _filename(part, kind)
    content_id = _header(part, "Content-ID").strip("<> ")
    inline = disposition == "inline" or (bool(content_id) and disposition != "attachment")
    return Attachment(name, kind, payload, content_id, inline)


def _message_bytes(part: Message) -> bytes:
    """An attached message as an .eml file."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        try:
            return inner.as_bytes()
        except Exception:  # noqa: BLE001  (a part the generator cannot write back: as text)
            return str(inner).encode("utf-8", errors="replace")
    return str(payload or "").encode("utf-8", errors="replace")


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


def mark_cids(raw_html: str) -> str:
    """`src="cid:abc"` -> `src="/__cid__/abc"`: a relative URL that survives sanitising
    and that `link_cids` replaces with the stored attachment's URL."""

    def placeholder(found: re.Match[str]) -> str:
        name, equals, mark, cid = found.groups()
        mark = mark or '"'
        target = CID_PLACEHOLDER + quote(unquote(cid).strip("<>"), safe="")
        return f"{name}{equals}{mark}{target}{mark}"

    return _CID_REF.sub(placeholder, raw_html)


def link_cids(html: str, urls: dict[str, str]) -> str:
    """Replace the placeholders of `mark_cids` by `urls[content_id]` (keys lower-case,
    without angle brackets); one with no attachment becomes an empty URL."""

    def url(found: re.Match[str]) -> str:
        cid = unquote(found.group(0)[len(CID_PLACEHOLDER) :]).lower()
        return urls.get(cid, "")

    return _PLACEHOLDER.sub(url, html) if CID_PLACEHOLDER in html else html


def headline(raw: bytes) -> tuple[str, str]:
    """(sender address, subject) read from the header block alone, for a message that
    cannot be parsed whole (too large, too many parts): the admin lists still say who
    sent what. Empty strings when even that fails."""
    head = raw[:HEAD_LIMIT]
    try:
        message = BytesHeaderParser(policy=email.policy.default).parsebytes(head)
        senders = _addresses(message, "From") or _addresses(message, "Sender")
        return (senders[0][1] if senders else ""), _header(message, "Subject")
    except Exception:  # noqa: BLE001  (best effort: the raw bytes are kept anyway)
        return "", ""


def display_address(pair: tuple[str, str]) -> str:
    """ "Ann Lee <ann@example.com>" for a (name, address) pair."""
    name, address = pair
    try:
        return str(Address(display_name=name, addr_spec=address)) if name else address
    except (ValueError, IndexError):
        return address
