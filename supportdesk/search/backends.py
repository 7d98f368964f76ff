"""Full-text search of tickets on the database engine in use.

One interface, two engines: SQLite FTS5 (bm25 ranking, prefix match on the last word) and
PostgreSQL full-text search (ts_rank_cd over weighted tsvectors, prefix on the last word).
Both match documents that hold every word of the query; when no ticket holds them all,
tickets holding any of them, ranked the same way.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import QuerySet

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 12
# Ranking scores every candidate, and a common word matches a quarter of a million tickets
# at 1M; so results are the best-ranked among the newest RANK_WINDOW matches, which keeps
# a search under a few tens of milliseconds and favours current tickets.
RANK_WINDOW = 5000


def words_of(query: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(query or "")][:MAX_WORDS]


def _fts5_query(words: list[str], *, public_only: bool, any_word: bool = False) -> str:
    # Each word is quoted, so FTS5 syntax in user input (AND, NEAR, column:) is inert.
    terms = [f'"{w}"' for w in words]
    terms[-1] += "*"
    body = (" OR " if any_word else " AND ").join(terms)
    return f"{{subject public_text}} : ({body})" if public_only else body


def _tsquery(words: list[str], any_word: bool = False) -> str:
    # Only \w characters reach here, so no tsquery operator can be injected.
    terms = list(words)
    terms[-1] += ":*"
    return (" | " if any_word else " & ").join(terms)


def search_ticket_numbers(
    query: str, *, public_only: bool, within: QuerySet | None, limit: int, offset: int
) -> list[int]:
    """Ticket numbers matching `query`, best first among the newest `RANK_WINDOW` matches.
    `within` is a queryset of tickets to restrict to (visibility and filters); None means
    every ticket in the index."""
    words = words_of(query)
    if not words:
        return []
    restrict_sql, restrict_params = "", []
    if within is not None:
        sub_sql, sub_params = within.values("number").query.sql_with_params()
        restrict_sql, restrict_params = sub_sql, list(sub_params)
    engine = _search_postgres if connection.vendor == "postgresql" else _search_sqlite
    found = engine(words, public_only, restrict_sql, restrict_params, limit, offset, False)
    if found or len(words) < 2:
        return found
    # Nothing on this page: past the last ticket with every word, or none has them all.
    if offset and engine(words, public_only, restrict_sql, restrict_params, 1, 0, False):
        return []
    return engine(words, public_only, restrict_sql, restrict_params, limit, offset, True)


def _search_sqlite(  # noqa: PLR0913
    words: list[str], public_only: bool, restrict: str, params: list, limit: int, offset: int,
    any_word: bool,
) -> list[int]:  # fmt: skip
    matches = "FROM search_ticket_fts WHERE search_ticket_fts MATCH %s"
    args: list = [_fts5_query(words, public_only=public_only, any_word=any_word)]
    if restrict:
        matches += f" AND rowid IN ({restrict})"
        args += params
    # Formatted in: fixed SQL and Django's own compiled subquery; values go as parameters.
    window = f"SELECT min(rowid) FROM (SELECT rowid {matches} ORDER BY rowid DESC LIMIT %s)"  # noqa: S608
    # Column weights: subject, public text, private text.
    sql = (
        f"SELECT rowid {matches} AND rowid >= ({window}) "
        "ORDER BY bm25(search_ticket_fts, 4.0, 1.0, 1.0) LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*args, *args, RANK_WINDOW, limit, offset])
        return [row[0] for row in cursor.fetchall()]


def _search_postgres(  # noqa: PLR0913
    words: list[str], public_only: bool, restrict: str, params: list, limit: int, offset: int,
    any_word: bool,
) -> list[int]:  # fmt: skip
    # Only the column name is formatted in, from the two fixed names here.
    vector = "public_vector" if public_only else "all_vector"
    matches = f"FROM search_ticketdocument WHERE {vector} @@ to_tsquery('english', %s)"
    args: list = [_tsquery(words, any_word)]
    if restrict:
        matches += f" AND ticket_id IN ({restrict})"
        args += params
    window = (
        f"SELECT min(ticket_id) FROM (SELECT ticket_id {matches} "  # noqa: S608 (see above)
        "ORDER BY ticket_id DESC LIMIT %s) newest"
    )
    sql = (
        f"SELECT ticket_id {matches} AND ticket_id >= ({window}) "
        f"ORDER BY ts_rank_cd({vector}, to_tsquery('english', %s)) DESC, ticket_id DESC "
        "LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*args, *args, RANK_WINDOW, args[0], limit, offset])
        return [row[0] for row in cursor.fetchall()]
