"""The composer's article picker (`k`) on the agent's ticket page, and links to articles
in replies counted when the reply is sent."""

from __future__ import annotations

import pytest
from django.conf import settings

from supportdesk.kb import services
from supportdesk.kb.models import Article


@pytest.fixture
def articles(publish):  # type: ignore[no-untyped-def]
    return {
        "public": publish("Refund a double charge", "Open Billing, then Refund the charge."),
        "internal": publish(
            "Refund override for agents", "Use the refund override code.", visibility="internal"
        ),
        "draft": publish("Refund draft notes", "Refund notes.", state="draft"),
    }


def pick(client, ticket, q: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/agent/kb/tickets/{ticket.number}/articles/", {"kb_q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_ticket_page_offers_the_picker_and_the_draft_button(client, alice, lena, carol_ticket):
    client.force_login(alice)
    page = client.get(f"/agent/tickets/{carol_ticket.number}/").content.decode()
    assert 'data-shortcut="k"' in page and 'id="kb-picker"' in page
    assert "Create article from this ticket" in page
    client.force_login(lena)
    page = client.get(f"/agent/tickets/{carol_ticket.number}/").content.decode()
    assert 'id="kb-picker"' in page and "Create article from this ticket" not in page


def test_agents_find_published_articles_internal_ones_without_a_link(
    client, alice, carol_ticket, articles
):
    client.force_login(alice)
    found = pick(client, carol_ticket, "refund")
    public, internal = articles["public"], articles["internal"]
    assert "Refund a double charge" in found and "Refund override for agents" in found
    assert "Refund draft notes" not in found
    link = f"Refund a double charge: {settings.SITE_URL}/help/articles/{public.slug}/"
    assert f'data-kb-link="{link}"' in found
    option = found.split(f'id="kb-option-{internal.pk}"')[1].split("</li>")[0]
    assert "data-kb-link" not in option and "Insert link" not in option
    assert "Insert content" in option and "Use the refund override code." in option
    assert found.count("Insert link") == 1
    assert "<mark>" in found  # the snippet highlights the words


def test_picker_answers_empty_and_unknown_queries(client, alice, carol_ticket, articles):
    client.force_login(alice)
    assert "Type a few words" in pick(client, carol_ticket, "")
    assert "No published article matches “zzzqqq”." in pick(client, carol_ticket, "zzzqqq")
    escaped = pick(client, carol_ticket, '<>"zzzqqq')
    assert "&lt;&gt;&quot;zzzqqq" in escaped


def test_picker_prefers_the_requesters_language(client, alice, carol, carol_ticket, articles):
    services.save_translation(
        articles["public"], by=alice, language="de", title="Doppelte Abbuchung erstatten",
        body="Refund auf Deutsch.",
    )  # fmt: skip
    carol.language = "de"
    carol.save()
    client.force_login(alice)
    found = pick(client, carol_ticket, "refund")
    assert "Doppelte Abbuchung erstatten" in found


def test_picker_is_for_agents_on_tickets_they_see(client, carol, alice, carol_ticket, articles):
    client.force_login(carol)
    response = client.get(f"/agent/kb/tickets/{carol_ticket.number}/articles/", {"kb_q": "refund"})
    assert response.status_code == 302 and "/agent/" not in response["Location"]
    client.force_login(alice)
    assert client.get("/agent/kb/tickets/9999/articles/", {"kb_q": "refund"}).status_code == 404


def test_a_reply_linking_an_article_is_counted(
    client, alice, carol_ticket, articles, django_capture_on_commit_callbacks
):
    public = articles["public"]
    client.force_login(alice)
    body = f"See Refund a double charge: {settings.SITE_URL}/help/articles/{public.slug}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/agent/tickets/{carol_ticket.number}/reply/", {"kind": "public", "body": body}
        )
    assert response.status_code == 302
    public.refresh_from_db()
    assert public.linked_in_replies == 1
    page = client.get(f"/agent/kb/articles/{public.pk}/").content.decode()
    assert 'id="linked-in-replies">1<' in page
    assert Article.objects.get(pk=articles["internal"].pk).linked_in_replies == 0
