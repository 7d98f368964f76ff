"""The demo's help center: public articles in every category, internal ones for agents
only, German translations, a findable password article, popular and overdue articles,
and no duplicates when the demo is loaded again."""

from __future__ import annotations

import pytest
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.demo.helpcenter import ARTICLES, CATEGORIES, GERMAN
from supportdesk.kb.models import Article, Category, Feedback, Section, State, Visibility
from supportdesk.kb.queries import (
    access_article,
    help_center_articles,
    popular,
    stale_for,
    translation_of,
)
from supportdesk.kb.search import search
from supportdesk.lib.errors import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The demo loaded twice (as `supportdesk demo --force` would), committed for real,
    then removed again."""
    from supportdesk.demo.loader import load_demo

    with django_db_blocker.unblock():
        load_demo(scale=0.05)
        yield load_demo(scale=0.05)
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


def test_every_category_has_published_public_articles(demo):  # type: ignore[no-untyped-def]
    names = [name for name, _about, _sections in CATEGORIES]
    assert list(Category.objects.values_list("name", flat=True)) == names
    public = help_center_articles(None)
    for category in Category.objects.all():
        assert public.filter(section__category=category).count() >= 3, category.name
    body = translation_of(Article.objects.get(slug="change-your-plan"), "en")
    assert "<table>" in body.html and "<ol>" in body.html


def test_internal_draft_and_archived_articles_stay_out_of_the_help_center(demo):  # type: ignore[no-untyped-def]
    internal = Article.objects.filter(visibility=Visibility.INTERNAL)
    assert set(internal.values_list("slug", flat=True)) == {
        "refund-approval-limits",
        "verify-identity-before-2fa-reset",
    }
    assert all(a.state == State.PUBLISHED for a in internal)
    assert Article.objects.filter(state=State.DRAFT).count() == 1
    assert Article.objects.filter(state=State.ARCHIVED).count() == 1
    hidden = Article.objects.exclude(state=State.PUBLISHED) | internal
    for article in hidden:
        with pytest.raises(NotFound):
            access_article(None, slug=article.slug)
    agent = User.objects.get(email="agent@example.com")
    assert access_article(agent, slug="refund-approval-limits").pk
    found = [
        r.article.slug for r in search("refund approval limits", user=None, language="en").results
    ]
    assert "refund-approval-limits" not in found and "refunds" in found
    found = [
        r.article.slug for r in search("refund approval limits", user=agent, language="en").results
    ]
    assert found[0] == "refund-approval-limits"


def test_german_translations_are_read_in_german(demo):  # type: ignore[no-untyped-def]
    for slug, (title, _body) in GERMAN.items():
        article = Article.objects.get(slug=slug)
        assert translation_of(article, "de").title == title
        assert translation_of(article, "fr").language == "en"
    found = search("Passwort vergessen", user=None, language="de")
    assert found.results[0].article.slug == "reset-your-password"
    assert found.results[0].translation.language == "de"


def test_visitor_search_for_reset_password_finds_the_password_article_first(demo):  # type: ignore[no-untyped-def]
    found = search("reset password", user=None, language="en")
    assert found.results[0].article.slug == "reset-your-password"
    assert found.results[0].translation.title == "Reset your password"


def test_popular_articles_and_votes_follow_the_demo_data(demo):  # type: ignore[no-untyped-def]
    articles = {a.slug: a for a in Article.objects.all()}
    for doc in ARTICLES:
        article = articles[doc.slug]
        assert (article.views, article.helpful_yes, article.helpful_no) == (doc.views, *doc.votes)
        owner = article.owner
        assert owner is not None and owner.email == doc.owner
    assert Feedback.objects.filter(user__isnull=True).count() == sum(
        sum(doc.votes) for doc in ARTICLES
    )
    top = [a.slug for a in popular(None, limit=3)]
    assert top == ["reset-your-password", "download-invoices", "two-factor-sign-in"]


def test_an_owner_has_an_article_due_for_review(demo):  # type: ignore[no-untyped-def]
    agent = User.objects.get(email="agent@example.com")
    assert [a.slug for a in stale_for(agent)] == ["api-tokens-and-rate-limits"]
    # Only that one: the rest were written just now, due in KB_REVIEW_DAYS.
    assert Article.objects.filter(review_by__lt=timezone.localdate()).count() == 1


def test_loading_the_demo_again_adds_no_articles(demo):  # type: ignore[no-untyped-def]
    assert Article.objects.count() == len(ARTICLES)
    assert Category.objects.count() == len(CATEGORIES)
    assert Section.objects.count() == sum(len(sections) for _n, _d, sections in CATEGORIES)
    assert sorted(Article.objects.values_list("slug", flat=True)) == sorted(
        doc.slug for doc in ARTICLES
    )
