"""Who sees what, across every surface a customer reaches: portal pages, files, the API,
search and e-mail. Internal notes never leave the agents' side, and another customer's
ticket is a 404 everywhere, the same answer as for a ticket that does not exist."""

from __future__ import annotations

import pytest
from django.core import mail

from supportdesk.tickets.services import Upload, reply

SECRET = "SECRET-NOTE-7781"


@pytest.fixture
def noted(carol_ticket, alice, settings, tmp_path, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Carol's ticket with a public reply (with a file) and a note (with a file)."""
    settings.MEDIA_ROOT = tmp_path
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        public = reply(
            carol_ticket,
            author=alice,
            body="Here is the receipt.",
            attachments=[Upload("receipt.txt", "text/plain", b"paid", 4)],
        )
        note = reply(
            carol_ticket,
            author=alice,
            body=f"Card flagged by the bank. {SECRET}",
            public=False,
            attachments=[Upload("bank.txt", "text/plain", SECRET.encode(), len(SECRET))],
        )
    return carol_ticket, public.attachments.get(), note.attachments.get()


def customer_urls(number: int) -> list[str]:
    return [
        "/requests/",
        f"/requests/{number}/",
        f"/api/v1/tickets/{number}",
        f"/api/v1/tickets/{number}/messages",
        f"/api/v1/tickets/{number}/events",
    ]


def test_internal_notes_never_reach_the_customer(client, carol, noted):
    ticket, public_file, note_file = noted
    client.force_login(carol)
    for url in customer_urls(ticket.number):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert SECRET not in body and "flagged" not in body, url
        assert "bank.txt" not in body, url
    for words in (SECRET, "flagged bank"):
        assert client.get("/api/v1/tickets", {"q": words}).json()["items"] == []
        found = client.get("/requests/", {"q": words}).content.decode()
        assert ticket.subject not in found and "bank.txt" not in found
    assert client.get(f"/files/{public_file.token}/receipt.txt").status_code == 200
    assert client.get(f"/files/{note_file.token}/bank.txt").status_code == 404
    to_carol = [m for m in mail.outbox if "carol@acme.test" in m.to]
    assert to_carol, "the public reply is mailed to the customer"
    assert not any(SECRET in m.body or "flagged" in m.body for m in to_carol)


@pytest.mark.parametrize("who", ["dave", "erin"])
def test_another_customer_gets_404_everywhere(client, request, noted, who):
    ticket, public_file, _ = noted
    client.force_login(request.getfixturevalue(who))
    for url in (
        f"/requests/{ticket.number}/",
        f"/api/v1/tickets/{ticket.number}",
        f"/api/v1/tickets/{ticket.number}/messages",
        f"/files/{public_file.token}/receipt.txt",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/requests/{ticket.number}/reply/", {"body": "mine now"}).status_code == 404
    assert client.post(f"/requests/{ticket.number}/solve/").status_code == 404
    listed = client.get("/requests/").content.decode()
    assert ticket.subject not in listed


def test_agents_see_the_note_where_customers_do_not(client, alice, noted):
    ticket, _, note_file = noted
    client.force_login(alice)
    assert SECRET in client.get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert client.get(f"/files/{note_file.token}/bank.txt").status_code == 200
    assert str(ticket.number) in client.get(f"/agent/search/?q={SECRET}").content.decode()
