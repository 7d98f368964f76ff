"""Full-text search of tickets on the database engine in use.

One interface, two engines: SQLite FTS5 (bm25 ranking, prefix match on the last word) and
PostgreSQL full-text search (ts_rank_cd over weighted tsvectors, prefix on the last word).
Both match documents that hold every word of the query.
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


def _fts5_query(words: list[str], *, public_only: bool) -> str:
    # Each word is quoted, so FTS5 syntax in user input (AND, NEAR, column:) is inert.
    terms = [f'"{w}"' for w in words]
    terms[-1] += "*"
    body = " AND ".join(terms)
    return f"{{subject public_text}} : ({body})" if public_only else body


def _tsquery(words: list[str]) -> str:
    # Only \w characters reach here, so no tsquery operator can be injected.
    terms = list(words)
    terms[-1] += ":*"
    return " & ".join(terms)


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
    if connection.vendor == "postgresql":
        return _search_postgres(words, public_only, restrict_sql, restrict_params, limit, offset)
    return _search_sqlite(words, public_only, restrict_sql, restrict_params, limit, offset)


def _search_sqlite(
    words: list[str], public_only: bool, restrict: str, params: list, limit: int, offset: int
) -> list[int]:
    matches = "FROM search_ticket_fts WHERE search_ticket_fts MATCH %s"
    args: list = [_fts5_query(words, public_only=public_only)]
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


def _search_postgres(
    words: list[str], public_only: bool, restrict: str, params: list, limit: int, offset: int
) -> list[int]:
    # Only the column name is formatted in, from the two fixed names here.
    vector = "public_vector" if public_only else "all_vector"
    matches = f"FROM search_ticketdocument WHERE {vector} @@ to_tsquery('english', %s)"
    args: list = [_tsquery(words)]
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
