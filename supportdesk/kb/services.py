"""The only writers of the knowledge base. Each save of an article's text keeps a
revision and refreshes the search index in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from supportdesk.accounts.models import Role, User
from supportdesk.kb.markdown import render_with_text
from supportdesk.kb.models import (
    Article,
    Category,
    Revision,
    Section,
    State,
    Translation,
    Visibility,
)
from supportdesk.lib.errors import DomainError, NotFound, PermissionDenied
from supportdesk.search.articles import ArticleText, forget_articles, index_articles

AUTHORS = (Role.ADMIN, Role.AGENT)
MAX_BODY = 200_000
MAX_TITLE = 300
MAX_TAGS = 20


def require_author(by: User | None) -> None:
    if by is None or by.role not in AUTHORS or not by.is_active:
        raise PermissionDenied("only agents and admins may edit the knowledge base")


def unique_slug(model: Any, text: str, *, instance: Any = None) -> str:
    base = slugify(text)[:180] or "untitled"
    others = model.objects.exclude(pk=getattr(instance, "pk", None))
    slug, n = base, 1
    while others.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_language(language: str) -> str:
    language = (language or "").strip().lower()
    if not language or len(language) > 10 or not language.replace("-", "").isalpha():
        raise DomainError(f"language: {language!r} is not a language code such as en or pt-br")
    return language


def _check_text(title: str, body: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("title: an article needs a title")
    if len(title) > MAX_TITLE:
        raise DomainError(f"title: at most {MAX_TITLE} characters")
    if len(body or "") > MAX_BODY:
        raise DomainError(f"body: at most {MAX_BODY:,} characters")
    return title, body or ""


def _check_tags(tags: Sequence[str]) -> list[str]:
    clean = list(dict.fromkeys(" ".join(str(t).split()).lower() for t in tags if str(t).strip()))
    if len(clean) > MAX_TAGS or any(len(t) > 50 for t in clean):
        raise DomainError(f"tags: at most {MAX_TAGS} tags of 50 characters")
    return clean


@transaction.atomic
def save_category(
    *, by: User, category: Category | None = None, name: str, slug: str = "",
    description: str = "", position: int = 0,
) -> Category:  # fmt: skip
    require_author(by)
    name = " ".join((name or "").split())
    if not name or len(name) > 200:
        raise DomainError("name: a category needs a name of at most 200 characters")
    category = category or Category()
    category.name, category.description, category.position = name, description, position
    category.slug = unique_slug(Category, slug or name, instance=category)
    category.save()
    return category


@transaction.atomic
def save_section(
    *, by: User, section: Section | None = None, category: Category, name: str,
    slug: str = "", description: str = "", position: int = 0,
) -> Section:  # fmt: skip
    require_author(by)
    name = " ".join((name or "").split())
    if not name or len(name) > 200:
        raise DomainError("name: a section needs a name of at most 200 characters")
    section = section or Section()
    section.category, section.name = category, name
    section.description, section.position = description, position
    section.slug = unique_slug(Section, slug or name, instance=section)
    section.save()
    return section


@transaction.atomic
def delete_category(category: Category, *, by: User) -> None:
    require_author(by)
    if Article.objects.filter(section__category=category).exists():
        raise DomainError("this category still holds articles; move or delete them first")
    category.delete()


@transaction.atomic
def delete_section(section: Section, *, by: User) -> None:
    require_author(by)
    if section.articles.exists():
        raise DomainError("this section still holds articles; move or delete them first")
    section.delete()


@transaction.atomic
def create_article(
    *, by: User, section: Section, title: str, body: str, language: str = "",
    visibility: str = Visibility.PUBLIC, owner: User | None = None,
    tags: Sequence[str] = (), review_by: dt.date | None = None, slug: str = "",
    state: str = State.DRAFT,
) -> Article:  # fmt: skip
    require_author(by)
    language = _check_language(language or settings.KB_DEFAULT_LANGUAGE)
    title, body = _check_text(title, body)
    _check_choice(visibility, Visibility, "visibility")
    _check_choice(state, State, "state")
    now = timezone.now()
    article = Article.objects.create(
        section=section,
        slug=unique_slug(Article, slug or title),
        visibility=visibility,
        owner=_check_owner(owner) if owner else by,
        default_language=language,
        tags=_check_tags(tags),
        review_by=review_by or (now + dt.timedelta(days=settings.KB_REVIEW_DAYS)).date(),
        created_at=now,
        updated_at=now,
    )
    save_translation(article, by=by, language=language, title=title, body=body, note="Created")
    if state != State.DRAFT:
        set_state(article, by=by, state=state)
    return article


def _check_choice(value: str, choices: Any, name: str) -> None:
    if value not in choices.values:
        raise DomainError(f"{name}: one of {', '.join(choices.values)}")


def _check_owner(owner: User) -> User:
    if owner.role not in AUTHORS or not owner.is_active:
        raise DomainError("owner: an article's owner is an active agent or admin")
    return owner


@transaction.atomic
def update_article(article: Article, *, by: User, **changes: Any) -> Article:
    """Change what every language shares: section, slug, visibility, owner, tags,
    review date, default language, position. Unknown keys are refused."""
    require_author(by)
    allowed = {"section", "slug", "visibility", "owner", "tags", "review_by", "position",
               "default_language"}  # fmt: skip
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(f"cannot change {', '.join(sorted(unknown))}")
    if "visibility" in changes:
        _check_choice(changes["visibility"], Visibility, "visibility")
    if "owner" in changes and changes["owner"] is not None:
        _check_owner(changes["owner"])
    if "tags" in changes:
        changes["tags"] = _check_tags(changes["tags"])
    if "slug" in changes:
        changes["slug"] = unique_slug(Article, changes["slug"] or "", instance=article)
    if "default_language" in changes:
        language = _check_language(changes["default_language"])
        if not article.translations.filter(language=language).exists():
            raise DomainError(f"default_language: there is no {language} translation")
        changes["default_language"] = language
    for name, value in changes.items():
        setattr(article, name, value)
    article.updated_at = timezone.now()
    article.save()
    reindex_article(article)
    return article


@transaction.atomic
def save_translation(
    article: Article, *, by: User, language: str, title: str, body: str, note: str = ""
) -> Translation:
    """Create or change one language's text; an unchanged save keeps no revision."""
    require_author(by)
    language = _check_language(language)
    title, body = _check_text(title, body)
    translation = Translation.objects.filter(article=article, language=language).first()
    if translation and translation.title == title and translation.body == body:
        return translation
    html, text = render_with_text(body)
    now = timezone.now()
    translation = translation or Translation(article=article, language=language)
    translation.title, translation.body, translation.html, translation.text = (
        title,
        body,
        html,
        text,
    )
    translation.updated_at, translation.updated_by = now, by
    translation.save()
    Revision.objects.create(
        article=article, language=language, title=title, body=body, author=by,
        note=note[:200], created_at=now,
    )  # fmt: skip
    Article.objects.filter(pk=article.pk).update(updated_at=now)
    reindex_article(article)
    return translation


