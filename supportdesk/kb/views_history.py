"""An article's revision history: every saved version, a diff of any of them against
the current text, and restoring one (saved again as the newest version)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from supportdesk.agent.pages import agent_required
from supportdesk.kb import services
from supportdesk.kb.models import Revision, Translation
from supportdesk.kb.views_common import article_or_404, can_edit, page, read_only
from supportdesk.lib.errors import DomainError, NotFound
from supportdesk.lib.http import AuthedRequest

SHOWN = 100


@dataclass
class DiffLine:
    kind: str  # "add", "del", "hunk" or "" (context)
    text: str


def _as_text(title: str, body: str) -> list[str]:
    return [f"# {title}", "", *body.splitlines()]


def diff_lines(revision: Revision, current: Translation | None) -> list[DiffLine]:
    """A unified diff from the revision to the current text, line by line, for the
    template to escape and style."""
    old = _as_text(revision.title, revision.body)
    new = _as_text(current.title, current.body) if current else []
    lines = []
    for raw in difflib.unified_diff(old, new, "this version", "current", lineterm="", n=3):
        if raw.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(raw[:1], "")
        lines.append(DiffLine(kind, raw))
    return lines


@agent_required
@require_GET
def revisions(request: AuthedRequest, pk: int) -> HttpResponse:
    art = article_or_404(request, pk)
    rows = list(art.revisions.select_related("author").order_by("-id")[:SHOWN])
    chosen, diff, current = None, None, None
    wanted = request.GET.get("rev", "")
    if wanted.isdigit():
        chosen = art.revisions.filter(pk=int(wanted)).first()
    if chosen is not None:
        current = art.translations.filter(language=chosen.language).first()
        diff = diff_lines(chosen, current)
    context = {
        "article": art,
        "revisions": rows,
        "chosen": chosen,
        "current": current,
        "diff": diff,
        "title": art.translations.filter(language=art.default_language)
        .values_list("title", flat=True)
        .first()
        or art.slug,
    }
    return page(
        request, "kb/agent/revisions.html", context, status=404 if wanted and not chosen else 200
    )


@agent_required
@require_POST
def restore(request: AuthedRequest, pk: int, revision_id: int) -> HttpResponse:
    art = article_or_404(request, pk)
    if not can_edit(request.user):
        return read_only(request)
    try:
        restored = services.restore_revision(art, by=request.user, revision_id=revision_id)
    except (DomainError, NotFound) as exc:
        messages.error(request, str(exc)[:1].upper() + str(exc)[1:] + ".")
        return redirect("kb:revisions", pk=art.pk)
    messages.success(request, "That version is restored; it is now the newest revision.")
    url = redirect("kb:article", pk=art.pk)
    if restored.language != art.default_language:
        url["Location"] += f"?lang={restored.language}"
    return url
