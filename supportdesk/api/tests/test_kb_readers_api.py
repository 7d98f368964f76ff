"""/api/v1/kb: readers' feedback and search over HTTP."""

from __future__ import annotations

import pytest

from supportdesk.kb import services
from supportdesk.kb.models import Article, Feedback
from supportdesk.notify.models import Notification


@pytest.fixture
def section(admin):  # type: ignore[no-untyped-def]
    category = services.save_category(by=admin, name="Billing")
    return services.save_section(by=admin, category=category, name="Invoices")


@pytest.fixture
def publish(admin, alice, section):  # type: ignore[no-untyped-def]
    """publish(title, body, **options): a published article owned by alice."""

    def make(title: str, body: str = "", **options):  # type: ignore[no-untyped-def]
        options.setdefault("state", "published")
        options.setdefault("owner", alice)
        return services.create_article(
            by=admin, section=section, title=title, body=body or title, **options
        )

    return make


def test_a_customer_votes_and_a_comment_notifies_the_owner(as_user, alice, carol, publish):
    article = publish("Download an invoice", "Open Billing.")
    client = as_user(carol)
    vote = client.post(f"/kb/articles/{article.pk}/feedback", {"helpful": True})
    assert vote.status_code == 201, vote.json()
    got = vote.json()
    assert got["article"] == {"id": article.pk, "name": "Download an invoice"}
    assert (got["helpful"], got["comment"], got["language"]) == (True, "", "en")
    assert (got["helpful_yes"], got["helpful_no"]) == (1, 0)
    assert not Notification.objects.exists()

    comment = client.post(
        f"/kb/articles/{article.pk}/feedback",
        {"helpful": False, "comment": "The button is gone."},
    )
    assert comment.status_code == 201
    assert (comment.json()["helpful_yes"], comment.json()["helpful_no"]) == (1, 1)
    fresh = Article.objects.get()
    assert (fresh.helpful_yes, fresh.helpful_no) == (1, 1)
    note = Notification.objects.get()
    assert note.user == alice and "The button is gone." in note.text
    assert Feedback.objects.filter(user=carol).count() == 2
    got = as_user(alice).get(f"/kb/articles/{article.pk}").json()
    assert (got["helpful_yes"], got["helpful_no"]) == (1, 1)


def test_bad_feedback_is_refused(as_user, carol, publish):
    article = publish("Download an invoice")
    client = as_user(carol)
    long = client.post(
        f"/kb/articles/{article.pk}/feedback", {"helpful": True, "comment": "x" * 2001}
    )
    assert long.status_code == 400 and long.json()["detail"].startswith("comment:")
    assert client.post(f"/kb/articles/{article.pk}/feedback", {"comment": "hi"}).status_code == 422
    assert (
        client.post(
            f"/kb/articles/{article.pk}/feedback", {"helpful": True, "language": "?"}
        ).status_code
        == 400
    )
    assert client.post("/kb/articles/999999/feedback", {"helpful": True}).status_code == 404
    assert not Feedback.objects.exists()


def test_search_ranks_with_snippets_and_scores(as_user, carol, publish):
    first = publish("Change your billing address", "Open the account page and edit the address.")
    second = publish("Download an invoice", "Every invoice is in Billing. The address is on it.")
    publish("Printer setup", "Nothing about money here.")
    answer = as_user(carol).get("/kb/search", q="billing address")
    assert answer.status_code == 200, answer.json()
    got = answer.json()
    assert [h["id"] for h in got["items"]] == [first.pk, second.pk]
    top = got["items"][0]
    assert top["title"] == "Change your billing address" and top["language"] == "en"
    assert top["url"] == f"/help/articles/{first.slug}/" and top["slug"] == first.slug
    assert "<mark>" in top["snippet"] and isinstance(top["score"], float)
    assert got["items"][0]["score"] >= got["items"][1]["score"]
    assert got["corrected_query"] is None
    assert len(as_user(carol).get("/kb/search", q="address", limit=1).json()["items"]) == 1


def test_search_corrects_typos_and_says_so(as_user, carol, publish):
    article = publish("Cancel a subscription", "Go to Plans and press Cancel.")
    got = as_user(carol).get("/kb/search", q="cancle subscriptoin").json()
    assert [h["id"] for h in got["items"]] == [article.pk]
    assert got["corrected_query"] == "cancel subscription"


def test_search_shows_customers_only_published_public_articles(
    as_user, admin, alice, carol, section, publish
):
    public = publish("Refund policy", "Refunds within 30 days.")
    internal = publish("Refund override", "Internal refunds.", visibility="internal")
    draft = services.create_article(by=admin, section=section, title="Refund draft", body="Refund")
    reader = as_user(carol)
    for drafts in ("false", "true"):
        found = reader.get("/kb/search", q="refund", drafts=drafts).json()["items"]
        assert [h["id"] for h in found] == [public.pk]
    agent = as_user(alice)
    assert {h["id"] for h in agent.get("/kb/search", q="refund").json()["items"]} == {
        public.pk,
        internal.pk,
    }
    with_drafts = agent.get("/kb/search", q="refund", drafts="true").json()["items"]
    assert draft.pk in {h["id"] for h in with_drafts}


def test_search_reads_in_the_asked_language_and_refuses_bad_input(as_user, admin, carol, publish):
    article = publish("Export data", "Export as CSV.")
    services.save_translation(
        article, by=admin, language="fr", title="Exporter", body="Export CSV."
    )
    client = as_user(carol)
    french = client.get("/kb/search", q="export", language="fr").json()["items"]
    assert [(h["title"], h["language"]) for h in french] == [("Exporter", "fr")]
    assert client.get("/kb/search", q="export", language="<x>").status_code == 400
    assert client.get("/kb/search", q="").status_code == 422
    assert client.get("/kb/search", q="export", limit=51).status_code == 422
    for query in ['"', "NEAR(", "a* OR", "-", "'); DROP TABLE x; --"]:
        assert client.get("/kb/search", q=query).status_code == 200
