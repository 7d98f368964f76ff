"""/api/v1/kb: categories, sections and articles over HTTP, and who sees which."""

from __future__ import annotations

import pytest

from supportdesk.kb import services
from supportdesk.kb.models import Article, Category, Revision, Section


@pytest.fixture
def section(admin):  # type: ignore[no-untyped-def]
    category = services.save_category(by=admin, name="Billing")
    return services.save_section(by=admin, category=category, name="Invoices")


@pytest.fixture
def article(admin, alice, section):  # type: ignore[no-untyped-def]
    """A published public article owned by alice."""
    return services.create_article(
        by=admin, section=section, title="Download an invoice", body="Open **Billing**.",
        owner=alice, state="published", tags=["invoice"],
    )  # fmt: skip


def test_agent_creates_reads_changes_and_deletes_categories_and_sections(as_user, alice):
    client = as_user(alice)
    created = client.post("/kb/categories", {"name": "Getting started", "position": 2})
    assert created.status_code == 201, created.json()
    category = created.json()
    assert category["slug"] == "getting-started" and category["position"] == 2
    assert category["url"] == "/help/categories/getting-started/"
    section = client.post("/kb/sections", {"name": "Accounts", "category": "getting-started"})
    assert section.status_code == 201, section.json()
    assert section.json()["category"] == {"id": category["id"], "name": "Getting started"}
    by_id = client.post("/kb/sections", {"name": "Logins", "category": category["id"]})
    assert by_id.status_code == 201

    listed = client.get("/kb/sections", category=category["id"]).json()
    assert [s["name"] for s in listed["items"]] == ["Accounts", "Logins"]
    assert listed["next"] is None
    assert client.get(f"/kb/categories/{category['id']}").json()["name"] == "Getting started"

    patched = client.patch(f"/kb/categories/{category['id']}", {"description": "First steps"})
    assert patched.status_code == 200, patched.json()
    assert patched.json()["name"] == "Getting started"
    assert patched.json()["description"] == "First steps"
    moved = client.patch(f"/kb/sections/{by_id.json()['id']}", {"name": "Sign-in"})
    assert moved.json()["name"] == "Sign-in" and moved.json()["category"]["id"] == category["id"]

    assert client.delete(f"/kb/sections/{by_id.json()['id']}").status_code == 204
    assert client.delete(f"/kb/categories/{category['id']}").status_code == 204
    assert not Category.objects.exists() and not Section.objects.exists()
    assert client.get(f"/kb/categories/{category['id']}").status_code == 404


def test_structure_refuses_unknown_references_and_deleting_what_holds_articles(
    as_user, alice, article, section
):
    client = as_user(alice)
    unknown = client.post("/kb/sections", {"name": "X", "category": "Nope"})
    assert unknown.status_code == 400
    assert unknown.json() == {"detail": "category: no category 'Nope'"}
    full = client.delete(f"/kb/sections/{section.pk}")
    assert full.status_code == 400 and "still holds articles" in full.json()["detail"]
    assert client.delete(f"/kb/categories/{section.category_id}").status_code == 400
    assert client.post("/kb/categories", {"name": ""}).status_code == 422
    assert client.post("/kb/categories", {"name": "X", "colour": "red"}).status_code == 422


def test_customers_and_light_agents_read_the_structure_but_may_not_change_it(
    as_user, carol, lena, section
):
    for person in (carol, lena):
        client = as_user(person)
        assert [c["name"] for c in client.get("/kb/categories").json()["items"]] == ["Billing"]
        assert client.get(f"/kb/sections/{section.pk}").json()["name"] == "Invoices"
        assert client.post("/kb/categories", {"name": "Mine"}).status_code == 403
        assert client.patch(f"/kb/sections/{section.pk}", {"name": "Mine"}).status_code == 403
        assert client.delete(f"/kb/sections/{section.pk}").status_code == 403
    assert Section.objects.get().name == "Invoices"