@transaction.atomic
def delete_translation(article: Article, *, by: User, language: str) -> None:
    require_author(by)
    if language == article.default_language:
        raise DomainError("the default language's text cannot be deleted; delete the article")
    translation = Translation.objects.filter(article=article, language=language).first()
    if translation is None:
        raise NotFound(f"no {language} translation")
    forget_articles([translation.pk])
    translation.delete()


@transaction.atomic
def restore_revision(article: Article, *, by: User, revision_id: int) -> Translation:
    revision = Revision.objects.filter(article=article, pk=revision_id).first()
    if revision is None:
        raise NotFound("no such revision of this article")
    stamp = timezone.localtime(revision.created_at).strftime("%Y-%m-%d %H:%M")
    return save_translation(
        article, by=by, language=revision.language, title=revision.title,
        body=revision.body, note=f"Restored the version of {stamp}",
    )  # fmt: skip


@transaction.atomic
def set_state(article: Article, *, by: User, state: str) -> Article:
    require_author(by)
    _check_choice(state, State, "state")
    article.state = state
    if state == State.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    article.updated_at = timezone.now()
    article.save(update_fields=["state", "published_at", "updated_at"])
    reindex_article(article)
    return article


@transaction.atomic
def delete_article(article: Article, *, by: User) -> None:
    require_author(by)
    forget_articles(article.translations.values_list("pk", flat=True))
    article.delete()


def reindex_article(article: Article) -> None:
    index_articles(article_texts(Translation.objects.filter(article=article), article))


def article_texts(translations: Any, article: Article | None = None) -> list[ArticleText]:
    out = []
    for t in translations.select_related("article") if article is None else translations:
        a = article or t.article
        out.append(
            ArticleText(
                translation_id=t.pk,
                article_id=a.pk,
                language=t.language,
                public=a.is_public,
                published=a.state == State.PUBLISHED,
                title=t.title,
                tags=a.tags,
                text=t.text,
            )  # fmt: skip
        )
    return out


def reindex_all(batch: int = 500) -> int:
    """Rebuild every article's search document (`supportdesk manage reindex`)."""
    done, last = 0, 0
    while True:
        rows = list(Translation.objects.filter(pk__gt=last).order_by("pk")[:batch])
        if not rows:
            return done
        done += index_articles(
            article_texts(Translation.objects.filter(pk__in=[r.pk for r in rows]))
        )
        last = rows[-1].pk


def record_view(article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)
