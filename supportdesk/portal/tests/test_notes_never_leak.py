"""Internal notes never reach a customer: not in any portal page, search result or mail."""

from __future__ import annotations

from django.core import mail

from supportdesk.tickets.services import create_ticket, reply, update_ticket

SECRET = "zanzibarquokka"


def test_a_note_appears_in_no_portal_page_search_or_customer_mail(
    client, carol, dave, alice, bob, acme_shares, on_commit
):
    with on_commit():
        ticket = create_ticket(
            by=carol, requester=carol, subject="Printer jam", body="Tray 2 is stuck."
        )
        update_ticket(ticket, by=alice, changes={"cc": [dave], "followers": [bob]})
        reply(ticket, author=alice, body=f"Customer owes us money, {SECRET}", public=False)
        reply(ticket, author=alice, body="We are on it.", status="pending")
    # Agents who follow the ticket do get the note: the check below is not vacuous.
    assert any(SECRET in m.body for m in mail.outbox if "bob@example.test" in m.to)

    for person in (carol, dave):
        client.force_login(person)
        for path in ("/requests/", "/requests/?scope=org", f"/requests/{ticket.pk}/"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert SECRET.encode() not in response.content, path
            assert b"owes us money" not in response.content, path
        # The search box echoes the words searched for; what matters is that no request
        # is found by the words of a note.
        for words in (SECRET, "owes money"):
            for scope in ("mine", "org"):
                found = client.get("/requests/", {"q": words, "scope": scope})
                assert b"No requests match" in found.content, (words, scope)
                assert b'<td class="num">' not in found.content
        assert client.get("/requests/", {"q": "tray"}).content.count(b'<td class="num">') == 1
        assert b"We are on it." in client.get(f"/requests/{ticket.pk}/").content

    customer_mail = [m for m in mail.outbox if set(m.to) & {carol.email, dave.email}]
    assert customer_mail  # the confirmation and the public reply
    for message in customer_mail:
        assert SECRET not in message.body and SECRET not in message.subject
