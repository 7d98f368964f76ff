"""The knowledge base on the agent's ticket page: the composer's article picker (`k`)
and "Create article from this ticket"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from supportdesk.agent.pages import agent_required
from supportdesk.kb import drafts, search
from supportdesk.kb.views_common import can_edit, public_url, read_only
from supportdesk.lib.errors import NotFound
from supportdesk.lib.http import AuthedRequest
from supportdesk.tickets.queries import access_ticket

PICKER_SIZE = 8


def _ticket(request: AuthedRequest, number: int) -> Any:
    try:
        return access_ticket(request.user, number)
    except NotFound as exc:
        raise Http404("no such ticket") from exc


@agent_required
@require_GET
def pick(request: AuthedRequest, number: int) -> HttpResponse:
    """Published articles for `kb_q`, in the requester's language when one exists.
    Only a public article can be linked: a customer cannot open an internal one, so it
    offers its text alone. The text inserted is the plain-text rendering: replies go
    out as typed, and Markdown marks would reach the customer as stray characters."""
    ticket = _ticket(request, number)
    q = request.GET.get("kb_q", "").strip()[: search.MAX_QUERY]
    language = getattr(ticket.requester, "language", "") or settings.KB_DEFAULT_LANGUAGE
    results = []
    corrected = ""
    if q:
        found = search.search(q, user=request.user, language=language, limit=PICKER_SIZE)
        corrected = found.corrected_query
        for r in found.results:
            link = f"{r.translation.title}: {public_url(r.article)}" if r.article.is_public else ""
            results.append({"result": r, "link": link, "content": r.translation.text.strip()})
    context = {"ticket": ticket, "q": q, "results": results, "corrected": corrected}
    return render(request, "kb/agent/pick.html", context)


@agent_required
@require_POST
def from_ticket(request: AuthedRequest, number: int) -> HttpResponse:
    """A draft article from the ticket's question and answer, opened for editing."""
    ticket = _ticket(request, number)
    if not can_edit(request.user):
        return read_only(request)
    article = drafts.draft_from_ticket(ticket, by=request.user)
    messages.success(request, "A draft article is made from this ticket; edit it, then publish.")
    return redirect("kb:article", pk=article.pk)
