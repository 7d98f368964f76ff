"""POST /mail/inbound/<mailbox>/: a raw MIME message from a mail service's inbound webhook.
GET /agent/mail/original/<id>/: the full original of a message that came by e-mail.

Inbound: the mailbox's secret goes in the `X-Mailbox-Secret` header (or `Authorization:
Bearer`). The body is the raw message, or a multipart form with the message in a field
named `message` (or a file of that name); the envelope recipients, when the service gives
them, in `recipient` form fields or an `X-Envelope-To` header. The answer is the
ingestion's line as JSON.
"""

from __future__ import annotations

import email.policy
import hmac
import logging
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from typing import Any

from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from supportdesk.agent.pages import agent_required, render_workspace
from supportdesk.lib.errors import NotFound
from supportdesk.lib.html import html_to_text
from supportdesk.lib.http import AuthedRequest
from supportdesk.mail.ingest import ingest, inline_image_urls, read
from supportdesk.mail.models import InboundMessage, Mailbox
from supportdesk.mail.parse import HEAD_LIMIT, link_cids
from supportdesk.tickets.queries import access_ticket

log = logging.getLogger(__name__)
MAX_HEADERS = 300  # shown on the original's page; the raw download has them all
MAX_HEADER_CHARS = 2000


def _secret(request: HttpRequest) -> str:
    given = request.headers.get("X-Mailbox-Secret", "")
    bearer = request.headers.get("Authorization", "")
    if not given and bearer.lower().startswith("bearer "):
        given = bearer[7:]
    return given.strip()


def _raw(request: HttpRequest) -> bytes:
    if (request.content_type or "").startswith("multipart/form-data"):
        upload = request.FILES.get("message")
        if upload is not None:
            return upload.read()
        return str(request.POST.get("message", "")).encode("utf-8")
    return request.body


@csrf_exempt
@require_POST
def inbound(request: HttpRequest, pk: int) -> JsonResponse:
    mailbox = Mailbox.objects.filter(pk=pk, enabled=True).first()
    if mailbox is None:
        return JsonResponse({"detail": "no such mailbox"}, status=404)
    if not hmac.compare_digest(_secret(request).encode(), mailbox.secret.encode()):
        return JsonResponse({"detail": "wrong or missing mailbox secret"}, status=401)
    raw = _raw(request)
    if not raw.strip():
        return JsonResponse({"detail": "no message in the request body"}, status=400)
    try:
        report = ingest(raw, mailbox=mailbox, recipients=_recipients(request))
    except DatabaseError:
        # Nothing was stored: the service keeps the message and posts it again.
        log.exception("mail: inbound message for mailbox %s could not be stored", pk)
        answer = JsonResponse({"detail": "cannot store mail now; try again"}, status=503)
        answer["Retry-After"] = "60"
        return answer
    return JsonResponse({"result": report.line, "ticket": report.ticket})


def _recipients(request: HttpRequest) -> list[str]:
    given = request.headers.get("X-Envelope-To", "").split(",")
    if (request.content_type or "").startswith("multipart/form-data"):
        for value in request.POST.getlist("recipient"):
            given += str(value).split(",")
    return [a.strip()[:254] for a in given if "@" in a][:50]


@never_cache
@agent_required
@require_GET
def original(request: AuthedRequest, pk: int) -> HttpResponse:
    """The message exactly as it came: headers, full text and HTML (sanitised, its inline
    images shown), and the raw .eml to download (`?raw=1`). Agents only, and only for a
    message on a ticket they may see; anything else is the same 404."""
    record = InboundMessage.objects.filter(pk=pk, ticket__isnull=False).first()
    if record is None or record.ticket_id is None:
        raise Http404("no such message")
    try:
        ticket = access_ticket(request.user, record.ticket_id)
    except NotFound as exc:
        raise Http404("no such message") from exc
    raw = bytes(record.raw or b"")
    if request.GET.get("raw"):
        response = HttpResponse(raw, content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="message-{record.pk}.eml"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
    context: dict[str, Any] = {"record": record, "ticket": ticket, "size": len(raw)}
    context["headers"] = _all_headers(raw)
    parsed, problem = read(raw)
    if parsed is None:
        context["problem"] = problem
    else:
        message = record.ticket_message
        urls = inline_image_urls(parsed, message) if message is not None else {}
        context["html"] = link_cids(parsed.html, urls)
        context["text"] = parsed.text or html_to_text(parsed.html)
    return render_workspace(request, "mail/original.html", context)


def _all_headers(raw: bytes) -> list[tuple[str, str]]:
    """Every header in order, encoded words decoded, each on one line."""
    try:
        head = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw[:HEAD_LIMIT])
    except Exception:  # noqa: BLE001  (the page of a broken message still opens)
        return []
    out = []
    for name, value in list(head.raw_items())[:MAX_HEADERS]:
        try:
            text = str(make_header(decode_header(str(value))))
        except Exception:  # noqa: BLE001  (a broken encoded word: shown as it came)
            text = str(value)
        out.append((str(name)[:200], " ".join(text.split())[:MAX_HEADER_CHARS]))
    return out
