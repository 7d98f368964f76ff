"""Reads of the knowledge base, shared by the help center, the agent pages and the API.
Every read starts from `articles_visible_to(user)`: customers and visitors see published,
public articles only; agents and admins see every article (drafts and internal ones too)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from supportdesk.kb.models import Article, Category, Section, State, Translation, Visibility
from supportdesk.lib.errors import NotFound


def is_staff_reader(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_agent)


def articles_visible_to(user: Any) -> QuerySet[Article]:
    qs = Article.objects.all()
    if not is_staff_reader(user):
        qs = qs.filter(state=State.PUBLISHED, visibility=Visibility.PUBLIC)
    return qs


def help_center_articles(user: Any) -> QuerySet[Article]:
    """What the help center lists: published articles, internal ones only for agents."""
    return articles_visible_to(user).filter(state=State.PUBLISHED)


def access_article(user: Any, *, pk: int | None = None, slug: str | None = None) -> Article:
    """One article `user` may see; NotFound for missing and forbidden alike."""
    qs = articles_visible_to(user).select_related("section__category", "owner")
    found = qs.filter(pk=pk).first() if pk is not None else qs.filter(slug=slug).first()
    if found is None:
        raise NotFound("no such article")
    return found


def default_language() -> str:
    return settings.KB_DEFAULT_LANGUAGE


def languages_for(language: str) -> list[str]:
    """The languages to read in, best first: the visitor's, then the default."""
    return list(dict.fromkeys(l for l in (language, default_language()) if l))  # noqa: E741


def translation_of(article: Article, language: str) -> Translation:
    """The article in `language`, else in its default language, else any."""
    rows = {t.language: t for t in article.translations.all()}
    for choice in (language, article.default_language, default_language()):
        if choice in rows:
            return rows[choice]
    if not rows:
        raise NotFound("this article has no text")
    return rows[sorted(rows)[0]]


def titles_of(articles: list[Article], language: str) -> dict[int, Translation]:
    """For many articles at once: the translation to show of each (one query)."""
    wanted = {language, default_language()} | {a.default_language for a in articles}
    rows = Translation.objects.filter(
        article_id__in=[a.pk for a in articles], language__in=wanted
    ).only("id", "article_id", "language", "title", "text")
    by_article: dict[int, dict[str, Translation]] = {}
    for t in rows:
        by_article.setdefault(t.article_id, {})[t.language] = t
    out = {}
    for a in articles:
        found = by_article.get(a.pk, {})
        for choice in (language, a.default_language, default_language()):
            if choice in found:
                out[a.pk] = found[choice]
                break
    return out


def categories_with_sections() -> list[Category]:
    return list(Category.objects.prefetch_related("sections"))


def popular(user: Any, *, limit: int = 8) -> list[Article]:
    return list(help_center_articles(user).order_by("-views", "-id")[:limit])


def section_articles(user: Any, section: Section) -> list[Article]:
    return list(help_center_articles(user).filter(section=section).order_by("position", "id"))


def related(user: Any, article: Article, *, limit: int = 5) -> list[Article]:
    """Articles of the same section first, then those sharing a tag."""
    qs = help_center_articles(user).exclude(pk=article.pk)
    same = list(qs.filter(section_id=article.section_id).order_by("-views")[:limit])
    if len(same) < limit and article.tags:
        seen = {a.pk for a in same} | {article.pk}
        for other in qs.exclude(pk__in=seen).order_by("-views")[:200]:
            if set(other.tags) & set(article.tags):
                same.append(other)
                if len(same) == limit:
                    break
    return same


def stale_for(owner: Any, *, today: dt.date | None = None) -> QuerySet[Article]:
    """The owner's articles whose review date has passed (archived ones excluded)."""
    today = today or timezone.localdate()
    return (
        Article.objects.filter(owner=owner, review_by__lt=today)
        .exclude(state=State.ARCHIVED)
        .order_by("review_by")
    )
