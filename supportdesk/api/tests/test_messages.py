"""Messages and events of a ticket: replies, internal notes, attachments, the trail."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from supportdesk.tickets.models import Attachment, Message, Ticket
from supportdesk.tickets.services import reply, update_ticket

MB = 1024 * 1024


def _multipart(api, path, data):  # type: ignore[no-untyped-def]
    return api.client.post(f"/api/v1{path}", data)  # the test client encodes multipart


def test_agent_reply_and_internal_note(as_user, carol_ticket, alice):
    api = as_user(alice)
    path = f"/tickets/{carol_ticket.number}/messages"
    answer = api.post(path, {"body": "We refunded you.", "status": "pending"})
    assert answer.status_code == 201, answer.json()
    message = answer.json()
    assert message["public"] is True and message["body"] == "We refunded you."
    assert message["author"] == {"id": alice.pk, "name": "Alice Agent", "email": alice.email}
    assert message["ticket"] == carol_ticket.number and message["attachments"] == []
    assert message["channel"] == "api"
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == "pending" and carol_ticket.first_reply_at is not None
    note = api.post(path, {"body": "Customer asked twice", "public": False}).json()
    assert note["public"] is False


def test_customer_never_sees_internal_notes_in_messages_or_events(
    as_user, carol_ticket, carol, alice, bob
):
    reply(carol_ticket, author=alice, body="internal: check fraud list", public=False)
    reply(carol_ticket, author=alice, body="Refund done")
    update_ticket(carol_ticket, by=alice, changes={"followers": [bob]})
    number = carol_ticket.number
    bodies = [m["body"] for m in as_user(carol).get(f"/tickets/{number}/messages").json()["items"]]
    assert "internal: check fraud list" not in bodies and "Refund done" in bodies
    events = as_user(carol).get(f"/tickets/{number}/events").json()["items"]
    assert events and all(e["public"] for e in events)
    assert "followers" not in {e["field"] for e in events}
    agent_events = as_user(alice).get(f"/tickets/{number}/events").json()["items"]
    assert len(agent_events) > len(events)
    agent_bodies = [
        m["body"] for m in as_user(alice).get(f"/tickets/{number}/messages").json()["items"]
    ]
    assert "internal: check fraud list" in agent_bodies


def test_events_show_actor_field_values_and_source(as_user, carol_ticket, alice):
    as_user(alice).patch(f"/tickets/{carol_ticket.number}", {"priority": "urgent"})
    events = as_user(alice).get(f"/tickets/{carol_ticket.number}/events").json()["items"]
    change = next(e for e in events if e["field"] == "priority")
    assert change["old"] == "normal" and change["new"] == "urgent"
    assert change["actor"]["id"] == alice.pk and change["source"] == "api"
    assert change["kind"] == "changed" and change["rule"] == ""
    assert events[0]["kind"] == "created"


def test_messages_and_events_of_other_customers_tickets_are_404(as_user, carol_ticket, erin):
    for what in ("messages", "events", "links"):
        answer = as_user(erin).get(f"/tickets/{carol_ticket.number}/{what}")
        assert answer.status_code == 404, what
    path = f"/tickets/{carol_ticket.number}/messages"
    assert as_user(erin).post(path, {"body": "let me in"}).status_code == 404
    assert Message.objects.filter(ticket=carol_ticket).count() == 1


def test_light_agent_may_note_but_not_reply_publicly(as_user, carol_ticket, lena):
    path = f"/tickets/{carol_ticket.number}/messages"
    refused = as_user(lena).post(path, {"body": "Hi Carol"})
    assert refused.status_code == 403
    assert as_user(lena).post(path, {"body": "seen it", "public": False}).status_code == 201


def test_customer_cannot_add_notes_or_set_other_statuses(as_user, carol_ticket, carol):
    path = f"/tickets/{carol_ticket.number}/messages"
    assert as_user(carol).post(path, {"body": "x", "public": False}).status_code == 403
    assert as_user(carol).post(path, {"body": "x", "status": "on-hold"}).status_code == 403
    assert as_user(carol).post(path, {"body": "thanks", "status": "solved"}).status_code == 201
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == "solved"


def test_light_agent_note_cannot_change_the_status(as_user, carol_ticket, lena):
    path = f"/tickets/{carol_ticket.number}/messages"
    answer = as_user(lena).post(path, {"body": "x", "public": False, "status": "solved"})
    assert answer.status_code == 403
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == "new"


def test_message_body_errors(as_user, carol_ticket, alice):
    api = as_user(alice)
    path = f"/tickets/{carol_ticket.number}/messages"
    assert api.post(path, {"body": "   "}).status_code == 400
    invalid = api.post(path, {"body": "x", "public": "sometimes"})
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "public"]
    assert api.post(path, ["not", "an", "object"]).status_code == 422
    broken = api.client.post(f"/api/v1{path}", "{oops", content_type="application/json")
    assert broken.status_code == 400 and "JSON" in broken.json()["detail"]
    text = api.client.post(f"/api/v1{path}", "hello", content_type="text/plain")
    assert text.status_code == 415


def test_multipart_reply_with_attachments_and_download_rights(
    as_user, carol_ticket, carol, alice, erin
):
    api = as_user(alice)
    answer = _multipart(
        api,
        f"/tickets/{carol_ticket.number}/messages",
        {
            "body": "Here is the receipt",
            "public": "true",
            "attachments": [
                SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 data", content_type="application/pdf"),
                SimpleUploadedFile("../../etc/passwd", b"x", content_type="text/plain"),
            ],
        },
    )
    assert answer.status_code == 201, answer.json()
    files = answer.json()["attachments"]
    assert [f["filename"] for f in files] == ["receipt.pdf", "passwd"]
    assert files[0]["size"] == len(b"%PDF-1.4 data")
    assert files[0]["content_type"] == "application/pdf"
    url = files[0]["url"]
    assert url == f"/files/{files[0]['token']}/receipt.pdf"
    owner = Client()
    owner.force_login(carol)
    download = owner.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 data"
    stranger = Client()
    stranger.force_login(erin)
    assert stranger.get(url).status_code == 404


def test_attachment_on_internal_note_is_hidden_from_customer(as_user, carol_ticket, carol, alice):
    answer = _multipart(
        as_user(alice),
        f"/tickets/{carol_ticket.number}/messages",
        {"body": "scan", "public": "false", "attachments": [SimpleUploadedFile("id.png", b"png")]},
    )
    assert answer.status_code == 201
    owner = Client()
    owner.force_login(carol)
    assert owner.get(answer.json()["attachments"][0]["url"]).status_code == 404


def test_fifty_megabyte_attachment_is_a_413_json_answer(as_user, carol_ticket, alice):
    big = SimpleUploadedFile("big.bin", b"\0" * (50 * MB), content_type="application/octet-stream")
    answer = _multipart(
        as_user(alice),
        f"/tickets/{carol_ticket.number}/messages",
        {"body": "x", "attachments": [big]},
    )
    assert answer.status_code == 413
    assert answer["Content-Type"].startswith("application/json")
    assert "limit" in answer.json()["detail"]
    assert not Attachment.objects.exists()
    assert Message.objects.filter(ticket=carol_ticket).count() == 1


@override_settings(MAX_ATTACHMENT_BYTES=1000)
def test_attachment_over_the_file_limit_is_413_and_stores_nothing(as_user, carol_ticket, alice):
    answer = _multipart(
        as_user(alice),
        f"/tickets/{carol_ticket.number}/messages",
        {"body": "x", "attachments": [SimpleUploadedFile("a.bin", b"1" * 1001)]},
    )
    assert answer.status_code == 413
    assert "a.bin" in answer.json()["detail"]
    assert Message.objects.filter(ticket=carol_ticket).count() == 1


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_json_body_over_the_request_cap_is_413(as_user, alice, carol):
    answer = as_user(alice).post("/tickets", {"subject": "x", "body": "y" * 5000})
    assert answer.status_code == 413
    assert answer.json() == {"detail": "the request body is over 1,000 bytes"}
    assert not Ticket.objects.exists()


def test_customer_reply_to_closed_ticket_opens_follow_up(as_user, carol_ticket, carol, alice):
    update_ticket(carol_ticket, by=alice, changes={"status": "solved"})
    update_ticket(carol_ticket, by=alice, changes={"status": "closed"})
    answer = as_user(carol).post(f"/tickets/{carol_ticket.number}/messages", {"body": "again"})
    assert answer.status_code == 201
    follow_up = answer.json()["ticket"]
    assert follow_up != carol_ticket.number
    assert as_user(carol).get(f"/tickets/{follow_up}").json()["follow_up_of"] == carol_ticket.number
    refused = as_user(alice).post(f"/tickets/{carol_ticket.number}/messages", {"body": "hi"})
    assert refused.status_code == 400


def test_message_and_event_pages_walk_without_repeats(
    as_user, carol_ticket, alice, django_assert_max_num_queries
):
    for i in range(11):
        reply(carol_ticket, author=alice, body=f"note {i}", public=False)
    api = as_user(alice)
    for what, total in (("messages", 12), ("events", 12)):
        ids, cursor = [], None
        while True:
            params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
            page = api.get(f"/tickets/{carol_ticket.number}/{what}", **params).json()
            ids += [item["id"] for item in page["items"]]
            cursor = page["next"]
            if cursor is None:
                break
        assert len(ids) == len(set(ids)) >= total, what
        assert ids == sorted(ids)
    # token, ticket (+cc, followers), messages, attachments
    with django_assert_max_num_queries(6):
        api.get(f"/tickets/{carol_ticket.number}/messages", limit=100)
    # token, ticket (+cc, followers), events
    with django_assert_max_num_queries(5):
        api.get(f"/tickets/{carol_ticket.number}/events", limit=100)
