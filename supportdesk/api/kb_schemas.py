"""Schemas of /api/v1/kb and the functions that build them from rows, plus the checks of
references and language codes that every knowledge-base endpoint shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any

from django.db.models import prefetch_related_objects
from django.urls import reverse
from pydantic import Field

from supportdesk.accounts.models import User
from supportdesk.api.refs import person
from supportdesk.api.schemas import (
    MAX_ID,
    Cursor,
    Input,
    Limit,
    NamedRef,
    Out,
    PageQuery,
    Patch,
    Ref,
    UserRef,
    user_ref,
)
from supportdesk.kb.models import Article, Category, Revision, Section, State, Translation
from supportdesk.kb.models import Visibility as Audience
from supportdesk.kb.queries import access_article, default_language, translation_of
from supportdesk.lib.errors import DomainError

MAX_NAME = 200
MAX_DESCRIPTION = 10_000
MAX_POSITION = 100_000
MAX_SEARCH = 50
# Lengths and contents of titles, bodies and tags are the services' rules (a 400 that
# names the field); the schema only keeps absurd sizes out.
Text = Annotated[str, Field(max_length=1_000_000)]
LanguageCode = Annotated[str, Field(max_length=35, description="e.g. en, de, pt-br")]
Tag = Annotated[str, Field(max_length=200)]
Position = Annotated[int, Field(ge=0, le=MAX_POSITION)]


def language_code(value: str | None, field: str = "language") -> str:
    """A language code from a query or path, lower case; "" when none was given."""
    if value is None:
        return ""
    code = value.strip().lower()
    if not code or len(code) > 10 or not code.isascii() or not code.replace("-", "").isalpha():
        raise DomainError(f"{field}: {value!r} is not a language code such as en or pt-br")
    return code


def _as_id(value: int | str) -> int | None:
    if isinstance(value, int):
        return value
    text = value.strip()
    if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
        return int(text)
    return None


def _structure_ref(model: Any, what: str, field: str, value: int | str) -> Any:
    """A category or section by id, slug or name (any case)."""
    pk = _as_id(value)
    found = model.objects.filter(pk=pk).first() if pk is not None else None
    if found is None and isinstance(value, str):
        text = value.strip()
        found = (
            model.objects.filter(slug=text).first()
            or model.objects.filter(name__iexact=text).first()
        )
    if found is None:
        raise DomainError(f"{field}: no {what} {value!r}")
    return found


def category_ref(field: str, value: int | str) -> Category:
    return _structure_ref(Category, "category", field, value)  # type: ignore[no-any-return]


def section_ref(field: str, value: int | str) -> Section:
    return _structure_ref(Section, "section", field, value)  # type: ignore[no-any-return]


def owner_ref(value: int | str | None) -> Any:
    return None if value is None else person("owner", value)


# --- categories and sections --------------------------------------------------------


class CategoryIn(Input):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    slug: str = Field("", max_length=MAX_NAME, description="made from the name when empty")
    description: str = Field("", max_length=MAX_DESCRIPTION)
    position: Position = 0


class CategoryPatch(Patch):
    name: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    slug: str | None = Field(None, max_length=MAX_NAME)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)
    position: Position | None = None


class CategoryOut(Out):
    id: int
    name: str
    slug: str
    description: str
    position: int
    url: str = Field(description="the category's page in the help center")


class CategoryPage(Out):
    items: list[CategoryOut]
    next: str | None


class SectionIn(CategoryIn):
    category: Ref


class SectionPatch(CategoryPatch):
    category: Ref | None = None


class SectionOut(CategoryOut):
    category: NamedRef


class SectionPage(Out):
    items: list[SectionOut]
    next: str | None


class SectionQuery(PageQuery):
    category: Ref | None = Field(None, description="only this category's sections")


def category_out(category: Category) -> CategoryOut:
    return CategoryOut(
        id=category.pk,
        name=category.name,
        slug=category.slug,
        description=category.description,
        position=category.position,
        url=reverse("help:category", args=[category.slug]),
    )


def section_out(section: Section) -> SectionOut:
    return SectionOut(
        id=section.pk,
        name=section.name,
        slug=section.slug,
        description=section.description,
        position=section.position,
        url=reverse("help:section", args=[section.slug]),
        category=NamedRef(id=section.category.pk, name=section.category.name),
    )


# --- articles -----------------------------------------------------------------------


class ArticleIn(Input):
    section: Ref
    title: Text
    body: Text = Field(description="Markdown")
    language: LanguageCode | None = Field(None, description="default: the site's language")
    visibility: Audience = Audience.PUBLIC
    owner: Ref | None = Field(None, description="an agent or admin; default: you")
    tags: list[Tag] = Field(default_factory=list, max_length=100)
    review_by: dt.date | None = Field(None, description="default: in KB_REVIEW_DAYS days")
    state: State = State.DRAFT
    slug: str = Field("", max_length=MAX_NAME, description="made from the title when empty")


class ArticlePatch(Patch):
    """Shared fields and, with `title` and/or `body`, the text in `language` (default: the
    article's default language), saved as a new revision."""

    nullable = frozenset({"owner", "review_by"})

    section: Ref | None = None
    slug: str | None = Field(None, max_length=MAX_NAME)
    visibility: Audience | None = None
    owner: Ref | None = None
    tags: list[Tag] | None = Field(None, max_length=100)
    review_by: dt.date | None = None
    position: Position | None = None
    default_language: LanguageCode | None = None
    language: LanguageCode | None = None
    title: Text | None = None
    body: Text | None = None


class ArticleOut(Out):
    id: int
    slug: str
    url: str = Field(description="the article's page in the help center")
    state: State
    visibility: Audience
    section: NamedRef
    category: NamedRef
    owner: UserRef | None
    default_language: str
    languages: list[str]
    tags: list[str]
    review_by: dt.date | None
    position: int
    created_at: str
    updated_at: str
    published_at: str | None
    views: int
    helpful_yes: int
    helpful_no: int
    linked_in_replies: int
    language: str = Field(description="the language of title, body and html")
    title: str
    body: str = Field(description="Markdown")
    html: str = Field(description="rendered and sanitised")


class ArticlePage(Out):
    items: list[ArticleOut]
    next: str | None


class LanguageQuery(Input):
    language: LanguageCode | None = Field(
        None, description="the translation to return; default: the article's default language"
    )


class ArticleQuery(LanguageQuery):
    state: State | None = None
    visibility: Audience | None = None
    section: Ref | None = None
    owner: Ref | None = Field(None, description="id or e-mail address")
    stale: bool = Field(False, description="true: only those past their review date")
    limit: Limit = 25
    cursor: Cursor = None


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def article_out(article: Article, translation: Translation, languages: Iterable[str]) -> ArticleOut:
    """`article` with `section__category` and `owner` loaded."""
    section = article.section
    return ArticleOut(
        id=article.pk,
        slug=article.slug,
        url=reverse("help:article", args=[article.slug]),
        state=State(article.state),
        visibility=Audience(article.visibility),
        section=NamedRef(id=section.pk, name=section.name),
        category=NamedRef(id=section.category.pk, name=section.category.name),
        owner=user_ref(article.owner),
        default_language=article.default_language,
        languages=sorted(languages),
        tags=list(article.tags),
        review_by=article.review_by,
        position=article.position,
        created_at=article.created_at.isoformat(),
        updated_at=article.updated_at.isoformat(),
        published_at=_iso(article.published_at),
        views=article.views,
        helpful_yes=article.helpful_yes,
        helpful_no=article.helpful_no,
        linked_in_replies=article.linked_in_replies,
        language=translation.language,
        title=translation.title,
        body=translation.body,
        html=translation.html,
    )


def article_resource(article: Article, language: str = "") -> ArticleOut:
    """One article (from `access_article`) in `language`, else its default language."""
    prefetch_related_objects([article], "translations")
    translation = translation_of(article, language)
    return article_out(article, translation, [t.language for t in article.translations.all()])


def read_article(user: User, pk: int, language: str = "") -> ArticleOut:
    return article_resource(access_article(user, pk=pk), language)


def chosen_translations(
    articles: list[Article], language: str
) -> tuple[dict[int, Translation], dict[int, list[str]]]:
    """For a page of articles, in two queries: the translation to show of each (as
    `queries.translation_of` picks it) and the languages each is written in."""
    rows = Translation.objects.filter(article_id__in=[a.pk for a in articles]).values_list(
        "pk", "article_id", "language"
    )
    by_article: dict[int, dict[str, int]] = {}
    for pk, article_id, code in rows:
        by_article.setdefault(article_id, {})[code] = pk
    wanted: dict[int, int] = {}
    for article in articles:
        found = by_article.get(article.pk, {})
        for choice in (language, article.default_language, default_language(), *sorted(found)):
            if choice in found:
                wanted[article.pk] = found[choice]
                break
    texts = Translation.objects.in_bulk(list(wanted.values()))
    chosen = {article_id: texts[pk] for article_id, pk in wanted.items() if pk in texts}
    return chosen, {pk: list(codes) for pk, codes in by_article.items()}


# --- translations, revisions, feedback, search -------------------------------------


class TranslationIn(Input):
    title: Text
    body: Text = Field(description="Markdown")


class TranslationOut(Out):
    language: str
    title: str
    body: str = Field(description="Markdown")
    html: str = Field(description="rendered and sanitised")
    is_default: bool
    updated_at: str
    updated_by: UserRef | None


class TranslationPage(Out):
    items: list[TranslationOut]
    next: str | None


def translation_out(translation: Translation, article: Article) -> TranslationOut:
    return TranslationOut(
        language=translation.language,
        title=translation.title,
        body=translation.body,
        html=translation.html,
        is_default=translation.language == article.default_language,
        updated_at=translation.updated_at.isoformat(),
        updated_by=user_ref(translation.updated_by),
    )


class RevisionQuery(PageQuery):
    language: LanguageCode | None = Field(None, description="only this language's versions")


class RevisionOut(Out):
    id: int
    language: str
    title: str
    body: str = Field(description="Markdown")
    author: UserRef | None
    note: str
    created_at: str


class RevisionPage(Out):
    items: list[RevisionOut]
    next: str | None


def revision_out(revision: Revision) -> RevisionOut:
    return RevisionOut(
        id=revision.pk,
        language=revision.language,
        title=revision.title,
        body=revision.body,
        author=user_ref(revision.author),
        note=revision.note,
        created_at=revision.created_at.isoformat(),
    )


class FeedbackIn(Input):
    helpful: bool
    comment: str = Field("", max_length=100_000, description="sent to the article's owner")
    language: LanguageCode | None = Field(None, description="the language read")


class FeedbackOut(Out):
    id: int
    article: NamedRef = Field(description="the article's id and title")
    helpful: bool
    comment: str
    language: str
    created_at: str
    helpful_yes: int = Field(description="the article's count after this vote")
    helpful_no: int


class SearchQuery(Input):
    q: str = Field(min_length=1, max_length=200, description="the words to look for")
    language: LanguageCode | None = Field(
        None, description="read in this language, else the default; default: yours"
    )
    limit: int = Field(10, ge=1, le=MAX_SEARCH, description=f"results, 1 to {MAX_SEARCH}")
    drafts: bool = Field(False, description="agents: drafts and archived articles too")


class SearchHit(Out):
    id: int
    title: str
    slug: str
    url: str
    snippet: str = Field(description="HTML: escaped text with the matches in <mark>")
    score: float = Field(description="higher is better; only for ordering")
    language: str


class SearchOut(Out):
    items: list[SearchHit]
    corrected_query: str | None = Field(description="what was searched for after typo fixes")
