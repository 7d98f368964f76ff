"""The public help center at /help/: home, categories, sections, one article, search.
Anonymous visitors and customers read published public articles; agents also internal
ones, badged. Votes are in views_help_feedback.py, suggestions in views_help_suggest.py."""

from __future__ import annotations

import secrets
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from supportdesk.kb import deflection, queries, services
from supportdesk.kb.language import reader_language
from supportdesk.kb.models import Article, Category, Section
from supportdesk.kb.search import search
from supportdesk.lib import ratelimit
from supportdesk.lib.errors import NotFound

SEARCH_LIMIT = 20
# Searches per client address and minute: plenty for a person, slow for a scraper.
SEARCHES_PER_MINUTE = 60


def is_agent(request: HttpRequest) -> bool:
    return queries.is_staff_reader(request.user)


def listed(articles: list[Article], language: str) -> list[dict[str, Any]]:
    """Articles with the title to show, in one query for all of them."""
    titles = queries.titles_of(articles, language)
    return [{"article": a, "title": titles[a.pk].title} for a in articles if a.pk in titles]


def visitor_of(request: HttpRequest) -> str:
    """A random token for this browser session, created once: it ties a suggestion the
    visitor opened to the request they then file (or not), without knowing who they are."""
    token = request.session.get("kb_visitor")
    if not token:
        token = secrets.token_hex(16)
        request.session["kb_visitor"] = token
    return str(token)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    language = reader_language(request)
    context = {
        "categories": queries.categories_with_sections(),
        "popular": listed(queries.popular(request.user), language),
        "is_agent": is_agent(request),
    }
    return render(request, "kb/help/home.html", context)


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Category, slug=slug)
    language = reader_language(request)
    sections = list(found.sections.all())
    articles = list(
        queries.help_center_articles(request.user)
        .filter(section__category=found)
        .order_by("position", "id")
    )
    rows = listed(articles, language)
    by_section: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_section.setdefault(row["article"].section_id, []).append(row)
    groups = [{"section": s, "articles": by_section.get(s.pk, [])} for s in sections]
    context = {"category": found, "groups": groups, "is_agent": is_agent(request)}
    return render(request, "kb/help/category.html", context)


@require_GET
def section(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Section.objects.select_related("category"), slug=slug)
    rows = listed(queries.section_articles(request.user, found), reader_language(request))
    context = {"section": found, "articles": rows, "is_agent": is_agent(request)}
    return render(request, "kb/help/section.html", context)


def article_or_404(request: HttpRequest, slug: str) -> Article:
    """Drafts and internal articles are missing for visitors and customers, as are
    articles that do not exist."""
    try:
        return queries.access_article(request.user, slug=slug)
    except NotFound as exc:
        raise Http404("no such article") from exc


def _note_visit(request: HttpRequest, found: Article) -> None:
    """Count the view, the search result that led here, and a suggestion opened from the
    request form."""
    services.record_view(found)
    log_id = request.GET.get("s", "")
    if log_id.isdigit():
        deflection.mark_clicked(int(log_id))
    if request.GET.get("from") == "suggestion":
        deflection.record_suggestion_open(visitor_of(request), found)


@require_GET
def article(request: HttpRequest, slug: str) -> HttpResponse:
    from supportdesk.kb.views_help_feedback import feedback_context

    found = article_or_404(request, slug)
    language = reader_language(request)
    prefetch_related_objects([found], "translations")
    try:
        translation = queries.translation_of(found, language)
    except NotFound as exc:
        raise Http404("this article has no text") from exc
    _note_visit(request, found)
    languages = sorted(t.language for t in found.translations.all())
    context = {
        "article": found,
        "translation": translation,
        "languages": languages if len(languages) > 1 else [],
        "related": listed(queries.related(request.user, found), language),
        "is_agent": is_agent(request),
        **feedback_context(request, found),
    }
    return render(request, "kb/help/article.html", context)


def too_many(request: HttpRequest, scope: str, limit: int) -> int:
    """Count one more use of a public endpoint by this address; the seconds to wait when
    it is past `limit` this minute, else 0."""
    wait = ratelimit.seconds_blocked(request, scope, limit)
    if not wait:
        ratelimit.record_failure(request, scope)  # here: every use counts
    return wait


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    q = " ".join(request.GET.get("q", "").split())[:200]
    context: dict[str, Any] = {"q": q, "results": [], "corrected": "", "searched": bool(q)}
    if not q:
        return render(request, "kb/help/search.html", context)
    wait = too_many(request, "help-search", SEARCHES_PER_MINUTE)
    if wait:
        context["blocked"] = wait
        response = render(request, "kb/help/search.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
    found = search(q, user=request.user, language=reader_language(request), limit=SEARCH_LIMIT)
    log = deflection.log_search(
        q, results=len(found.results), corrected=bool(found.corrected_query), where=deflection.HELP
    )
    sections = Section.objects.select_related("category").in_bulk(
        {r.article.section_id for r in found.results}
    )
    context["results"] = [
        {"result": r, "section": sections.get(r.article.section_id)} for r in found.results
    ]
    context["corrected"] = found.corrected_query
    context["log_id"] = log.pk if log is not None else None
    context["is_agent"] = is_agent(request)
    return render(request, "kb/help/search.html", context)
