"""Knowledge-base search for a reader: the right audience and languages, one result per
article (in the reader's language when it has one), and a highlighted snippet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from supportdesk.kb.models import Article, Translation
from supportdesk.kb.queries import articles_visible_to, is_staff_reader, languages_for
from supportdesk.search.articles import ALL, PUBLIC, PUBLISHED, search_articles
from supportdesk.search.snippets import highlight

MAX_QUERY = 200


@dataclass
class Result:
    article: Article
    translation: Translation
    snippet: SafeString
    score: float


@dataclass
class Found:
    results: list[Result]
    query: str
    corrected_query: str  # what was searched for when a typo was corrected, else ""


def search(query: str, *, user: Any, language: str, limit: int = 10, drafts: bool = False) -> Found:
    """Articles for `query` that `user` may read. Agents also find internal articles, and
    with `drafts` also drafts and archived ones."""
    query = (query or "").strip()[:MAX_QUERY]
    if not is_staff_reader(user):
        audience = PUBLIC
    else:
        audience = ALL if drafts else PUBLISHED
    languages = languages_for(language)
    found = search_articles(query, languages=languages, audience=audience, limit=limit * 2)
    best: dict[int, Any] = {}
    for hit in found.hits:
        best.setdefault(hit.article_id, hit)
    ids = list(best)[:limit]
    # The index already chose by audience; the read is scoped all the same.
    articles = articles_visible_to(user).in_bulk(ids)
    wanted = Translation.objects.filter(article_id__in=ids, language__in=languages).only(
        "id", "article_id", "language", "title", "text"
    )
    texts: dict[int, dict[str, Translation]] = {}
    for t in wanted:
        texts.setdefault(t.article_id, {})[t.language] = t
    results = []
    for pk in ids:
        translation = next((texts[pk][l] for l in languages if l in texts.get(pk, {})), None)  # noqa: E741
        if pk not in articles or translation is None:
            continue
        snippet = highlight(translation.text, found.marks)
        results.append(Result(articles[pk], translation, snippet, best[pk].score))
    corrected = " ".join(found.words) if found.corrected else ""
    return Found(results=results, query=query, corrected_query=corrected)