def test_agent_creates_an_article_and_reads_the_whole_resource(as_user, alice, bob, section):
    client = as_user(alice)
    created = client.post(
        "/kb/articles",
        {
            "section": section.pk,
            "title": "Change your billing address",
            "body": "Open **Account** and edit the address.",
            "owner": bob.email,
            "tags": ["Billing", "address"],
            "review_by": "2030-01-31",
        },
    )
    assert created.status_code == 201, created.json()
    got = created.json()
    assert got["slug"] == "change-your-billing-address"
    assert got["url"] == "/help/articles/change-your-billing-address/"
    assert (got["state"], got["visibility"]) == ("draft", "public")
    assert got["section"] == {"id": section.pk, "name": "Invoices"}
    assert got["category"] == {"id": section.category_id, "name": "Billing"}
    assert got["owner"] == {"id": bob.pk, "name": "Bob Agent", "email": bob.email}
    assert (got["default_language"], got["languages"], got["language"]) == ("en", ["en"], "en")
    assert got["tags"] == ["billing", "address"] and got["review_by"] == "2030-01-31"
    assert got["title"] == "Change your billing address"
    assert got["body"] == "Open **Account** and edit the address."
    assert "<strong>Account</strong>" in got["html"]
    assert got["published_at"] is None and got["created_at"].endswith("+00:00")
    assert (got["views"], got["helpful_yes"], got["helpful_no"], got["linked_in_replies"]) == (
        0,
        0,
        0,
        0,
    )
    assert client.get(f"/kb/articles/{got['id']}").json() == got


def test_bad_article_input_is_a_4xx_that_names_the_field(as_user, alice, section):
    client = as_user(alice)
    base = {"section": section.pk, "title": "T", "body": "B"}

    def detail(**changes):  # type: ignore[no-untyped-def]
        answer = client.post("/kb/articles", {**base, **changes})
        assert answer.status_code == 400, answer.json()
        return answer.json()["detail"]

    assert detail(section=999) == "section: no section 999"
    assert detail(section="nowhere") == "section: no section 'nowhere'"
    assert detail(language="english!").startswith("language:")
    assert detail(body="x" * 200_001).startswith("body: at most")
    assert detail(title="   ").startswith("title:")
    assert detail(owner="carol@nowhere.test").startswith("owner:")
    assert client.post("/kb/articles", {**base, "state": "gone"}).status_code == 422
    assert client.post("/kb/articles", {**base, "visibility": "secret"}).status_code == 422
    assert client.post("/kb/articles", {"title": "T", "body": "B"}).status_code == 422
    assert client.get("/kb/articles", language="12").status_code == 400
    assert client.get("/kb/articles", section="nope").status_code == 400
    assert not Article.objects.exists()


def test_customers_never_see_drafts_or_internal_articles_and_may_not_write(
    as_user, admin, alice, carol, section, article
):
    draft = services.create_article(by=admin, section=section, title="Refund draft", body="x")
    internal = services.create_article(
        by=admin, section=section, title="Refund override", body="y", visibility="internal",
        state="published",
    )  # fmt: skip
    client = as_user(carol)
    assert [a["id"] for a in client.get("/kb/articles").json()["items"]] == [article.pk]
    assert client.get("/kb/articles", state="draft").json()["items"] == []
    for hidden in (draft, internal):
        assert client.get(f"/kb/articles/{hidden.pk}").status_code == 404
        assert client.get(f"/kb/articles/{hidden.pk}/translations").status_code == 404
        assert client.post(f"/kb/articles/{hidden.pk}/feedback", {"helpful": True}).status_code == (
            404
        )
        assert client.patch(f"/kb/articles/{hidden.pk}", {"title": "Mine"}).status_code == 403
        assert client.post(f"/kb/articles/{hidden.pk}/publish").status_code == 403
        assert client.delete(f"/kb/articles/{hidden.pk}").status_code == 403
    assert client.get(f"/kb/articles/{article.pk}").status_code == 200
    assert client.get(f"/kb/articles/{article.pk}/revisions").status_code == 403
    assert (
        client.post("/kb/articles", {"section": section.pk, "title": "x", "body": "y"}).status_code
        == 403
    )
    assert Article.objects.count() == 3

    agent = [a["id"] for a in as_user(alice).get("/kb/articles").json()["items"]]
    assert agent == [internal.pk, draft.pk, article.pk]


