"""The knowledge base over HTTP: /api/v1/kb/...

Articles are read through `kb.queries` (customers see published, public articles only,
and get the same 404 for a draft or internal article as for a missing one) and changed
through `kb.services` (agents and admins; everyone else gets a 403 on every write, for
every id, before the article is looked up). Categories and sections are in
`kb_structure`, translations, revisions, feedback and search in `kb_texts`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status as Answer

from supportdesk.api import kb_structure, kb_texts
from supportdesk.api.auth import caller
from supportdesk.api.kb_schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePage,
    ArticlePatch,
    ArticleQuery,
    LanguageQuery,
    article_out,
    chosen_translations,
    language_code,
    owner_ref,
    read_article,
    section_ref,
)
from supportdesk.api.paths import ObjectId
from supportdesk.api.schemas import errors
from supportdesk.api.transactions import atomic
from supportdesk.kb import services
from supportdesk.kb.models import State, Translation
from supportdesk.kb.queries import access_article, articles_visible_to
from supportdesk.lib.pagination import keyset_page

router = Router(tags=["knowledge base"])
router.add_router("", kb_structure.router)
router.add_router("", kb_texts.router)
ERRORS = errors(400, 403, 404)
SHARED = ("section", "slug", "visibility", "owner", "tags", "review_by", "position",
          "default_language")  # fmt: skip


@router.get("/articles", response={200: ArticlePage, **ERRORS})
def list_articles(request: HttpRequest, filters: Query[ArticleQuery]) -> ArticlePage:
    """The articles the caller may see, newest first: customers only published, public
    ones; agents every one, drafts and internal ones too."""
    language = language_code(filters.language)
    qs = articles_visible_to(caller(request)).select_related("section__category", "owner")
    if filters.state is not None:
        qs = qs.filter(state=filters.state)
    if filters.visibility is not None:
        qs = qs.filter(visibility=filters.visibility)
    if filters.section is not None:
        qs = qs.filter(section=section_ref("section", filters.section))
    if filters.owner is not None:
        qs = qs.filter(owner=owner_ref(filters.owner))
    if filters.stale:
        # The same rule as `queries.stale_for`, for every owner.
        qs = qs.filter(review_by__lt=timezone.localdate()).exclude(state=State.ARCHIVED)
    rows, next_cursor = keyset_page(qs, order=("-id",), limit=filters.limit, cursor=filters.cursor)
    texts, languages = chosen_translations(rows, language)
    items = [article_out(a, texts[a.pk], languages[a.pk]) for a in rows if a.pk in texts]
    return ArticlePage(items=items, next=next_cursor)


@router.post("/articles", response={201: ArticleOut, **ERRORS})
@atomic
def create_article(request: HttpRequest, data: ArticleIn) -> Answer[ArticleOut]:
    """A new article with its first translation; a draft unless `state` says otherwise."""
    user = caller(request)
    services.require_author(user)
    fields = data.model_dump()
    fields["section"] = section_ref("section", data.section)
    fields["owner"] = owner_ref(data.owner)
    fields["language"] = data.language or ""
    fields["state"], fields["visibility"] = data.state.value, data.visibility.value
    article = services.create_article(by=user, **fields)
    return Answer(201, read_article(user, article.pk))


@router.get("/articles/{article_id}", response={200: ArticleOut, **ERRORS})
def get_article(
    request: HttpRequest, article_id: ObjectId, options: Query[LanguageQuery]
) -> ArticleOut:
    """The article in `language` when it has that translation, else its default language."""
    return read_article(caller(request), article_id, language_code(options.language))


def _shared_changes(data: ArticlePatch) -> dict[str, Any]:
    sent = data.provided()
    changes = {k: v for k, v in sent.items() if k in SHARED}
    if "section" in changes:
        changes["section"] = section_ref("section", changes["section"])
    if "owner" in changes:
        changes["owner"] = owner_ref(changes["owner"])
    if "visibility" in changes:
        changes["visibility"] = changes["visibility"].value
    return changes


@router.patch("/articles/{article_id}", response={200: ArticleOut, **ERRORS})
@atomic
def change_article(request: HttpRequest, article_id: ObjectId, data: ArticlePatch) -> ArticleOut:
    """Shared fields and/or the text in one language, in one transaction: both change or
    neither does."""
    user = caller(request)
    services.require_author(user)
    article = access_article(user, pk=article_id)
    changes = _shared_changes(data)
    language = language_code(data.language) or article.default_language
    # The text first, so that one call can add a language and make it the default.
    if data.title is not None or data.body is not None:
        current = Translation.objects.filter(article=article, language=language).first()
        services.save_translation(
            article,
            by=user,
            language=language,
            title=data.title if data.title is not None else getattr(current, "title", ""),
            body=data.body if data.body is not None else getattr(current, "body", ""),
        )
    if changes:
        services.update_article(article, by=user, **changes)
    return read_article(user, article.pk, language)


@router.delete("/articles/{article_id}", response={204: None, **ERRORS})
@atomic
def delete_article(request: HttpRequest, article_id: ObjectId) -> Answer[None]:
    """The article, its translations, revisions and feedback, for good."""
    user = caller(request)
    services.require_author(user)
    services.delete_article(access_article(user, pk=article_id), by=user)
    return Answer(204, None)


def _set_state(request: HttpRequest, article_id: int, language: str | None, state: str) -> Any:
    user = caller(request)
    services.require_author(user)
    services.set_state(access_article(user, pk=article_id), by=user, state=state)
    return read_article(user, article_id, language_code(language))


@router.post("/articles/{article_id}/publish", response={200: ArticleOut, **ERRORS})
@atomic
def publish(request: HttpRequest, article_id: ObjectId, options: Query[LanguageQuery]) -> Any:
    """Published: in the help center (a public article) or for agents (an internal one)."""
    return _set_state(request, article_id, options.language, State.PUBLISHED)


@router.post("/articles/{article_id}/unpublish", response={200: ArticleOut, **ERRORS})
@atomic
def unpublish(request: HttpRequest, article_id: ObjectId, options: Query[LanguageQuery]) -> Any:
    """Back to a draft: out of the help center and of customers' reach at once."""
    return _set_state(request, article_id, options.language, State.DRAFT)


@router.post("/articles/{article_id}/archive", response={200: ArticleOut, **ERRORS})
@atomic
def archive(request: HttpRequest, article_id: ObjectId, options: Query[LanguageQuery]) -> Any:
    """Archived: kept with its history, shown to no reader."""
    return _set_state(request, article_id, options.language, State.ARCHIVED)
