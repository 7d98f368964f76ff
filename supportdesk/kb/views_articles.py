"""The knowledge base for agents: the article list (/agent/kb/) and a new article."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from supportdesk.adminui.access import add_domain_error
from supportdesk.agent.pages import agent_required
from supportdesk.kb import queries, search, services
from supportdesk.kb.forms import STRUCTURES, ArticleForm, ListFilter
from supportdesk.kb.markdown import render as render_markdown
from supportdesk.kb.models import Article, State
from supportdesk.kb.views_common import can_edit, page, read_only
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest

PAGE_SIZE = 50
STALE_PANEL = 10


def _filtered(user: Any, f: dict[str, Any]) -> QuerySet[Article]:
    qs = queries.articles_visible_to(user).select_related("owner")
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    if f.get("visibility"):
        qs = qs.filter(visibility=f["visibility"])
    if f.get("section"):
        qs = qs.filter(section=f["section"])
    if f.get("mine"):
        qs = qs.filter(owner=user)
    if f.get("stale"):
        qs = qs.filter(review_by__lt=timezone.localdate())
    return qs


def _rows(request: AuthedRequest, f: dict[str, Any]) -> tuple[list[Article], int | None]:
    """A page of articles, newest first, and the id to continue before; a search ranks
    instead and shows its best matches only."""
    qs = _filtered(request.user, f)
    if f.get("q"):
        found = search.search(
            f["q"], user=request.user, language=settings.KB_DEFAULT_LANGUAGE,
            limit=PAGE_SIZE, drafts=True,
        )  # fmt: skip
        rank = {r.article.pk: i for i, r in enumerate(found.results)}
        return sorted(qs.filter(pk__in=rank), key=lambda a: rank[a.pk]), None
    if f.get("before"):
        qs = qs.filter(pk__lt=f["before"])
    rows = list(qs.order_by("-id")[: PAGE_SIZE + 1])
    more = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], more


@agent_required
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    form = ListFilter(request.GET)
    f = form.values()
    rows, more = _rows(request, f)
    stale = list(queries.stale_for(request.user)[: STALE_PANEL + 1])
    titles = queries.titles_of(rows + stale, settings.KB_DEFAULT_LANGUAGE)
    today = timezone.localdate()
    items = [
        {
            "article": a,
            "title": titles.get(a.pk),
            "stale": bool(a.review_by and a.review_by < today),
        }
        for a in rows
    ]
    params = request.GET.copy()
    params.pop("before", None)
    context = {
        "form": form,
        "items": items,
        "more": more,
        "more_query": params.urlencode(),
        "paged": bool(f.get("before")),
        "searching": bool(f.get("q")),
        "stale": [(a, titles.get(a.pk)) for a in stale[:STALE_PANEL]],
        "stale_more": len(stale) > STALE_PANEL,
    }
    return page(request, "kb/agent/index.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def article_new(request: AuthedRequest) -> HttpResponse:
    """A new article. ?structure=troubleshooting starts the body from the symptom, cause
    and fix template (a link, so it works without JavaScript)."""
    if not can_edit(request.user):
        return read_only(request)
    if request.method != "POST":
        structure = request.GET.get("structure", "")
        initial = {"body": STRUCTURES.get(structure, "")}
        return _new_page(request, ArticleForm(initial=initial), structure)
    form = ArticleForm(request.POST)
    if "preview" in request.POST:  # the no-JavaScript preview: render, keep, save nothing
        body = request.POST.get("body", "")[: services.MAX_BODY]
        form.is_valid()  # keep what was typed, and show no errors yet
        form.errors.clear()
        return _new_page(request, form, "", preview=mark_safe(render_markdown(body)))  # noqa: S308 - nh3-sanitised
    if form.is_valid():
        data = form.cleaned_data
        state = State.PUBLISHED if "publish" in request.POST else State.DRAFT
        try:
            article = services.create_article(
                by=request.user, section=data["section"], title=data["title"],
                body=data["body"], language=data["language"], visibility=data["visibility"],
                owner=data["owner"], tags=data["tags"], review_by=data["review_by"],
                state=state,
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            done = "published" if state == State.PUBLISHED else "saved as a draft"
            messages.success(request, f"Article {done}.")
            return redirect("kb:article", pk=article.pk)
    return _new_page(request, form, "", status=400)


def _new_page(
    request: AuthedRequest,
    form: ArticleForm,
    structure: str,
    status: int = 200,
    preview: Any = None,
) -> HttpResponse:
    sections = form.fields["section"].queryset  # type: ignore[attr-defined]
    context = {
        "form": form,
        "structure": structure,
        "no_sections": not sections.exists(),
        "preview": preview,
    }
    return page(request, "kb/agent/article_new.html", context, status=status, section="new")
