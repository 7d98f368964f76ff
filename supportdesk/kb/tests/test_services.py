"""The knowledge base's writers: who may write, what they check, and what they keep."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from supportdesk.kb import services
from supportdesk.kb.models import Revision, State, Translation
from supportdesk.lib.errors import DomainError, NotFound, PermissionDenied


def test_an_article_is_created_with_its_first_revision_and_rendered_text(admin, section):
    article = services.create_article(
        by=admin, section=section, title="  Reset   your password ", body="Click **Reset**."
    )
    translation = article.translations.get()
    assert translation.title == "Reset your password"
    assert translation.html == "<p>Click <strong>Reset</strong>.</p>\n"
    assert translation.text == "Click Reset."
    assert article.slug == "reset-your-password"
    assert article.state == State.DRAFT and article.owner == admin
    assert article.review_by == timezone.localdate() + dt.timedelta(days=180)
    assert [r.note for r in Revision.objects.filter(article=article)] == ["Created"]


def test_slugs_stay_unique(admin, section):
    first = services.create_article(by=admin, section=section, title="Refunds", body="a")
    second = services.create_article(by=admin, section=section, title="Refunds", body="b")
    assert (first.slug, second.slug) == ("refunds", "refunds-2")


@pytest.mark.parametrize("who", ["carol", "lena"])
def test_customers_and_light_agents_may_not_write(request, who, section):
    with pytest.raises(PermissionDenied):
        services.create_article(
            by=request.getfixturevalue(who), section=section, title="x", body="y"
        )


def test_bad_input_is_refused_with_the_field_named(admin, section, carol):
    with pytest.raises(DomainError, match="title"):
        services.create_article(by=admin, section=section, title="  ", body="y")
    with pytest.raises(DomainError, match="language"):
        services.create_article(by=admin, section=section, title="x", body="y", language="e n!")
    with pytest.raises(DomainError, match="body"):
        services.create_article(by=admin, section=section, title="x", body="y" * 200_001)
    with pytest.raises(DomainError, match="visibility"):
        services.create_article(by=admin, section=section, title="x", body="y", visibility="all")
    with pytest.raises(DomainError, match="owner"):
        services.create_article(by=admin, section=section, title="x", body="y", owner=carol)


def test_every_change_of_text_is_a_revision_and_restore_brings_it_back(admin, alice, section):
    article = services.create_article(by=admin, section=section, title="Export", body="Old way.")
    services.save_translation(article, by=alice, language="en", title="Export", body="New way.")
    services.save_translation(article, by=alice, language="en", title="Export", body="New way.")
    revisions = list(Revision.objects.filter(article=article).order_by("id"))
    assert [r.body for r in revisions] == ["Old way.", "New way."]  # the no-op save kept none
    services.restore_revision(article, by=alice, revision_id=revisions[0].pk)
    assert article.translations.get().body == "Old way."
    newest = Revision.objects.filter(article=article).latest("id")
    assert newest.body == "Old way." and newest.note.startswith("Restored the version of")
    with pytest.raises(NotFound):
        services.restore_revision(article, by=alice, revision_id=10**9)


def test_translations_are_added_and_the_default_one_cannot_be_deleted(admin, section):
    article = services.create_article(by=admin, section=section, title="Hello", body="Hi")
    services.save_translation(article, by=admin, language="de", title="Hallo", body="Servus")
    assert set(Translation.objects.filter(article=article).values_list("language", flat=True)) == {
        "en",
        "de",
    }
    with pytest.raises(DomainError):
        services.delete_translation(article, by=admin, language="en")
    services.delete_translation(article, by=admin, language="de")
    with pytest.raises(DomainError, match="no fr translation"):
        services.update_article(article, by=admin, default_language="fr")


def test_publishing_stamps_the_first_publication_only(admin, section):
    article = services.create_article(by=admin, section=section, title="A", body="b")
    services.set_state(article, by=admin, state=State.PUBLISHED)
    first = article.published_at
    services.set_state(article, by=admin, state=State.ARCHIVED)
    services.set_state(article, by=admin, state=State.PUBLISHED)
    assert article.published_at == first is not None


def test_structure_that_holds_articles_cannot_be_deleted(admin, section):
    services.create_article(by=admin, section=section, title="A", body="b")
    with pytest.raises(DomainError, match="still holds articles"):
        services.delete_section(section, by=admin)
    with pytest.raises(DomainError, match="still holds articles"):
        services.delete_category(section.category, by=admin)


def test_update_refuses_unknown_fields_and_cleans_tags(admin, section):
    article = services.create_article(by=admin, section=section, title="A", body="b")
    services.update_article(article, by=admin, tags=["Billing", " billing ", "VAT  rates"])
    assert article.tags == ["billing", "vat rates"]
    with pytest.raises(DomainError, match="cannot change"):
        services.update_article(article, by=admin, views=10**6)
