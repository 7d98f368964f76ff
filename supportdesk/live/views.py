"""The live stream (Server-Sent Events) and the presence signals a ticket page sends.

`GET /live/stream/?ticket=N&since=CURSOR` streams batches of what changed: ticket events
(ids and kinds, never content: pages fetch their HTML through the usual views, which
check access), presence on the ticket, and the arrival of the user's notifications. The
SSE id of each batch is a cursor; a reconnecting browser sends it back as Last-Event-ID
and the stream resumes from there, missing nothing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    StreamingHttpResponse,
)
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.models import User
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.http import AuthedRequest
from supportdesk.live.feed import Batch, Cursor, read_since, recent_presence
from supportdesk.live.hub import hub
from supportdesk.live.services import signal_presence
from supportdesk.tickets.queries import access_ticket

PING_SECONDS = 15


class Scope:
    """What one stream may carry: which tickets' events, whose presence and notes."""

    def __init__(self, user: User, ticket: int | None, *, events: bool = True) -> None:
        self.user_id = user.pk
        self.agent = user.is_agent
        self.ticket = ticket
        self.events = events

    def keep(self, batch: Batch, sent: set[int] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
        """What of `batch` this stream carries, less the event ids in `sent`."""
        events = [
            e
            for e in batch.events
            if self.events
            and e["id"] not in sent
            and (self.ticket is None or e["ticket_id"] == self.ticket)
            and (self.agent or e["public"])
        ]
        signals = (
            [s for s in batch.signals if s["ticket_id"] == self.ticket]
            if self.agent and self.ticket
            else []
        )
        mine = self.agent and any(n["user_id"] == self.user_id for n in batch.notifications)
        return {
            "events": [_event(e) for e in events],
            "presence": [_signal(s) for s in signals],
            "notified": mine,
        }


def _event(e: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": e["id"],
        "ticket": e["ticket_id"],
        "kind": e["kind"],
        "field": e["field"],
        "public": e["public"],
        "actor": e["actor_id"],
        "by_agent": e["actor__role"] in ("admin", "agent", "light_agent"),
    }


def _signal(s: dict[str, Any]) -> dict[str, Any]:
    name = s["user__name"] or s["user__email"].split("@")[0]
    return {"id": s["id"], "user": s["user_id"], "name": name, "kind": s["kind"]}


def _message(cursor: Cursor, payload: dict[str, Any], name: str = "batch") -> str:
    return f"id: {cursor}\nevent: {name}\ndata: {json.dumps(payload)}\n\n"


async def _events(scope: Scope, since: Cursor | None) -> AsyncIterator[str]:
    queue, start = await hub.join()
    try:
        yield "retry: 2000\n\n"
        sent = since or start
        caught_up: set[int] = set()  # event ids sent while catching up, which may come again
        if since is not None:
            # Catch up from the browser's cursor to where the hub started for us.
            while True:
                batch = await sync_to_async(read_since, thread_sensitive=False)(sent)
                if not batch:
                    break
                sent = batch.cursor
                caught_up.update(e["id"] for e in batch.events)
                kept = scope.keep(batch)
                if kept["events"] or kept["notified"]:
                    yield _message(sent, kept)
        if scope.agent and scope.ticket:
            here = await sync_to_async(recent_presence, thread_sensitive=False)(scope.ticket)
            yield _message(sent, {"events": [], "presence": [_signal(s) for s in here]})
        while True:
            try:
                batch = await asyncio.wait_for(queue.get(), timeout=PING_SECONDS)
            except TimeoutError:
                yield ": ping\n\n"
                continue
            # The batch is shared by every stream: read it, never change it.
            kept = scope.keep(batch, caught_up)
            if batch.cursor.signal <= sent.signal:
                kept["presence"] = []  # read already while catching up
            if batch.cursor.notification <= sent.notification:
                kept["notified"] = False
            sent = Cursor(
                max(sent.event, batch.cursor.event),
                max(sent.signal, batch.cursor.signal),
                max(sent.notification, batch.cursor.notification),
            )
            if kept["events"] or kept["presence"] or kept["notified"]:
                yield _message(sent, kept)
    finally:
        hub.leave(queue)


def _scope(user: User, raw_ticket: str, only: str) -> Scope:
    ticket = None
    if raw_ticket:
        try:
            ticket = access_ticket(user, raw_ticket).number
        except NotFound as exc:
            raise Http404("no such ticket") from exc
    elif not user.is_agent:
        raise Http404("customers follow one request at a time")
    return Scope(user, ticket, events=only != "notifications")


@require_GET
async def stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    user = await request.auser()
    if not user.is_authenticated or not user.is_active:
        return HttpResponseForbidden("log in first")
    scope = await sync_to_async(_scope)(
        user,  # type: ignore[arg-type]
        request.GET.get("ticket", ""),
        request.GET.get("only", ""),
    )
    since = Cursor.parse(request.headers.get("Last-Event-ID")) or Cursor.parse(
        request.GET.get("since")
    )
    response = StreamingHttpResponse(_events(scope, since), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each message on at once
    return response


@login_required
@require_POST
def presence(request: AuthedRequest, number: int) -> HttpResponse:
    try:
        ticket = access_ticket(request.user, number)
        signal_presence(ticket, user=request.user, kind=request.POST.get("kind", ""))
    except NotFound as exc:
        raise Http404("no such ticket") from exc
    except DomainError as exc:
        return HttpResponse(str(exc), status=400)
    return HttpResponse(status=204)
