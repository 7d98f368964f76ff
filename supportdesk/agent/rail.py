"""The left rail: every queue of an agent with its count.

Counts are capped (see queues.queries.COUNT_CAP) and cached for a short while per agent,
so a page view costs at most a few index range scans, and usually none: the page renders
the cached counts, and the rail asks for fresh ones after the page is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from supportdesk.accounts.models import User
from supportdesk.queues.builtin import Queue, queues_for
from supportdesk.queues.queries import capped_count

COUNT_TTL_SECONDS = 30


@dataclass
class RailEntry:
    key: str
    name: str
    section: str
    count: int | None
    more: bool


def _cache_key(user: User, key: str) -> str:
    return f"rail:{user.pk}:{key}"


def rail_entries(user: User, *, compute: bool = False) -> list[RailEntry]:
    """The rail's queues; counts from the cache, or computed (and cached) when asked."""
    queues = queues_for(user)
    cached = cache.get_many([_cache_key(user, q.key) for q in queues])
    entries = []
    fresh: dict[str, tuple[int, bool]] = {}
    for queue in queues:
        found = cached.get(_cache_key(user, queue.key))
        if compute:
            found = _count(queue)
            fresh[_cache_key(user, queue.key)] = found
        count, more = found if found else (None, False)
        entries.append(RailEntry(queue.key, queue.name, queue.section, count, more))
    if fresh:
        cache.set_many(fresh, COUNT_TTL_SECONDS)
    return entries


def _count(queue: Queue) -> tuple[int, bool]:
    return capped_count(queue.tickets())


def forget_counts(user: User) -> None:
    """After the agent changes tickets, their next page shows counts that include it."""
    cache.delete_many([_cache_key(user, q.key) for q in queues_for(user)])


def sections(entries: list[RailEntry]) -> list[tuple[str, list[RailEntry]]]:
    grouped: dict[str, list[RailEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.section, []).append(entry)
    return list(grouped.items())
