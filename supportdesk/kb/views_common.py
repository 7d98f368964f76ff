"""What the knowledge base's agent pages share: who may edit, and the one way to fetch
an article for a page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse

from supportdesk.accounts.models import User
from supportdesk.agent.pages import render_workspace
from supportdesk.kb import queries
from supportdesk.kb.models import Article
from supportdesk.kb.services import AUTHORS
from supportdesk.lib.errors import NotFound
from supportdesk.lib.http import AuthedRequest


def can_edit(user: User) -> bool:
    """Light agents read the knowledge base; the services refuse their edits, so the
    pages hide the controls too."""
    return user.role in AUTHORS and user.is_active


def article_or_404(request: AuthedRequest, pk: int) -> Article:
    try:
        return queries.access_article(request.user, pk=pk)
    except NotFound as exc:
        raise Http404("no such article") from exc


def public_url(article: Article) -> str:
    """The help-center address customers open (the reply-link counter looks for it)."""
    return f"{settings.SITE_URL}/help/articles/{article.slug}/"


def read_only(request: AuthedRequest) -> HttpResponse:
    return render_workspace(request, "kb/agent/read_only.html", {}, status=403)


def page(
    request: AuthedRequest,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    section: str = "articles",
) -> HttpResponse:
    context = {"can_edit": can_edit(request.user), "kb_section": section, **context}
    return render_workspace(request, template, context, status=status)
