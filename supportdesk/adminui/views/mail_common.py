"""What the e-mail admin pages share: who may open the suspended list, the counts behind
the badge in the admin navigation, and a stored message made readable."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from dataclasses import dataclass
from email.header import decode_header, make_header
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse

from supportdesk.accounts.models import Role
from supportdesk.adminui.access import COUNT_CAP
from supportdesk.agent.pages import render_workspace
from supportdesk.lib.http import AuthedRequest
from supportdesk.mail.models import InboundMessage, Outcome
from supportdesk.mail.parse import Unparseable, parse
from supportdesk.notify.models import MailStatus, OutgoingEmail

View = Callable[..., HttpResponse]

ATTENTION_KEY = "adminui:mail-attention"
ATTENTION_TTL = 30  # seconds: the badge may lag a little; a page view costs no query
FAILED = (MailStatus.FAILED, MailStatus.BOUNCED)
# Parsing a huge message to show it would tie up a web worker: above this, the raw start.
PARSE_LIMIT = 5 * 1024 * 1024
SHOWN_BYTES = 200_000
MAX_HEADERS = 200
MAX_HEADER_CHARS = 2_000


def agent_mail_view(view: View) -> View:
    """Suspended mail is everyday work: admins and agents pass; light agents, who only
    add internal notes, get a 403 page; customers a 404; visitors the login."""

    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_agent:
            raise Http404("no such page")
        if not may_handle_suspended(request.user):
            return render_workspace(request, "adminui/mail_forbidden.html", {}, status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def may_handle_suspended(user: Any) -> bool:
    return bool(user.is_admin or user.role == Role.AGENT)


def quarantined() -> Any:
    return InboundMessage.objects.filter(outcome=Outcome.QUARANTINED)


def suspended() -> Any:
    return InboundMessage.objects.filter(outcome=Outcome.SUSPENDED)


def failed_mail() -> Any:
    return OutgoingEmail.objects.filter(status__in=FAILED)


def attention() -> dict[str, str]:
    """Quarantined messages and failed outgoing mail, each counted up to COUNT_CAP, for
    the badge in the admin navigation: cached briefly, then one capped query each."""
    found = cache.get(ATTENTION_KEY)
    if found is None:
        q, f = _capped_pair(quarantined(), failed_mail())
        total = q + f
        found = {
            "quarantined": _words(q),
            "failed": _words(f),
            "total": _words(total) if total else "",
        }
        cache.set(ATTENTION_KEY, found, ATTENTION_TTL)
    return dict(found)


def forget_attention() -> None:
    """After an action that changes the counts, the next page shows the new ones."""
    cache.delete(ATTENTION_KEY)


def _capped_pair(first: Any, second: Any) -> tuple[int, int]:
    """Two capped counts in one statement: each a LIMITed scan of its (partial) index,
    `SELECT (SELECT COUNT(*) FROM (... LIMIT n)), (...)`, for every admin page's badge."""
    parts, params = [], []
    for qs in (first, second):
        sql, args = qs.values("pk")[: COUNT_CAP + 1].query.sql_with_params()
        # The SQL is the ORM's, with the values as parameters: nothing typed in here.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")  # noqa: S608
        params += list(args)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return int(row[0]), int(row[1])


def _words(n: int) -> str:
    return f"{COUNT_CAP:,}+" if n > COUNT_CAP else f"{n:,}"


@dataclass(frozen=True)
class Readable:
    """A stored message as the admin reads it: headers in order, and the text."""

    headers: list[tuple[str, str]]
    text: str
    note: str  # why the text is the raw start, not the body; "" when it is the body
    size: int


def readable(record: InboundMessage) -> Readable:
    """Headers and text of a stored message, whatever state its bytes are in."""
    raw = bytes(record.raw or b"")
    headers = _headers(raw)
    if len(raw) > PARSE_LIMIT:
        note = f"Too large to read here ({len(raw):,} bytes): the start of the raw message."
        return Readable(headers, _raw_text(raw), note, len(raw))
    try:
        parsed = parse(raw)
    except Unparseable as exc:
        note = f"It cannot be parsed ({exc}): the start of the raw message."
        return Readable(headers, _raw_text(raw), note, len(raw))
    except Exception as exc:  # noqa: BLE001  (a page that shows broken mail must not break)
        note = f"It cannot be parsed ({type(exc).__name__}): the start of the raw message."
        return Readable(headers, _raw_text(raw), note, len(raw))
    text = parsed.body[:SHOWN_BYTES]
    return Readable(headers, text, "" if text.strip() else "The message has no text.", len(raw))


def _headers(raw: bytes) -> list[tuple[str, str]]:
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0][:SHOWN_BYTES]
    try:
        message = email.message_from_bytes(head, policy=email.policy.compat32)
    except Exception:  # noqa: BLE001
        return []
    out = []
    for name, value in message.items()[:MAX_HEADERS]:
        out.append((str(name)[:200], _decoded(value)[:MAX_HEADER_CHARS]))
    return out


def _decoded(value: Any) -> str:
    try:
        text = str(make_header(decode_header(str(value))))
    except Exception:  # noqa: BLE001  (a broken encoded word: show it as it is)
        text = str(value)
    return " ".join(text.split())


def _raw_text(raw: bytes) -> str:
    return raw[:SHOWN_BYTES].decode("utf-8", errors="replace")
