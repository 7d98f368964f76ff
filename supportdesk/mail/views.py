"""POST /mail/inbound/<mailbox>/: a raw MIME message from a mail service's inbound webhook.

The mailbox's secret goes in the `X-Mailbox-Secret` header (or `Authorization: Bearer`).
The body is the raw message, or a multipart form with the message in a field named
`message` (or a file of that name). The answer is the ingestion's line as JSON.
"""

from __future__ import annotations

import hmac

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from supportdesk.mail.ingest import ingest
from supportdesk.mail.models import Mailbox


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
    report = ingest(raw, mailbox=mailbox)
    return JsonResponse({"result": report.line, "ticket": report.ticket})
