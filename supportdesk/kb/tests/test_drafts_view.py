"""“Create article from this ticket” on the agent's ticket page."""

from __future__ import annotations

from django.utils import timezone

from supportdesk.kb.models import Article, State
from supportdesk.tickets.services import reply


def test_an_agent_turns_a_ticket_into_a_draft_and_edits_it(client, alice, carol_ticket):
    reply(carol_ticket, author=alice, body="I refunded the second charge.", public=True)
    reply(carol_ticket, author=alice, body="Internal: ledger fixed.", public=False)
    client.force_login(alice)
    response = client.post(f"/agent/kb/tickets/{carol_ticket.number}/draft/")
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/agent/kb/articles/{article.pk}/"
    assert article.state == State.DRAFT and article.owner == alice
    text = article.translations.get()
    assert text.title == "Invoice 1042 charged twice"
    assert "charged twice for invoice 1042" in text.body
    assert "I refunded the second charge." in text.body
    assert "ledger" not in text.body  # notes stay out
    page = client.get(response["Location"]).content.decode()
    assert "A draft article is made from this ticket" in page


def test_draft_from_ticket_is_a_post_for_agents_only(client, alice, lena, carol, carol_ticket):
    url = f"/agent/kb/tickets/{carol_ticket.number}/draft/"
    client.force_login(alice)
    assert client.get(url).status_code == 405
    client.force_login(lena)
    assert client.post(url).status_code == 403
    client.force_login(carol)
    assert client.post(url).status_code == 302
    assert not Article.objects.exists()


def test_hidden_or_missing_tickets_give_404(client, alice, carol_ticket):
    # Agents see every ticket except trashed ones (tickets/visibility.py).
    carol_ticket.deleted_at = timezone.now()
    carol_ticket.save(update_fields=["deleted_at"])
    client.force_login(alice)
    assert client.post(f"/agent/kb/tickets/{carol_ticket.number}/draft/").status_code == 404
    assert client.post("/agent/kb/tickets/9999/draft/").status_code == 404
    assert not Article.objects.exists()
