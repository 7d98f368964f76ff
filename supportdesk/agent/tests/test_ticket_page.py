"""The ticket page: timeline, composer, properties, structure actions, new tickets."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache

from supportdesk.tickets.models import CustomField, FieldType, Message, Status, Ticket
from supportdesk.tickets.services import create_ticket, reply, update_ticket


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    cache.clear()


def url(ticket: Ticket, action: str = "") -> str:
    return f"/agent/tickets/{ticket.number}/" + (f"{action}/" if action else "")


def test_timeline_shows_replies_notes_and_event_lines(client, alice, billing, carol_ticket):
    reply(carol_ticket, author=alice, body="We are on it.", public=True)
    reply(carol_ticket, author=alice, body="Check the ledger first.", public=False)
    update_ticket(carol_ticket, by=alice, changes={"priority": "high", "group": billing})
    client.force_login(alice)
    page = client.get(url(carol_ticket)).content.decode()
    assert "We are on it." in page and "Check the ledger first." in page
    assert 'class="msg note"' in page and "Internal note" in page
    assert "Priority: normal → high" in page and "by Alice Agent" in page
    assert "Group: none → Billing" in page


def test_ticket_page_queries_do_not_grow_with_messages(
    client, alice, carol_ticket, django_assert_max_num_queries
):
    client.force_login(alice)
    client.get(url(carol_ticket))
    with django_assert_max_num_queries(30) as few:
        client.get(url(carol_ticket))
    for i in range(15):
        reply(carol_ticket, author=alice, body=f"Update {i}", public=i % 2 == 0)
        update_ticket(carol_ticket, by=alice, changes={"tags": [f"t{i}"]})
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url(carol_ticket))
    assert page.content.count(b'<article class="msg') == 16


def test_reply_with_submit_as_pending_and_signature(
    client, alice, carol_ticket, django_capture_on_commit_callbacks
):
    alice.signature = "Alice, Billing team"
    alice.save()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(carol_ticket, "reply"),
            {"kind": "public", "body": "Refunded.", "submit_status": "pending", "sign": "on"},
        )
    assert response.status_code == 302 and response["Location"].endswith("#latest")
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == Status.PENDING
    message = carol_ticket.messages.latest("id")
    assert message.public and message.body == "Refunded.\n\nAlice, Billing team"
    assert any("Refunded." in m.body and "carol@acme.test" in m.to for m in mail.outbox)


def test_note_mentions_reach_the_agent_and_not_the_customer(
    client, alice, bob, carol_ticket, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url(carol_ticket, "reply"), {"kind": "note", "body": "@bob can you check? SECRET-7"}
        )
    note = carol_ticket.messages.latest("id")
    assert not note.public and note.metadata["mentions"] == [bob.pk]
    mention = [m for m in mail.outbox if "mentioned you" in m.subject]
    assert mention and mention[0].to == ["bob@example.test"]
    assert not any("SECRET-7" in m.body for m in mail.outbox if "carol@acme.test" in m.to)


def test_light_agent_cannot_reply_publicly_but_can_note(client, lena, carol_ticket):
    client.force_login(lena)
    page = client.get(url(carol_ticket)).content.decode()
    assert 'value="public"' not in page
    refused = client.post(url(carol_ticket, "reply"), {"kind": "public", "body": "Hi there"})
    assert refused.status_code == 400 and b"light agents" in refused.content
    assert b"Hi there" in refused.content  # what they typed is kept
    assert not Message.objects.filter(body="Hi there").exists()
    client.post(url(carol_ticket, "reply"), {"kind": "note", "body": "Noted"})
    assert Message.objects.filter(body="Noted", public=False).exists()


def test_empty_reply_is_an_error_not_a_500(client, alice, carol_ticket):
    client.force_login(alice)
    response = client.post(url(carol_ticket, "reply"), {"kind": "public", "body": "  "})
    assert response.status_code == 400 and b"empty" in response.content


def test_properties_panel_and_quick_actions(client, alice, bob, billing, carol_ticket):
    CustomField.objects.create(key="order", label="Order", type=FieldType.NUMBER)
    CustomField.objects.create(key="rush", label="Rush", type=FieldType.CHECKBOX)
    client.force_login(alice)
    client.post(
        url(carol_ticket, "update"),
        {
            "status": "open",
            "priority": "urgent",
            "type": "problem",
            "group": str(billing.pk),
            "assignee": str(bob.pk),
            "tags": "refund vip",
            "cf_order": "1042",
            "cf_rush_present": "1",
            "cf_rush": "on",
            "cc": "dave@acme.test",
            "followers_present": "1",
            "followers": [str(alice.pk)],
        },
    )
    t = Ticket.objects.get(pk=carol_ticket.pk)
    assert (t.status, t.priority, t.type, t.group_id, t.assignee_id) == (
        "open",
        "urgent",
        "problem",
        billing.pk,
        bob.pk,
    )
    assert t.tags == ["refund", "vip"] and t.custom_fields == {"order": 1042, "rush": True}
    assert list(t.cc.values_list("email", flat=True)) == ["dave@acme.test"]
    assert list(t.followers.all()) == [alice]
    client.post(url(t, "update"), {"assignee": "me"})
    client.post(url(t, "update"), {"status": "solved"})
    t.refresh_from_db()
    assert t.assignee_id == alice.pk and t.status == Status.SOLVED


def test_property_errors_are_shown(client, alice, technical, bob, carol_ticket):
    update_ticket(carol_ticket, by=alice, changes={"group": technical})
    client.force_login(bob)
    response = client.post(url(carol_ticket, "update"), {"assignee": "me"})
    assert response.status_code == 400 and b"not in the ticket&#x27;s group" in response.content


def test_merge_link_trash_restore(client, alice, carol, carol_ticket):
    other = create_ticket(by=None, requester=carol, subject="Second", body="x")
    third = create_ticket(by=None, requester=carol, subject="Third", body="y")
    client.force_login(alice)
    client.post(url(third, "link"), {"target": str(other.number), "kind": "related"})
    page = client.get(url(third)).content.decode()
    assert f"#{other.number} Second" in page and f"Linked (related) to #{other.number}" in page
    client.post(
        url(third, "unlink"), {"target": str(other.number), "kind": "related", "outgoing": "1"}
    )
    assert not third.links_out.exists()
    merged = client.post(url(other, "merge"), {"into": str(carol_ticket.number)})
    assert merged["Location"] == url(carol_ticket)
    assert Ticket.objects.get(pk=other.pk).merged_into_id == carol_ticket.pk
    client.post(url(third, "trash"))
    trashed = client.get(url(third)).content.decode()
    assert "in the trash" in trashed
    client.post(url(third, "restore"))
    assert Ticket.objects.get(pk=third.pk).deleted_at is None
    bad = client.post(url(third, "merge"), {"into": "999999"})
    assert bad.status_code == 400 and b"no ticket #999999" in bad.content


def test_agent_opens_a_ticket_for_a_caller(client, alice, billing):
    client.force_login(alice)
    assert client.get("/agent/tickets/new/").status_code == 200
    response = client.post(
        "/agent/tickets/new/",
        {
            "requester": "new.caller@example.org",
            "name": "New Caller",
            "subject": "Phoned about <script>alert(1)</script>",
            "body": "Cannot log in.",
            "channel": "phone",
            "priority": "high",
            "group": str(billing.pk),
            "assign_me": "on",
        },
    )
    ticket = Ticket.objects.latest("number")
    assert response["Location"] == url(ticket)
    assert (ticket.channel, ticket.priority, ticket.assignee_id) == ("phone", "high", alice.pk)
    assert ticket.requester.email == "new.caller@example.org"
    page = client.get(url(ticket)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    bad = client.post("/agent/tickets/new/", {"requester": "x@y.test", "subject": "s", "body": ""})
    assert bad.status_code == 400 and b'value="x@y.test"' in bad.content


def test_search_ranks_highlights_and_filters(client, alice, carol, carol_ticket):
    create_ticket(by=None, requester=carol, subject="Printer jam", body="Paper stuck")
    client.force_login(alice)
    page = client.get("/agent/search/?q=charged").content.decode()
    assert "Invoice 1042 charged twice" in page and "<mark>charged</mark>" in page
    assert "Printer jam" not in page
    filtered = client.get("/agent/search/?q=status:new printer").content.decode()
    assert "Printer jam" in filtered and "Invoice 1042" not in filtered
    only_filters = client.get("/agent/search/?q=requester:carol@acme.test").content.decode()
    assert "Printer jam" in only_filters and "Invoice 1042" in only_filters
    bad = client.get("/agent/search/?q=status:bogus")
    assert bad.status_code == 200 and b'role="alert"' in bad.content
    nothing = client.get("/agent/search/?q=zebra").content.decode()
    assert "Nothing matches" in nothing


def test_search_snippets_escape_ticket_text(client, alice, carol):
    create_ticket(
        by=None, requester=carol, subject="XSS", body="hello <img src=x onerror=alert(1)>"
    )
    client.force_login(alice)
    page = client.get("/agent/search/?q=hello").content.decode()
    assert "<img src=x" not in page and "&lt;img" in page


def test_requester_notes_are_edited_from_the_ticket(client, alice, carol_ticket):
    client.force_login(alice)
    client.post(url(carol_ticket, "requester-notes"), {"notes": "Prefers phone calls."})
    carol_ticket.requester.refresh_from_db()
    assert carol_ticket.requester.notes == "Prefers phone calls."
    assert "Prefers phone calls." in client.get(url(carol_ticket)).content.decode()


def test_missing_ticket_is_a_friendly_404(client, alice):
    client.force_login(alice)
    response = client.get("/agent/tickets/424242/")
    assert response.status_code == 404 and b"your views" in response.content
