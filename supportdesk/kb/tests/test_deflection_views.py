"""Suggestions while a customer writes a request, and whether opening one deflected it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from supportdesk.kb import deflection
from supportdesk.kb.language import forget_languages
from supportdesk.kb.models import SearchLog, SuggestionOpen


@pytest.fixture(autouse=True)
def _fresh():  # type: ignore[no-untyped-def]
    forget_languages()
    cache.clear()
    yield
    forget_languages()


@pytest.fixture
def articles(publish):  # type: ignore[no-untyped-def]
    return [
        publish("Printer is offline", "Check the printer cable and restart the printer."),
        publish("Printer prints blank pages", "Replace the toner of the printer."),
        publish("Printer internal escalation", "Call the vendor.", visibility="internal"),
    ]


def test_suggestions_list_public_matches_and_log_nothing(client, carol, articles):  # type: ignore[no-untyped-def]
    client.force_login(carol)
    html = client.get("/help/suggest/", {"subject": "printer offline", "body": ""}).content.decode()
    assert "Printer is offline" in html
    assert "Printer internal escalation" not in html
    assert f"/help/articles/{articles[0].slug}/?from=suggestion" in html
    assert 'target="_blank" rel="noopener"' in html
    assert not SearchLog.objects.exists()


def test_no_suggestions_for_short_or_unmatched_text(client, carol, articles):  # type: ignore[no-untyped-def]
    client.force_login(carol)
    assert client.get("/help/suggest/", {"subject": "pr"}).content.decode().strip() == ""
    assert client.get("/help/suggest/", {"subject": "quantum flux"}).content.decode().strip() == ""


def test_at_most_five_suggestions(client, publish):  # type: ignore[no-untyped-def]
    for n in range(8):
        publish(f"Scanner guide {n}", "The scanner.")
    html = client.get("/help/suggest/", {"subject": "scanner"}).content.decode()
    assert html.count("?from=suggestion") == 5


def test_the_request_form_asks_for_suggestions_as_the_customer_types(client, carol):  # type: ignore[no-untyped-def]
    client.force_login(carol)
    html = client.get("/requests/new/").content.decode()
    assert 'hx-get="/help/suggest/"' in html and 'hx-include="#id_subject, #id_body"' in html
    assert 'id="suggestions" aria-live="polite"' in html
    assert "{#" not in html and "{%" not in html  # template comments stay out of the page


def test_opening_a_suggestion_then_filing_a_request_is_not_a_deflection(client, carol, articles):  # type: ignore[no-untyped-def]
    client.force_login(carol)
    client.get(f"/help/articles/{articles[0].slug}/?from=suggestion")
    opened = SuggestionOpen.objects.get()
    assert opened.visitor == client.session["kb_visitor"] and opened.request_number is None
    answer = client.post("/requests/new/", {"subject": "Printer still offline", "body": "Help"})
    assert answer.status_code == 302
    opened.refresh_from_db()
    assert opened.request_number is not None
    SuggestionOpen.objects.update(opened_at=opened.opened_at - dt.timedelta(hours=25))
    figures = deflection.deflection(days=30)
    assert (figures.visitors, figures.deflected) == (1, 0)


def test_opening_a_suggestion_and_filing_nothing_for_a_day_is_a_deflection(client, carol, articles):  # type: ignore[no-untyped-def]
    client.force_login(carol)
    client.get(f"/help/articles/{articles[1].slug}/?from=suggestion")
    client.get(f"/help/articles/{articles[0].slug}/?from=suggestion")
    assert SuggestionOpen.objects.count() == 2
    assert SuggestionOpen.objects.values("visitor").distinct().count() == 1
    assert deflection.deflection(days=30).visitors == 0  # the day has not passed yet
    opened_at = SuggestionOpen.objects.first().opened_at  # type: ignore[union-attr]
    SuggestionOpen.objects.update(opened_at=opened_at - dt.timedelta(hours=25))
    figures = deflection.deflection(days=30)
    assert (figures.visitors, figures.deflected, figures.rate) == (1, 1, 1.0)


def test_a_request_without_a_suggestion_records_nothing(client, carol):  # type: ignore[no-untyped-def]
    client.force_login(carol)
    answer = client.post("/requests/new/", {"subject": "Printer", "body": "Broken"})
    assert answer.status_code == 302
    assert "kb_visitor" not in client.session
    assert not SuggestionOpen.objects.exists()
