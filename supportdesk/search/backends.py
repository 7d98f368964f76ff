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
    """Ticket numbers matching `query`, best first. `within` is a queryset of tickets to
    restrict to (visibility and filters); None means every ticket in the index."""
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
    sql = "SELECT rowid FROM search_ticket_fts WHERE search_ticket_fts MATCH %s"
    args: list = [_fts5_query(words, public_only=public_only)]
    if restrict:
        sql += f" AND rowid IN ({restrict})"
        args += params
    # Column weights: subject, public text, private text.
    sql += " ORDER BY bm25(search_ticket_fts, 4.0, 1.0, 1.0) LIMIT %s OFFSET %s"
    args += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [row[0] for row in cursor.fetchall()]


def _search_postgres(
    words: list[str], public_only: bool, restrict: str, params: list, limit: int, offset: int
) -> list[int]:
    vector = "public_vector" if public_only else "all_vector"
    # Only the column name is formatted in, from the two fixed names above.
    sql = (
        "SELECT ticket_id FROM search_ticketdocument, to_tsquery('english', %s) q "  # noqa: S608
        f"WHERE {vector} @@ q"
    )
    args: list = [_tsquery(words)]
    if restrict:
        sql += f" AND ticket_id IN ({restrict})"
        args += params
    sql += f" ORDER BY ts_rank_cd({vector}, q) DESC, ticket_id DESC LIMIT %s OFFSET %s"
    args += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [row[0] for row in cursor.fetchall()]
