"""Ranked search of knowledge-base articles on the database engine in use.

A query ranks articles by any of its words (BM25 on SQLite FTS5, an IDF-weighted
`ts_rank` sum on PostgreSQL), titles counting most, then tags, then the body. Words are
stemmed in each language searched, the last word also matches as a prefix (search as you
type), and a word that no article holds is replaced by the closest one within one typo.
The kb app hands this module plain values (`ArticleText`); nothing here imports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.functions import Substr
from rapidfuzz import process
from rapidfuzz.distance import OSA

from supportdesk.search import stemming
from supportdesk.search.models import ArticleDocument, ArticleWord
from supportdesk.search.rerank import idf as rerank_idf
from supportdesk.search.rerank import rerank

# Questions run long; every word counts in ranking (tested: 12 lost a tenth of hit@5).
MAX_WORDS = 40
# Column weights (title, tags, body), tuned on the first 300 StackFAQ questions only.
WEIGHTS = (12.0, 3.0, 1.0)
PUBLIC, PUBLISHED, ALL = "public", "published", "all"
# A term in more than half of the documents ("the", "how") gets no weight from BM25 (FTS5
# floors its IDF), yet makes it score nearly every document: it is left out of the query
# when the query has rarer terms. Same ranking, half the time at 10,000 articles.
COMMON = 0.5
# A term in at most this share of the documents is marked in snippets.
MARKED = 0.5
# The engine's best this many are scored again, the same way on both engines (rerank.py).
CANDIDATES = 50


@dataclass
class ArticleText:
    translation_id: int
    article_id: int
    language: str
    public: bool
    published: bool
    title: str
    tags: Sequence[str]
    text: str


@dataclass
class ArticleHit:
    translation_id: int
    article_id: int
    language: str
    score: float


@dataclass
class ArticleResults:
    hits: list[ArticleHit] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # the query's words, after correction
    corrected: bool = False
    marks: list[str] = field(default_factory=list)  # the terms worth highlighting


def index_articles(docs: Iterable[ArticleText]) -> int:
    rows, vocabulary = [], set()
    for doc in docs:
        found = stemming.words(f"{doc.title}\n{' '.join(doc.tags)}\n{doc.text}")
        vocabulary.update(found)
        rows.append(
            ArticleDocument(
                translation_id=doc.translation_id,
                article_id=doc.article_id,
                language=doc.language,
                public=doc.public,
                published=doc.published,
                title_terms=stemming.terms(doc.title, doc.language),
                tag_terms=stemming.terms(" ".join(doc.tags), doc.language),
                body_terms=stemming.terms(doc.text, doc.language),
            )
        )
    ArticleDocument.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["translation_id"],
        update_fields=[
            "article_id",
            "language",
            "public",
            "published",
            "title_terms",
            "tag_terms",
            "body_terms",
        ],  # fmt: skip
    )
    ArticleWord.objects.bulk_create(
        [ArticleWord(word=w, length=len(w)) for w in vocabulary], ignore_conflicts=True
    )
    return len(rows)


def forget_articles(translation_ids: Iterable[int]) -> None:
    ArticleDocument.objects.filter(translation_id__in=list(translation_ids)).delete()


def search_articles(
    query: str, *, languages: Sequence[str], audience: str = PUBLIC, limit: int = 10
) -> ArticleResults:
    """The best `limit` translations in `languages` for `query`, best first. `audience`:
    PUBLIC (published, public), PUBLISHED (also internal) or ALL (drafts and archive too)."""
    found = stemming.words(query)[:MAX_WORDS]
    if not found or not languages:
        return ArticleResults()
    words, corrected, partial = correct(found)
    terms = _terms(words, languages, partial_last=partial)
    where, params = _where(audience, languages)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            total, frequencies = _postgres_frequencies(cursor, terms, where, params)
        else:
            total, frequencies = _sqlite_frequencies(cursor, terms)
        if not total:
            return ArticleResults(words=words, corrected=corrected)
        # A stop word counts as held by half of all documents, whatever this collection
        # says: little weight, left out of the candidate query, never marked.
        for term in stemming.stop_terms(words, list(languages)):
            frequencies[term] = max(frequencies.get(term, 0), total // 2 + 1)
        wanted = _without_common(terms, total, frequencies)
        engine = _postgres if postgres else _sqlite
        candidates = engine(cursor, wanted, (total, frequencies), where, params, CANDIDATES)
    hits = rerank(
        candidates, terms, total=total, frequencies=frequencies, weights=WEIGHTS, limit=limit
    )
    marks = _marks(wanted, total, frequencies)
    return ArticleResults(hits=hits, words=words, corrected=corrected, marks=marks)


def _marks(terms: list[tuple[str, bool]], total: int, frequencies: dict[str, int]) -> list[str]:
    """The terms to mark in snippets. Terms many documents hold ("how", "my") are noise
    there; when every term is common (a tiny knowledge base), the rarest ones."""
    share = {t: frequencies.get(t, 0) / total for t, _prefix in terms}
    rare = [t for t, part in share.items() if part <= MARKED]
    if rare:
        return rare
    long_enough = [t for t in share if len(t) >= 3] or list(share)
    least = min(share[t] for t in long_enough)
    return [t for t in long_enough if share[t] == least]


def _terms(
    words: list[str], languages: Sequence[str], *, partial_last: bool
) -> list[tuple[str, bool]]:
    """(term, is_prefix) for every language's stem of every word, without repeats. A last
    word still being typed (no article holds it whole) matches as a prefix."""
    out: dict[tuple[str, bool], None] = {}
    for language in languages:
        for stem in stemming.stem_words(words, language):
            out[(stem, False)] = None
    if partial_last:
        out = {(t, p): None for t, p in out if t != words[-1]}
        out[(words[-1], True)] = None
    return list(out)


def _where(audience: str, languages: Sequence[str]) -> tuple[str, list]:
    marks = ", ".join(["%s"] * len(languages))
    sql = f"d.language IN ({marks})"
    if audience == PUBLIC:
        sql += " AND d.public"
    elif audience == PUBLISHED:
        sql += " AND d.published"
    return sql, list(languages)


def _sqlite(cursor, terms, _stats, where, params, limit) -> list[ArticleHit]:  # type: ignore[no-untyped-def]
    # Each term is quoted, so FTS5 syntax in user input (AND, NEAR, column:) is inert.
    match = " OR ".join(f'"{t}"' + ("*" if prefix else "") for t, prefix in terms)
    title, tags, body = WEIGHTS
    sql = (
        "SELECT d.translation_id, d.article_id, d.language, "  # noqa: S608 - fixed SQL
        f"bm25(search_article_fts, {title}, {tags}, {body}) AS rank "
        "FROM search_article_fts JOIN search_articledocument d "
        "ON d.translation_id = search_article_fts.rowid "
        f"WHERE search_article_fts MATCH %s AND {where} ORDER BY rank LIMIT %s"
    )
    cursor.execute(sql, [match, *params, limit])
    return [ArticleHit(r[0], r[1], r[2], round(-r[3], 4)) for r in cursor.fetchall()]


def _sqlite_frequencies(cursor: Any, terms: list[tuple[str, bool]]) -> tuple[int, dict[str, int]]:
    """The number of documents, and of those holding each whole term (from FTS5's own
    vocabulary; every audience and language counted, which is close enough for weights)."""
    whole = [t for t, prefix in terms if not prefix]
    cursor.execute("SELECT count(*) FROM search_articledocument")
    total = cursor.fetchone()[0]
    if not whole:
        return total, {}
    marks = ", ".join(["%s"] * len(whole))
    cursor.execute(
        f"SELECT term, doc FROM search_article_vocab WHERE term IN ({marks})",  # noqa: S608
        whole,
    )
    return total, {**dict.fromkeys(whole, 0), **dict(cursor.fetchall())}


def _without_common(
    terms: list[tuple[str, bool]], total: int, frequencies: dict[str, int]
) -> list[tuple[str, bool]]:
    """The terms without the common ones (prefixes always stay); the two rarest when every
    term is common."""
    if not total:
        return terms
    rare = [(t, p) for t, p in terms if p or frequencies.get(t, 0) <= COMMON * total]
    if rare:
        return rare
    return sorted(terms, key=lambda term: frequencies.get(term[0], 0))[:2]


def _postgres(cursor, terms, stats, where, params, limit) -> list[ArticleHit]:  # type: ignore[no-untyped-def]
    total, frequencies = stats
    queries = [_tsquery(term) for term in terms]
    idf = [rerank_idf(total, frequencies[q]) for q in queries]
    # ts_rank's weights are {D, C, B, A}: body, -, tags, title.
    title, tags, body = WEIGHTS
    weights = "{%s, 0, %s, %s}" % (body / title, tags / title, 1.0)  # noqa: UP031
    score = " + ".join(
        f"%s * ts_rank('{weights}', d.vector, to_tsquery('simple', %s), 1)" for _ in queries
    )
    args = [x for pair in zip(idf, queries, strict=True) for x in pair]
    cursor.execute(
        f"SELECT d.translation_id, d.article_id, d.language, {score} AS rank "  # noqa: S608
        "FROM search_articledocument d "
        f"WHERE d.vector @@ to_tsquery('simple', %s) AND {where} "
        "ORDER BY rank DESC, d.translation_id LIMIT %s",
        [*args, " | ".join(f"({q})" for q in queries), *params, limit],
    )
    return [ArticleHit(r[0], r[1], r[2], round(float(r[3]), 4)) for r in cursor.fetchall()]


def _tsquery(term: tuple[str, bool]) -> str:
    # Terms hold only \w characters (stemming.words), so no tsquery operator gets in.
    return term[0] + (":*" if term[1] else "")


def _postgres_frequencies(
    cursor: Any, terms: list[tuple[str, bool]], where: str, params: list
) -> tuple[int, dict[Any, int]]:
    """The number of documents the reader may find, and of those holding each term (keyed
    by the term tuple and by its tsquery)."""
    queries = [_tsquery(term) for term in terms]
    counts = ", ".join(
        "count(*) FILTER (WHERE d.vector @@ to_tsquery('simple', %s))" for _ in queries
    )
    cursor.execute(
        f"SELECT count(*), {counts} FROM search_articledocument d WHERE {where}",  # noqa: S608
        [*queries, *params],
    )
    total, *found = cursor.fetchone()
    frequencies: dict[Any, int] = {}
    for term, query, df in zip(terms, queries, found, strict=True):
        frequencies[term[0]] = frequencies[query] = df
    return total, frequencies


def correct(words: list[str]) -> tuple[list[str], bool, bool]:
    """Replace each word that no article holds by the closest word that one does, within
    one typo (an insertion, deletion, substitution or swap). The last word is left alone
    when it is the start of a known word: the visitor is still typing it. Returns the
    words, whether any changed, and whether the last one is such a start."""
    known = set(ArticleWord.objects.filter(word__in=words).values_list("word", flat=True))
    out, changed, partial = [], False, False
    for i, word in enumerate(words):
        if word in known or word.isdigit():
            out.append(word)
            continue
        if i == len(words) - 1 and _starts_a_word(word):
            out.append(word)
            partial = True
            continue
        if len(word) < 3:
            out.append(word)
            continue
        better = _closest(word)
        changed |= better != word
        out.append(better)
    return out, changed, partial


def _starts_a_word(prefix: str) -> bool:
    return ArticleWord.objects.filter(word__gt=prefix, word__lt=prefix + "\uffff").exists()


def _closest(word: str) -> str:
    # One typo keeps the first or the second letter in place (or swaps them).
    near = ArticleWord.objects.annotate(second=Substr("word", 2, 1)).filter(
        Q(word__startswith=word[0]) | Q(word__startswith=word[1]) | Q(second=word[1]),
        length__gte=len(word) - 1,
        length__lte=len(word) + 1,
    )
    candidates = list(near.values_list("word", flat=True))
    best = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=1)
    return best[0] if best else word
