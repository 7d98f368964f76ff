"""The public help center: what visitors, customers and agents see, and what they never
see; an article page with its votes; search with its log."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from supportdesk.kb import services
from supportdesk.kb.language import forget_languages
from supportdesk.kb.models import Article, Feedback, SearchLog

SECRET = "Zebracode internal runbook"
DRAFT = "Zebracode unfinished draft"


@pytest.fixture(autouse=True)
def _fresh():  # type: ignore[no-untyped-def]
    forget_languages()
    cache.clear()  # rate-limit counters
    yield
    forget_languages()


@pytest.fixture
def shelf(publish, admin, section):  # type: ignore[no-untyped-def]
    """Two public articles, an internal one and a draft, all about zebracodes."""
    return {
        "public": publish("Reset your zebracode", "Open Settings and press Reset zebracode."),
        "other": publish("Zebracode on invoices", "Each invoice shows the zebracode."),
        "internal": publish(SECRET, "Zebracode escalation steps.", visibility="internal"),
        "draft": services.create_article(
            by=admin, section=section, title=DRAFT, body="Zebracode draft text."
        ),
    }


def pages(client, shelf):  # type: ignore[no-untyped-def]
    """Every public page that lists articles, as text."""
    urls = [
        "/help/",
        "/help/categories/billing/",
        "/help/sections/invoices/",
        "/help/search/?q=zebracode",
        "/help/suggest/?subject=zebracode&body=reset",
        f"/help/articles/{shelf['public'].slug}/",
    ]
    out = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        out.append(response.content.decode())
    return out


@pytest.mark.parametrize("who", ["anonymous", "carol"])
def test_visitors_and_customers_never_see_internal_or_draft_articles(client, shelf, who, request):  # type: ignore[no-untyped-def]
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for html in pages(client, shelf):
        assert SECRET not in html and DRAFT not in html
        assert "Internal" not in html
    html = "".join(pages(client, shelf))
    assert "Reset your zebracode" in html
    for kind in ("internal", "draft"):
        assert client.get(f"/help/articles/{shelf[kind].slug}/").status_code == 404
    assert client.get("/help/articles/no-such-thing/").status_code == 404


def test_agents_see_internal_articles_badged_and_suggestions_stay_public(client, shelf, alice):  # type: ignore[no-untyped-def]
    client.force_login(alice)
    found = client.get("/help/search/?q=zebracode").content.decode()
    assert SECRET in found and "badge-internal" in found
    page = client.get(f"/help/articles/{shelf['internal'].slug}/").content.decode()
    assert SECRET in page and ">Internal<" in page
    home = client.get("/help/").content.decode()
    assert "Knowledge base" in home and "Submit a request" not in home.split("</header>")[0]
    suggested = client.get("/help/suggest/?subject=zebracode+escalation").content.decode()
    assert SECRET not in suggested


def test_home_lists_categories_sections_and_popular_articles(client, shelf):  # type: ignore[no-untyped-def]
    Article.objects.filter(pk=shelf["other"].pk).update(views=50)
    html = client.get("/help/").content.decode()
    assert "Billing" in html and "/help/sections/invoices/" in html
    assert html.index("Zebracode on invoices") < html.index("Reset your zebracode")
    assert "Submit a request" in html and "Sign in" in html


def test_list_pages_run_a_fixed_number_of_queries(
    client, publish, carol, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    for n in range(12):
        publish(f"Zebracode guide {n}", f"Zebracode step {n}.")
    client.force_login(carol)
    for url in ("/help/", "/help/categories/billing/", "/help/sections/invoices/"):
        client.get(url)  # warm the session and the language cache
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/help/search/?q=zebracode+guide").status_code == 200


def test_article_shows_breadcrumbs_related_and_counts_a_view(client, shelf):  # type: ignore[no-untyped-def]
    article = shelf["public"]
    html = client.get(f"/help/articles/{article.slug}/").content.decode()
    assert 'aria-label="Breadcrumb"' in html
    assert "/help/categories/billing/" in html and "/help/sections/invoices/" in html
    assert "Zebracode on invoices" in html  # related: same section
    assert "Was this article helpful?" in html
    article.refresh_from_db()
    assert article.views == 1


def test_markdown_attacks_render_inert(client, publish):  # type: ignore[no-untyped-def]
    body = (
        "Hello <script>alert('x')</script>\n\n"
        "[click](javascript:alert(1))\n\n"
        '<img src="x.png" onerror="alert(2)">\n'
    )
    article = publish("Attack article", body)
    html = client.get(f"/help/articles/{article.slug}/").content.decode()
    body_html = html.split('class="help-body">', 1)[1].split("</div>", 1)[0]
    tags = _tags(body_html)
    assert "script" not in {name for name, _ in tags}
    for _name, attrs in tags:
        assert not any(key.startswith("on") for key, _ in attrs)
        assert not any(
            (value or "").strip().lower().startswith("javascript:") for _, value in attrs
        )
    assert "click" in body_html  # the text stays, inert


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every element the browser would build from `html`, with its attributes."""
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
            found.append((tag, attrs))

    Collect().feed(html)
    return found


