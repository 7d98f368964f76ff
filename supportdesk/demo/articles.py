"""Write the demo's help center (`helpcenter/`) through the knowledge-base services:
categories, sections, articles in every state and visibility, two German translations, one
article overdue for review, and the views and votes that make "popular" mean something.
Fixed data, so every load gives the same help center."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.demo.helpcenter import ARTICLES, CATEGORIES, GERMAN, Doc
from supportdesk.kb import services
from supportdesk.kb.feedback import record_feedback
from supportdesk.kb.models import Article, Section
from supportdesk.kb.services import AUTHORS

STALE_DAYS = 21  # how long ago the stale article was due for review


def load_articles(*, staff: Mapping[str, User]) -> int:
    """Write the demo help center and return how many articles it made. Does nothing
    when the knowledge base already has articles: a second demo load, or a desk whose
    team has started its own, keeps what is there."""
    if Article.objects.exists():
        return 0
    authors = [u for u in staff.values() if u.role in AUTHORS and u.is_active]
    if not authors:
        return 0
    author = next((u for u in authors if u.email == "admin@example.com"), authors[0])
    with transaction.atomic():
        sections = _structure(author)
        made = {doc.slug: _write(doc, sections, author, staff) for doc in ARTICLES}
        for slug, (title, body) in GERMAN.items():
            services.save_translation(
                made[slug], by=author, language="de", title=title, body=body, note="Übersetzt"
            )
        for doc in ARTICLES:
            _readers(made[doc.slug], doc)
    return len(made)


def _structure(author: User) -> dict[str, Section]:
    sections = {}
    for position, (name, description, rows) in enumerate(CATEGORIES):
        category = services.save_category(
            by=author, name=name, description=description, position=position
        )
        for place, (section_name, about) in enumerate(rows):
            sections[section_name] = services.save_section(
                by=author, category=category, name=section_name, description=about,
                position=place,
            )  # fmt: skip
    return sections


def _write(
    doc: Doc, sections: dict[str, Section], author: User, staff: Mapping[str, User]
) -> Article:
    owner = staff.get(doc.owner)
    if owner is None or owner.role not in AUTHORS or not owner.is_active:
        owner = author  # a demo login reused from before the demo may have changed role
    review_by = None
    if doc.stale:
        review_by = timezone.localdate() - dt.timedelta(days=STALE_DAYS)
    return services.create_article(
        by=author, section=sections[doc.section], title=doc.title, body=doc.body,
        slug=doc.slug, tags=doc.tags, owner=owner, visibility=doc.visibility,
        state=doc.state, review_by=review_by,
    )  # fmt: skip


def _readers(article: Article, doc: Doc) -> None:
    """Views and anonymous votes, so "popular" and the helpfulness figures mean something."""
    for _ in range(doc.views):
        services.record_view(article)
    yes, no = doc.votes
    for helpful in [True] * yes + [False] * no:
        record_feedback(article, helpful=helpful, user=None)
