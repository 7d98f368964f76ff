"""/api/v1/kb: an article's translations and revisions, readers' feedback, and search.

Translations and feedback are for whoever may see the article (customers too, on
published public ones); revisions are the authors' history, for agents only.
"""

from __future__ import annotations

import math
from typing import Annotated

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router
from ninja.params import functions
from ninja.responses import Status as Answer

from supportdesk.api.auth import caller, require_agent
from supportdesk.api.kb_schemas import (
    ArticleOut,
    FeedbackIn,
    FeedbackOut,
    RevisionPage,
    RevisionQuery,
    SearchHit,
    SearchOut,
    SearchQuery,
    TranslationIn,
    TranslationOut,
    TranslationPage,
    language_code,
    read_article,
    revision_out,
    translation_out,
)
from supportdesk.api.paths import ObjectId
from supportdesk.api.schemas import NamedRef, PageQuery, errors
from supportdesk.api.transactions import atomic
from supportdesk.kb import services
from supportdesk.kb.feedback import record_feedback
from supportdesk.kb.models import Article, Revision, Translation
from supportdesk.kb.queries import access_article
from supportdesk.kb.search import search
from supportdesk.lib.pagination import keyset_page

router = Router()
ERRORS = errors(400, 403, 404)
LanguagePath = Annotated[
    str, functions.Path(max_length=35, description="a language code such as en or pt-br")
]


@router.get("/articles/{article_id}/translations", response={200: TranslationPage, **ERRORS})
def list_translations(
    request: HttpRequest, article_id: ObjectId, page: Query[PageQuery]
) -> TranslationPage:
    """The article in every language it is written in, oldest translation first."""
    article = access_article(caller(request), pk=article_id)
    qs = Translation.objects.filter(article=article).select_related("updated_by")
    rows, next_cursor = keyset_page(qs, order=("id",), limit=page.limit, cursor=page.cursor)
    return TranslationPage(items=[translation_out(t, article) for t in rows], next=next_cursor)


@router.put(
    "/articles/{article_id}/translations/{language}",
    response={200: TranslationOut, 201: TranslationOut, **ERRORS},
)
@atomic
def put_translation(
    request: HttpRequest, article_id: ObjectId, language: LanguagePath, data: TranslationIn
) -> Answer[TranslationOut]:
    """Write the article in `language`: 201 for a new language, 200 for a change (saved
    as a new revision unless nothing changed)."""
    user = caller(request)
    services.require_author(user)
    article = access_article(user, pk=article_id)
    code = language_code(language)
    is_new = not Translation.objects.filter(article=article, language=code).exists()
    translation = services.save_translation(
        article, by=user, language=code, title=data.title, body=data.body
    )
    return Answer(201 if is_new else 200, translation_out(translation, article))


@router.delete("/articles/{article_id}/translations/{language}", response={204: None, **ERRORS})
@atomic
def delete_translation(
    request: HttpRequest, article_id: ObjectId, language: LanguagePath
) -> Answer[None]:
    """Any language but the default one (delete the article, or change its default)."""
    user = caller(request)
    services.require_author(user)
    article = access_article(user, pk=article_id)
    services.delete_translation(article, by=user, language=language_code(language))
    return Answer(204, None)


@router.get("/articles/{article_id}/revisions", response={200: RevisionPage, **ERRORS})
def list_revisions(
    request: HttpRequest, article_id: ObjectId, filters: Query[RevisionQuery]
) -> RevisionPage:
    """Every saved version of the article's text, newest first (agents)."""
    user = caller(request)
    require_agent(user)
    article = access_article(user, pk=article_id)
    qs = Revision.objects.filter(article=article).select_related("author")
    if filters.language is not None:
        qs = qs.filter(language=language_code(filters.language))
    rows, next_cursor = keyset_page(qs, order=("-id",), limit=filters.limit, cursor=filters.cursor)
    return RevisionPage(items=[revision_out(r) for r in rows], next=next_cursor)


@router.post(
    "/articles/{article_id}/revisions/{revision_id}/restore",
    response={200: ArticleOut, **ERRORS},
)
@atomic
def restore(request: HttpRequest, article_id: ObjectId, revision_id: ObjectId) -> ArticleOut:
    """Save an old version's title and body again, as the newest revision of its
    language; answers the article in that language."""
    user = caller(request)
    services.require_author(user)
    article = access_article(user, pk=article_id)
    translation = services.restore_revision(article, by=user, revision_id=revision_id)
    return read_article(user, article.pk, translation.language)


@router.post("/articles/{article_id}/feedback", response={201: FeedbackOut, **ERRORS})
@atomic
def feedback(request: HttpRequest, article_id: ObjectId, data: FeedbackIn) -> Answer[FeedbackOut]:
    """A reader's vote, with an optional comment that reaches the article's owner."""
    user = caller(request)
    article = access_article(user, pk=article_id)
    row = record_feedback(
        article,
        helpful=data.helpful,
        comment=data.comment,
        user=user,
        language=language_code(data.language),
    )
    counts = Article.objects.filter(pk=article.pk).values("helpful_yes", "helpful_no").get()
    title = Translation.objects.filter(article=article, language=row.language).first()
    return Answer(
        201,
        FeedbackOut(
            id=row.pk,
            article=NamedRef(id=article.pk, name=title.title if title else article.slug),
            helpful=row.helpful,
            comment=row.comment,
            language=row.language,
            created_at=row.created_at.isoformat(),
            **counts,
        ),
    )


@router.get("/search", response={200: SearchOut, **ERRORS})
def search_articles(request: HttpRequest, options: Query[SearchQuery]) -> SearchOut:
    """The best `limit` articles for `q` that the caller may read, best first. Ranked, so
    there is no cursor: ask for a larger `limit` (at most 50) or refine `q`."""
    user = caller(request)
    language = (
        language_code(options.language)
        or (user.language or "").lower()
        or settings.KB_DEFAULT_LANGUAGE
    )
    found = search(
        options.q, user=user, language=language, limit=options.limit, drafts=options.drafts
    )
    items = [
        SearchHit(
            id=r.article.pk,
            title=r.translation.title,
            slug=r.article.slug,
            url=reverse("help:article", args=[r.article.slug]),
            snippet=str(r.snippet),
            score=r.score if math.isfinite(r.score) else 0.0,
            language=r.translation.language,
        )
        for r in found.results
    ]
    return SearchOut(items=items, corrected_query=found.corrected_query or None)
