"""The knowledge base in the agent workspace: the list, a new article, the article page
(text, settings, state, translations), its history, and categories and sections."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from supportdesk.kb import services
from supportdesk.kb.feedback import record_feedback
from supportdesk.kb.markdown import TROUBLESHOOTING_TEMPLATE
from supportdesk.kb.models import Article, Category, Revision, Section, State, Translation


@pytest.fixture
def article(admin, section):  # type: ignore[no-untyped-def]
    return services.create_article(
        by=admin, section=section, title="Refund a double charge", body="Open **Billing**."
    )


def pages(article: Article) -> list[str]:
    pk = article.pk
    return [
        "/agent/kb/",
        "/agent/kb/?q=refund&state=draft&mine=on&stale=on",
        "/agent/kb/structure/",
        f"/agent/kb/articles/{pk}/",
        f"/agent/kb/articles/{pk}/?lang=de",
        f"/agent/kb/articles/{pk}/revisions/",
        f"/agent/kb/articles/{pk}/revisions/?rev={article.revisions.get().pk}",
    ]


def test_every_page_opens_for_agents_and_light_agents(client, alice, lena, article):
    for person in (alice, lena):
        client.force_login(person)
        for url in pages(article):
            assert client.get(url).status_code == 200, (person, url)
    client.force_login(alice)
    assert client.get("/agent/kb/articles/new/").status_code == 200


def test_customers_and_visitors_are_turned_away(client, carol, article):
    for url in [*pages(article), "/agent/kb/articles/new/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    client.force_login(carol)
    for url in pages(article):
        response = client.get(url)
        assert response.status_code == 302 and "/agent/" not in response["Location"], url
    state = client.post(f"/agent/kb/articles/{article.pk}/state/", {"state": "published"})
    assert state.status_code == 302
    article.refresh_from_db()
    assert article.state == State.DRAFT


def test_missing_article_is_404(client, alice):
    client.force_login(alice)
    assert client.get("/agent/kb/articles/999/").status_code == 404
    assert client.get("/agent/kb/articles/999/revisions/").status_code == 404


def test_light_agent_reads_but_cannot_change(client, lena, article):
    client.force_login(lena)
    page = client.get(f"/agent/kb/articles/{article.pk}/").content.decode()
    assert "Open <strong>Billing</strong>." in page  # the rendered text, read only
    assert "Publish" not in page and "Save settings" not in page and "Delete" not in page
    assert "New article" not in client.get("/agent/kb/").content.decode()
    assert client.get("/agent/kb/articles/new/").status_code == 403
    refused = [
        client.post(f"/agent/kb/articles/{article.pk}/", {"title": "Mine", "body": "x"}),
        client.post(f"/agent/kb/articles/{article.pk}/state/", {"state": "published"}),
        client.post(f"/agent/kb/articles/{article.pk}/delete/"),
        client.post("/agent/kb/structure/categories/", {"name": "Lena's"}),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    article.refresh_from_db()
    assert article.state == State.DRAFT and article.translations.get().title != "Mine"
    assert not Category.objects.filter(name="Lena's").exists()


def test_list_filters_and_highlights_stale_articles(client, alice, admin, section, article):
    old = services.create_article(
        by=alice, section=section, title="Old printer setup", body="Cables.",
        review_by=timezone.localdate() - dt.timedelta(days=3), visibility="internal",
    )  # fmt: skip
    client.force_login(alice)
    page = client.get("/agent/kb/").content.decode()
    assert "Refund a double charge" in page and "Old printer setup" in page
    assert 'class="kb-overdue"' in page
    panel = page.split('id="stale-title"')[1].split("</section>")[0]
    assert "Old printer setup" in panel and "Refund" not in panel
    mine = client.get("/agent/kb/?mine=on").content.decode()
    assert "Old printer setup" in mine and "Refund a double charge" not in mine
    internal = client.get("/agent/kb/?visibility=internal").content.decode()
    assert "Old printer setup" in internal and "Refund a double charge" not in internal
    stale = client.get("/agent/kb/?stale=on").content.decode()
    assert "Old printer setup" in stale and "Refund a double charge" not in stale
    found = client.get("/agent/kb/?q=printer").content.decode()
    assert "Old printer setup" in found and "Refund a double charge" not in found
    assert old.pk  # drafts are found too (search with drafts=True)
    client.force_login(admin)
    empty = client.get("/agent/kb/").content.decode()
    assert "None: every article you own is within its review date." in empty


def test_list_pages_by_id_and_bad_filters_are_ignored(client, alice, admin, section):
    for i in range(53):
        Article.objects.create(section=section, slug=f"a-{i}", owner=admin)
    client.force_login(alice)
    first = client.get("/agent/kb/").content.decode()
    assert first.count("<tr>") == 51  # header + 50
    assert "a-52" in first and "a-2<" not in first and "More articles" in first
    before = Article.objects.order_by("-id")[49].pk
    second = client.get(f"/agent/kb/?before={before}").content.decode()
    assert second.count("<tr>") == 4 and "a-0<" in second and "First page" in second
    odd = client.get("/agent/kb/?state=bogus&section=abc&before=-4")
    assert odd.status_code == 200 and odd.content.decode().count("<tr>") == 51


def test_list_queries_do_not_grow_with_rows(
    client, alice, admin, section, django_assert_max_num_queries
):
    client.force_login(alice)
    services.create_article(by=admin, section=section, title="First", body="x")
    client.get("/agent/kb/")
    with django_assert_max_num_queries(25) as few:
        client.get("/agent/kb/")
    for i in range(12):
        owner = alice if i % 2 else admin
        services.create_article(
            by=admin, section=section, title=f"Article {i}", body="x", owner=owner
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/agent/kb/")
    assert page.content.decode().count("<tr>") == 14


def test_new_article_from_the_troubleshooting_structure_without_js(client, alice, section):
    client.force_login(alice)
    page = client.get("/agent/kb/articles/new/?structure=troubleshooting").content.decode()
    assert "## Symptom" in page and "## Cause" in page and "## Fix" in page
    response = client.post(
        "/agent/kb/articles/new/",
        {
            "section": section.pk, "title": "Printer jams", "body": TROUBLESHOOTING_TEMPLATE,
            "language": "en", "visibility": "public", "tags": "printer, Hardware",
            "review_by": "", "owner": "", "publish": "1",
        },
    )  # fmt: skip
    article = Article.objects.get(slug="printer-jams")
    assert (
        response.status_code == 302 and response["Location"] == f"/agent/kb/articles/{article.pk}/"
    )
    assert article.state == State.PUBLISHED and article.owner == alice
    assert article.tags == ["printer", "hardware"]
    assert "<h2>Symptom</h2>" in article.translations.get().html


def test_new_article_saves_a_draft_and_shows_errors(client, alice, section):
    client.force_login(alice)
    bad = client.post(
        "/agent/kb/articles/new/",
        {
            "section": section.pk,
            "title": "",
            "body": "x",
            "language": "e n",
            "visibility": "public",
        },
    )
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    bad_language = client.post(
        "/agent/kb/articles/new/",
        {
            "section": section.pk,
            "title": "T",
            "body": "x",
            "language": "e1",
            "visibility": "public",
        },
    )
    assert bad_language.status_code == 400
    assert "is not a language code" in bad_language.content.decode()
    ok = client.post(
        "/agent/kb/articles/new/",
        {"section": section.pk, "title": "VPN", "body": "x", "language": "de",
         "visibility": "internal", "draft": "1"},
    )  # fmt: skip
    assert ok.status_code == 302
    article = Article.objects.get(slug="vpn")
    assert (article.state, article.visibility, article.default_language) == (
        "draft",
        "internal",
        "de",
    )


def test_editing_the_text_keeps_a_revision_and_diff_and_restore_work(client, alice, article):
    client.force_login(alice)
    url = f"/agent/kb/articles/{article.pk}/"
    saved = client.post(
        url,
        {
            "title": "Refund a double charge",
            "body": "Open **Payments**.\nThen refund.",
            "note": "Renamed",
        },
    )
    assert saved.status_code == 302
    assert article.translations.get().body == "Open **Payments**.\nThen refund."
    first, second = article.revisions.order_by("id")
    assert second.note == "Renamed" and second.author == alice

    diff = client.get(f"{url}revisions/?rev={first.pk}").content.decode()
    assert '<span class="kb-diff-del">-Open **Billing**.</span>' in diff
    assert '<span class="kb-diff-add">+Open **Payments**.</span>' in diff
    assert "Restore this version" in diff
    assert client.get(f"{url}revisions/?rev=99999").status_code == 404

    restored = client.post(f"{url}revisions/{first.pk}/restore/")
    assert restored.status_code == 302
    newest = article.revisions.latest("id")
    assert (newest.title, newest.body) == (first.title, first.body)
    assert newest.note.startswith("Restored the version of")
    assert article.translations.get().body == "Open **Billing**."
    assert client.post(f"{url}revisions/99999/restore/").status_code == 302


def test_preview_renders_sanitised_markdown_and_saves_nothing(client, alice, article):
    client.force_login(alice)
    body = "**bold** <script>alert(1)</script> [x](javascript:alert(2))"
    htmx = client.post("/agent/kb/preview/", {"body": body}).content.decode()
    assert "<strong>bold</strong>" in htmx
    assert "<script>" not in htmx and 'href="javascript' not in htmx
    assert "&lt;script&gt;" in htmx
    plain = client.post(
        f"/agent/kb/articles/{article.pk}/", {"title": "T", "body": body, "preview": "1"}
    )
    page = plain.content.decode()
    assert plain.status_code == 200 and "<strong>bold</strong>" in page
    assert "<script>alert" not in page
    assert article.revisions.count() == 1


def test_translations_are_added_and_deleted(client, alice, article):
    client.force_login(alice)
    url = f"/agent/kb/articles/{article.pk}/"
    new = client.get(f"{url}?lang=de").content.decode()
    assert "New de translation" in new and "Refund a double charge" in new  # starts from en
    client.post(
        f"{url}?lang=de", {"title": "Doppelte Abbuchung", "body": "Öffnen Sie **Billing**."}
    )
    assert article.translations.filter(language="de", title="Doppelte Abbuchung").exists()
    page = client.get(url).content.decode()
    assert "Doppelte Abbuchung" in page and "Delete the de translation" in page
    refused = client.post(f"{url}translations/en/delete/", follow=True).content.decode()
    assert "cannot be deleted" in refused
    client.post(f"{url}translations/de/delete/")
    assert list(article.translations.values_list("language", flat=True)) == ["en"]


def test_settings_state_and_public_link(client, alice, bob, section, article):
    client.force_login(alice)
    url = f"/agent/kb/articles/{article.pk}/"
    other = services.save_section(by=alice, category=section.category, name="Cards")
    saved = client.post(
        f"{url}settings/",
        {"section": other.pk, "visibility": "public", "owner": bob.pk, "tags": "refund, card",
         "review_by": "2031-01-02", "default_language": "en"},
    )  # fmt: skip
    assert saved.status_code == 302
    article.refresh_from_db()
    assert (article.section, article.owner, article.tags) == (other, bob, ["refund", "card"])
    assert article.review_by == dt.date(2031, 1, 2)
    bad = client.post(
        f"{url}settings/",
        {"section": other.pk, "visibility": "x", "owner": bob.pk, "default_language": "en"},
    )
    assert bad.status_code == 400

    assert "View in the help center" not in client.get(url).content.decode()
    client.post(f"{url}state/", {"state": "published"})
    article.refresh_from_db()
    assert article.state == State.PUBLISHED
    assert f"/help/articles/{article.slug}/" in client.get(url).content.decode()
    client.post(f"{url}state/", {"state": "archived"})
    article.refresh_from_db()
    assert article.state == State.ARCHIVED
    client.post(f"{url}state/", {"state": "draft"})
    article.refresh_from_db()
    assert article.state == State.DRAFT
    assert client.post(f"{url}state/", {"state": "gone"}).status_code == 302


def test_feedback_and_counters_are_shown(client, alice, carol, article):
    record_feedback(
        article, helpful=False, comment="<b>Wrong</b> menu name", user=carol, language="en"
    )
    record_feedback(article, helpful=True, comment="", user=None, language="en")
    record_feedback(article, helpful=True, comment="Clear steps", user=None, language="en")
    client.force_login(alice)
    page = client.get(f"/agent/kb/articles/{article.pk}/").content.decode()
    assert "&lt;b&gt;Wrong&lt;/b&gt; menu name" in page
    assert page.index("Clear steps") < page.index("Wrong")  # newest first
    assert page.count("A visitor") == 1  # a vote without a comment is only counted
    assert "<dt>Helpful</dt><dd>2</dd>" in page
    assert 'id="linked-in-replies">0<' in page


def test_deleting_an_article_asks_first(client, alice, article):
    client.force_login(alice)
    url = f"/agent/kb/articles/{article.pk}/delete/"
    assert "Delete the article" in client.get(url).content.decode()
    assert client.post(url)["Location"] == "/agent/kb/"
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not Translation.objects.exists() and not Revision.objects.exists()


def test_categories_and_sections_are_managed_and_refusals_shown(client, alice, section, article):
    client.force_login(alice)
    client.post("/agent/kb/structure/categories/", {"name": "Accounts", "position": "5"})
    accounts = Category.objects.get(name="Accounts")
    client.post("/agent/kb/structure/sections/", {"name": "Login", "category": accounts.pk})
    login = Section.objects.get(name="Login")
    client.post(
        f"/agent/kb/structure/categories/{accounts.pk}/", {"name": "My account", "position": "1"}
    )
    client.post(
        f"/agent/kb/structure/sections/{login.pk}/",
        {"name": "Sign-in", "category": accounts.pk, "position": "2"},
    )
    accounts.refresh_from_db()
    login.refresh_from_db()
    assert (accounts.name, accounts.position, login.name, login.position) == (
        "My account",
        1,
        "Sign-in",
        2,
    )
    page = client.get("/agent/kb/structure/").content.decode()
    assert page.index("My account") < page.index("Billing")  # by position

    refused = client.post(f"/agent/kb/structure/sections/{section.pk}/delete/")
    assert refused.status_code == 400
    assert "still holds articles" in refused.content.decode()
    refused = client.post(f"/agent/kb/structure/categories/{section.category.pk}/delete/")
    assert "still holds articles" in refused.content.decode()
    empty = client.post("/agent/kb/structure/categories/", {"name": " "})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    unnamed = client.post(
        f"/agent/kb/structure/sections/{login.pk}/", {"name": "", "category": accounts.pk}
    )
    assert (
        unnamed.status_code == 400 and "Name: This field is required." in unnamed.content.decode()
    )

    client.post(f"/agent/kb/structure/sections/{login.pk}/delete/")
    client.post(f"/agent/kb/structure/categories/{accounts.pk}/delete/")
    assert not Category.objects.filter(pk=accounts.pk).exists()
    assert client.post("/agent/kb/structure/sections/999/delete/").status_code == 404


def test_opening_article_feedback_notification_goes_to_the_knowledge_base(client, alice):
    from django.urls import reverse

    from supportdesk.notify.models import Notification

    note = Notification.objects.create(user=alice, kind="kb_feedback", text="A reader voted")
    client.force_login(alice)
    response = client.get(reverse("agent:notify:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/agent/kb/"
