"""Self-service figures: what visitors search for, what they find, and requests that were
never filed because a suggested article answered them.

A visitor who opens an article suggested while writing a request and files no request
within `WINDOW` counts as deflected. Only opens whose window has passed are counted, so
today's figures do not look better than they are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from supportdesk.kb.models import Article, SearchLog, SuggestionOpen

WINDOW = dt.timedelta(hours=24)
HELP, FORM = "help", "form"


def normalise(query: str) -> str:
    return " ".join((query or "").lower().split())[:200]


def log_search(query: str, *, results: int, corrected: bool, where: str = HELP) -> SearchLog | None:
    text = normalise(query)
    if not text:
        return None
    return SearchLog.objects.create(query=text, results=results, corrected=corrected, where=where)


def mark_clicked(log_id: int) -> None:
    SearchLog.objects.filter(pk=log_id).update(clicked=True)


def record_suggestion_open(visitor: str, article: Article) -> SuggestionOpen:
    return SuggestionOpen.objects.create(visitor=visitor[:64], article=article)


def record_request_filed(visitor: str, number: int) -> int:
    """A request was filed: suggestions this visitor opened in the last day did not
    answer it."""
    since = timezone.now() - WINDOW
    return SuggestionOpen.objects.filter(
        visitor=visitor, opened_at__gte=since, request_number__isnull=True
    ).update(request_number=number)


@dataclass
class Deflection:
    visitors: int  # visitors who opened a suggestion (window passed)
    deflected: int  # of them, those who filed no request within the window
    rate: float | None


def deflection(*, days: int = 30, now: dt.datetime | None = None) -> Deflection:
    now = now or timezone.now()
    opens = SuggestionOpen.objects.filter(
        opened_at__gte=now - dt.timedelta(days=days), opened_at__lt=now - WINDOW
    )
    figures = opens.aggregate(
        visitors=Count("visitor", distinct=True),
        filed=Count("visitor", distinct=True, filter=Q(request_number__isnull=False)),
    )
    visitors, filed = figures["visitors"], figures["filed"]
    deflected = visitors - filed
    return Deflection(visitors, deflected, round(deflected / visitors, 3) if visitors else None)


def top_searches(*, days: int = 30, limit: int = 20) -> list[dict]:
    since = timezone.now() - dt.timedelta(days=days)
    return list(
        SearchLog.objects.filter(created_at__gte=since, where=HELP)
        .values("query")
        .annotate(
            searches=Count("id"),
            clicks=Count("id", filter=Q(clicked=True)),
            empty=Count("id", filter=Q(results=0)),
        )
        .order_by("-searches", "query")[:limit]
    )


def knowledge_gaps(*, days: int = 30, limit: int = 20) -> list[dict]:
    """Searches with no good result: nothing found, only found by correcting a typo, or
    no result opened. The articles to write next."""
    since = timezone.now() - dt.timedelta(days=days)
    return list(
        SearchLog.objects.filter(created_at__gte=since, where=HELP)
        .values("query")
        .annotate(
            searches=Count("id"),
            empty=Count("id", filter=Q(results=0)),
            clicks=Count("id", filter=Q(clicked=True)),
        )
        .filter(clicks=0)
        .order_by("-empty", "-searches", "query")[:limit]
    )