def test_language_switcher_and_reader_language(client, publish, admin):  # type: ignore[no-untyped-def]
    article = publish("Reset your password", "Press Reset.")
    services.save_translation(
        article, by=admin, language="de", title="Passwort zurücksetzen", body="Drücken Sie."
    )
    forget_languages()
    url = f"/help/articles/{article.slug}/"
    assert "Reset your password" in client.get(url).content.decode()
    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5").content.decode()
    assert "Passwort zurücksetzen" in german and 'href="?lang=en"' in german
    asked = client.get(url + "?lang=en", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Reset your password" in asked
    # A language nobody wrote in is ignored, not an error.
    assert "Reset your password" in client.get(url + "?lang=xx").content.decode()


def test_vote_is_stored_once_and_the_comment_joins_it(client, shelf):  # type: ignore[no-untyped-def]
    article = shelf["public"]
    vote = f"/help/articles/{article.slug}/vote/"
    comment = f"/help/articles/{article.slug}/comment/"
    assert client.post(comment, {"comment": "early"}, HTTP_HX_REQUEST="true").status_code == 400
    assert client.post(vote, {"helpful": "maybe"}, HTTP_HX_REQUEST="true").status_code == 400
    answer = client.post(vote, {"helpful": "yes"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    assert "Thanks for your feedback" in answer.content.decode()
    assert "<html" not in answer.content.decode()  # the partial only
    client.post(vote, {"helpful": "no"}, HTTP_HX_REQUEST="true")  # a second vote: ignored
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 0)
    too_long = client.post(comment, {"comment": "x" * 2001}, HTTP_HX_REQUEST="true")
    assert too_long.status_code == 400 and "At most 2000" in too_long.content.decode()
    done = client.post(comment, {"comment": "Add <b>screenshots</b>"}, HTTP_HX_REQUEST="true")
    assert "The author will read your comment" in done.content.decode()
    (row,) = Feedback.objects.filter(article=article)
    assert row.helpful and row.comment == "Add <b>screenshots</b>"
    article.refresh_from_db()
    assert article.helpful_yes == 1


def test_vote_without_javascript_redirects_back(client, shelf, carol):  # type: ignore[no-untyped-def]
    client.force_login(carol)
    article = shelf["public"]
    answer = client.post(f"/help/articles/{article.slug}/vote/", {"helpful": "no"})
    assert answer.status_code == 302 and answer["Location"].endswith("#feedback")
    html = client.get(f"/help/articles/{article.slug}/").content.decode()
    assert "What were you looking for?" in html
    row = Feedback.objects.get(article=article)
    assert row.user == carol and not row.helpful
    assert client.get(f"/help/articles/{article.slug}/vote/").status_code == 405


def test_feedback_needs_csrf(shelf):  # type: ignore[no-untyped-def]
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    answer = strict.post(f"/help/articles/{shelf['public'].slug}/vote/", {"helpful": "yes"})
    assert answer.status_code == 403
    assert not Feedback.objects.exists()


def test_search_logs_queries_and_marks_the_clicked_result(client, shelf):  # type: ignore[no-untyped-def]
    html = client.get("/help/search/?q=Reset+zebracode").content.decode()
    log = SearchLog.objects.get()
    assert log.query == "reset zebracode" and log.results >= 1 and log.where == "help"
    assert f"/help/articles/{shelf['public'].slug}/?s={log.pk}" in html
    assert "<mark>" in html
    client.get(f"/help/articles/{shelf['public'].slug}/?s={log.pk}")
    log.refresh_from_db()
    assert log.clicked
    client.get(f"/help/articles/{shelf['public'].slug}/?s=not-a-number")  # ignored


def test_search_says_what_it_corrected_and_when_nothing_matches(client, shelf):  # type: ignore[no-untyped-def]
    corrected = client.get("/help/search/?q=zebrakode").content.decode()
    assert "Showing results for" in corrected
    empty = client.get("/help/search/?q=%3Cb%3Equantum%3C%2Fb%3E").content.decode()
    assert "No articles match" in empty and "&lt;b&gt;quantum&lt;/b&gt;" in empty
    assert "/requests/new/" in empty
    log = SearchLog.objects.get(query="<b>quantum</b>")
    assert log.results == 0
    assert client.get("/help/search/").status_code == 200
    assert SearchLog.objects.count() == 2


def test_public_search_is_rate_limited(client, shelf, monkeypatch):  # type: ignore[no-untyped-def]
    from supportdesk.kb import views_help

    monkeypatch.setattr(views_help, "SEARCHES_PER_MINUTE", 2)
    for _ in range(2):
        assert client.get("/help/search/?q=zebracode").status_code == 200
    blocked = client.get("/help/search/?q=zebracode")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert "Too many searches" in blocked.content.decode()