def test_html_is_sanitised(as_user, alice, section):
    body = (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3)) ![i](javascript:alert(4))"
    )
    got = as_user(alice).post(
        "/kb/articles", {"section": section.pk, "title": "<b>Hi</b>", "body": body}
    )
    html = got.json()["html"]
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html and 'src="javascript' not in html
    assert got.json()["title"] == "<b>Hi</b>" and got.json()["body"] == body


def test_patch_changes_shared_fields_and_text_in_one_call(as_user, alice, bob, admin, article):
    client = as_user(alice)
    other = services.save_section(by=admin, category=article.section.category, name="Refunds")
    patched = client.patch(
        f"/kb/articles/{article.pk}",
        {"section": "refunds", "owner": None, "tags": ["pdf"], "title": "Get an invoice"},
    )
    assert patched.status_code == 200, patched.json()
    got = patched.json()
    assert got["section"] == {"id": other.pk, "name": "Refunds"} and got["owner"] is None
    assert got["tags"] == ["pdf"] and got["title"] == "Get an invoice"
    assert got["body"] == "Open **Billing**."
    assert client.patch(f"/kb/articles/{article.pk}", {"visibility": None}).status_code == 422

    # A new language and making it the default, in one call.
    german = client.patch(
        f"/kb/articles/{article.pk}",
        {"language": "de", "title": "Rechnung", "body": "Öffnen", "default_language": "de"},
    )
    assert german.status_code == 200, german.json()
    assert german.json()["default_language"] == "de" and german.json()["languages"] == ["de", "en"]
    refused = client.patch(f"/kb/articles/{article.pk}", {"default_language": "fr", "tags": ["x"]})
    assert refused.status_code == 400
    assert Article.objects.get().tags == ["pdf"]  # the whole call was rolled back


