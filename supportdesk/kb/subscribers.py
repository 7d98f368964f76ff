"""What the knowledge base learns from tickets: agents' replies that link an article."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from supportdesk.kb.models import Article, ReplyLink
from supportdesk.tickets.models import EventKind, TicketEvent

FEEDBACK_KIND = "kb_feedback"
# A help-center article link, with or without the host: /help/articles/<slug>/
ARTICLE_LINK = re.compile(r"/help/articles/([a-z0-9][a-z0-9_-]*)", re.IGNORECASE)


def count_article_links(events: Sequence[TicketEvent]) -> None:
    """After a reply commits: each article its public text links counts once per reply."""
    found: dict[int, set[str]] = {}
    tickets: dict[int, int] = {}
    for event in events:
        message = event.message
        if event.kind != EventKind.MESSAGE or message is None or not message.public:
            continue
        if not getattr(message.author, "is_agent", False):
            continue
        slugs = {s.lower() for s in ARTICLE_LINK.findall(f"{message.body}\n{message.html}")}
        if slugs:
            found[message.pk] = slugs
            tickets[message.pk] = event.ticket_id
    if found:
        record_links(found, tickets)


def record_links(found: dict[int, set[str]], tickets: dict[int, int]) -> None:
    every = set().union(*found.values())
    ids = dict(Article.objects.filter(slug__in=every).values_list("slug", "pk"))
    ReplyLink.objects.bulk_create(
        [
            ReplyLink(article_id=ids[slug], ticket_id=tickets[message_id], message_id=message_id)
            for message_id, slugs in found.items()
            for slug in sorted(slugs)
            if slug in ids
        ],
        ignore_conflicts=True,
    )
    links = (
        ReplyLink.objects.filter(article_id=OuterRef("pk"))
        .values("article_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    Article.objects.filter(pk__in=ids.values()).update(
        linked_in_replies=Coalesce(Subquery(links), 0)
    )