def test_translations_and_language_fallback(as_user, alice, carol, article):
    client = as_user(alice)
    put = client.client.put(
        f"/api/v1/kb/articles/{article.pk}/translations/FR",
        '{"title": "Télécharger une facture", "body": "Ouvrez *Facturation*."}',
        content_type="application/json",
    )
    assert put.status_code == 201, put.json()
    assert put.json()["language"] == "fr" and "<em>Facturation</em>" in put.json()["html"]
    again = client.client.put(
        f"/api/v1/kb/articles/{article.pk}/translations/fr",
        '{"title": "Télécharger la facture", "body": "Ouvrez."}',
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["is_default"] is False

    reader = as_user(carol)
    assert reader.get(f"/kb/articles/{article.pk}", language="fr").json()["title"] == (
        "Télécharger la facture"
    )
    fallback = reader.get(f"/kb/articles/{article.pk}", language="es").json()
    assert (fallback["language"], fallback["title"]) == ("en", "Download an invoice")
    assert fallback["languages"] == ["en", "fr"]
    listed = reader.get("/kb/articles", language="fr").json()["items"]
    assert [a["title"] for a in listed] == ["Télécharger la facture"]
    assert [
        t["language"] for t in reader.get(f"/kb/articles/{article.pk}/translations").json()["items"]
    ] == ["en", "fr"]
    assert reader.get(f"/kb/articles/{article.pk}", language="x1").status_code == 400

    assert client.delete(f"/kb/articles/{article.pk}/translations/en").status_code == 400
    assert client.delete(f"/kb/articles/{article.pk}/translations/fr").status_code == 204
    assert client.delete(f"/kb/articles/{article.pk}/translations/fr").status_code == 404
    assert client.get(f"/kb/articles/{article.pk}").json()["languages"] == ["en"]


def test_revisions_newest_first_and_restore(as_user, alice, article):
    client = as_user(alice)
    client.patch(f"/kb/articles/{article.pk}", {"body": "Second"})
    client.patch(f"/kb/articles/{article.pk}", {"body": "Third"})
    page = client.get(f"/kb/articles/{article.pk}/revisions", limit=2).json()
    assert [r["body"] for r in page["items"]] == ["Third", "Second"]
    assert page["items"][0]["author"]["email"] == alice.email
    rest = client.get(f"/kb/articles/{article.pk}/revisions", limit=2, cursor=page["next"]).json()
    assert [r["body"] for r in rest["items"]] == ["Open **Billing**."] and rest["next"] is None
    assert rest["items"][0]["note"] == "Created"

    first = rest["items"][0]["id"]
    restored = client.post(f"/kb/articles/{article.pk}/revisions/{first}/restore")
    assert restored.status_code == 200, restored.json()
    assert restored.json()["body"] == "Open **Billing**."
    assert Revision.objects.filter(article=article).count() == 4
    newest = client.get(f"/kb/articles/{article.pk}/revisions", limit=1).json()["items"][0]
    assert newest["note"].startswith("Restored the version of")
    assert client.post(f"/kb/articles/{article.pk}/revisions/999999/restore").status_code == 404


def test_publish_unpublish_and_archive_change_what_customers_see(as_user, alice, carol, section):
    client, reader = as_user(alice), as_user(carol)
    created = client.post("/kb/articles", {"section": section.pk, "title": "Refunds", "body": "x"})
    pk = created.json()["id"]
    assert reader.get(f"/kb/articles/{pk}").status_code == 404
    published = client.post(f"/kb/articles/{pk}/publish")
    assert published.status_code == 200 and published.json()["state"] == "published"
    assert published.json()["published_at"] is not None
    assert reader.get(f"/kb/articles/{pk}").status_code == 200
    assert [h["id"] for h in reader.get("/kb/search", q="refunds").json()["items"]] == [pk]
    assert client.post(f"/kb/articles/{pk}/unpublish").json()["state"] == "draft"
    assert reader.get(f"/kb/articles/{pk}").status_code == 404
    client.post(f"/kb/articles/{pk}/publish")
    assert client.post(f"/kb/articles/{pk}/archive").json()["state"] == "archived"
    assert reader.get(f"/kb/articles/{pk}").status_code == 404
    assert reader.get("/kb/search", q="refunds").json()["items"] == []
    assert client.delete(f"/kb/articles/{pk}").status_code == 204
    assert client.get(f"/kb/articles/{pk}").status_code == 404


def test_list_filters_pages_with_a_cursor_and_bounded_queries(
    as_user, admin, alice, bob, section, django_assert_max_num_queries
):
    made = [
        services.create_article(
            by=admin,
            section=section,
            title=f"Article {i}",
            body="x",
            owner=alice if i % 2 else bob,
            state="published" if i < 4 else "draft",
            review_by=None,
        )  # fmt: skip
        for i in range(6)
    ]
    services.save_translation(made[0], by=admin, language="de", title="Artikel 0", body="x")
    Article.objects.filter(pk=made[1].pk).update(review_by="2000-01-01")
    client = as_user(alice)
    client.get("/kb/articles")  # the token's first use writes last_used_at
    with django_assert_max_num_queries(5):
        page = client.get("/kb/articles", limit=4).json()
    assert [a["id"] for a in page["items"]] == [a.pk for a in reversed(made)][:4]
    rest = client.get("/kb/articles", limit=4, cursor=page["next"]).json()
    assert [a["id"] for a in rest["items"]] == [made[1].pk, made[0].pk] and rest["next"] is None
    assert rest["items"][1]["languages"] == ["de", "en"]

    def ids(**filters):  # type: ignore[no-untyped-def]
        answer = client.get("/kb/articles", **filters)
        assert answer.status_code == 200, answer.json()
        return sorted(a["id"] for a in answer.json()["items"])

    assert ids(state="draft") == [made[4].pk, made[5].pk]
    assert ids(owner=bob.email) == [made[0].pk, made[2].pk, made[4].pk]
    assert ids(stale="true") == [made[1].pk]
    assert ids(section=section.slug) == sorted(a.pk for a in made)
    assert ids(visibility="internal") == []
    assert client.get("/kb/articles", cursor="nonsense").status_code == 400
    assert client.get("/kb/articles", limit=101).status_code == 422
