"""Tickets over the API: create, read, change, trash, restore, delete for good."""

from __future__ import annotations

from datetime import datetime

from supportdesk.accounts.models import User
from supportdesk.tickets.models import CustomField, Message, Ticket, TicketEvent, TicketForm
from supportdesk.tickets.services import update_ticket


def test_agent_creates_ticket_for_new_customer_who_authors_first_message(as_user, alice, billing):
    api = as_user(alice)
    answer = api.post(
        "/tickets",
        {
            "subject": "Phone: printer on fire",
            "body": "Caller says the printer is on fire.",
            "requester": "New.Person@Example.test",
            "requester_name": "New Person",
            "channel": "phone",
            "priority": "urgent",
            "type": "incident",
            "tags": ["Fire", "printer"],
            "group": "Billing",
            "assignee": alice.email,
        },
    )
    assert answer.status_code == 201, answer.json()
    ticket = answer.json()
    assert ticket["requester"]["email"] == "new.person@example.test"
    assert ticket["requester"]["name"] == "New Person"
    assert ticket["channel"] == "phone"
    assert ticket["priority"] == "urgent" and ticket["type"] == "incident"
    assert ticket["tags"] == ["fire", "printer"]
    assert ticket["group"] == {"id": billing.pk, "name": "Billing"}
    assert ticket["assignee"] == {"id": alice.pk, "name": "Alice Agent", "email": alice.email}
    assert ticket["status"] == "open"  # assigning opens it
    first = Message.objects.get(ticket_id=ticket["number"])
    assert first.author.email == "new.person@example.test" and first.public
    created = TicketEvent.objects.filter(ticket_id=ticket["number"], kind="created").get()
    assert created.source == "api" and created.actor_id == alice.pk


def test_channel_defaults_to_api_and_times_carry_an_offset(as_user, carol):
    answer = as_user(carol).post("/tickets", {"subject": "Hello", "body": "Help me"})
    assert answer.status_code == 201
    ticket = answer.json()
    assert ticket["channel"] == "api"
    assert ticket["requester"]["id"] == carol.pk
    assert ticket["organization"]["name"] == "Acme"
    created = datetime.fromisoformat(ticket["created_at"])
    assert created.utcoffset() is not None


def test_customer_files_only_for_themself_and_sets_no_agent_fields(as_user, carol, erin, billing):
    api = as_user(carol)
    assert (
        api.post("/tickets", {"subject": "x", "body": "y", "requester": carol.email}).status_code
        == 201
    )
    other = api.post("/tickets", {"subject": "x", "body": "y", "requester": erin.email})
    assert other.status_code == 403
    assert "themselves" in other.json()["detail"]
    unknown = api.post("/tickets", {"subject": "x", "body": "y", "requester": "ghost@nowhere.test"})
    assert unknown.status_code == 403
    assert not User.objects.filter(email="ghost@nowhere.test").exists()
    for field, value in (("channel", "phone"), ("status", "pending"), ("group", "Billing")):
        answer = api.post("/tickets", {"subject": "x", "body": "y", field: value})
        assert answer.status_code == 403, (field, answer.json())


def test_refused_ticket_leaves_no_new_customer_behind(as_user, lena):
    answer = as_user(lena).post(
        "/tickets", {"subject": "x", "body": "y", "requester": "brand.new@example.test"}
    )
    assert answer.status_code == 403
    assert not User.objects.filter(email="brand.new@example.test").exists()


def test_unknown_references_are_400_naming_the_field(as_user, alice, carol):
    api = as_user(alice)
    base = {"subject": "x", "body": "y", "requester": carol.email}
    for field, value, word in (
        ("group", "Nonexistent", "group"),
        ("group", 999999, "group"),
        ("assignee", "nobody@example.test", "assignee"),
        ("cc", ["nobody@example.test"], "cc"),
        ("form", "No such form", "form"),
    ):
        answer = api.post("/tickets", {**base, field: value})
        assert answer.status_code == 400, answer.json()
        assert answer.json()["detail"].startswith(word), answer.json()
    assert api.post("/tickets", {**base, "requester": 987654}).status_code == 400
    assert Ticket.objects.count() == 0


def test_schema_mismatch_is_422_with_field_locations(as_user, alice):
    api = as_user(alice)
    answer = api.post("/tickets", {"body": "no subject", "priority": "whenever"})
    assert answer.status_code == 422
    locations = {tuple(e["loc"]) for e in answer.json()["detail"]}
    assert ("body", "data", "subject") in locations
    assert ("body", "data", "priority") in locations


def test_script_in_subject_is_stored_and_returned_verbatim(as_user, carol):
    subject = '<script>alert("x")</script> & <b>bold</b>'
    answer = as_user(carol).post("/tickets", {"subject": subject, "body": "<img src=x onerror=1>"})
    assert answer.status_code == 201
    number = answer.json()["number"]
    assert answer.json()["subject"] == subject
    assert Ticket.objects.get(pk=number).subject == subject
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    again = as_user(carol).get(f"/tickets/{number}").json()
    assert again["subject"] == subject


def test_read_ticket_is_404_for_missing_and_for_other_customers(as_user, carol_ticket, erin, dave):
    number = carol_ticket.number
    for person in (erin, dave):
        answer = as_user(person).get(f"/tickets/{number}")
        assert answer.status_code == 404
        assert answer.json() == {"detail": "no such ticket"}
    assert as_user(erin).get("/tickets/999999").json() == {"detail": "no such ticket"}
    assert as_user(erin).get("/tickets/abc").status_code == 422
    assert as_user(erin).get("/tickets/99999999999999999999999").status_code == 422


def test_ticket_read_shows_fields_and_hides_followers_from_customers(
    as_user, carol_ticket, carol, alice, bob, erin
):
    update_ticket(carol_ticket, by=alice, changes={"followers": [bob], "cc": [erin]})
    agent_view = as_user(alice).get(f"/tickets/{carol_ticket.number}").json()
    assert [f["email"] for f in agent_view["followers"]] == [bob.email]
    assert [c["email"] for c in agent_view["cc"]] == [erin.email]
    customer_view = as_user(carol).get(f"/tickets/{carol_ticket.number}").json()
    assert customer_view["followers"] == []
    expected = {
        "number", "subject", "status", "priority", "type", "channel", "requester",
        "organization", "group", "assignee", "cc", "followers", "tags", "custom_fields",
        "form", "message_count", "follow_up_of", "merged_into", "created_at", "updated_at",
        "last_activity_at", "first_reply_at", "solved_at", "closed_at", "deleted_at",
    }  # fmt: skip
    assert set(customer_view) == expected
    assert customer_view["message_count"] == 1


def test_patch_changes_only_the_fields_sent(as_user, carol_ticket, alice, billing, erin):
    api = as_user(alice)
    path = f"/tickets/{carol_ticket.number}"
    answer = api.patch(path, {"priority": "high", "group": billing.pk, "tags": ["refund"]})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["priority"] == "high"
    assert answer.json()["group"]["name"] == "Billing"
    answer = api.patch(path, {"assignee": alice.pk, "cc": [erin.email], "subject": "Refund"})
    body = answer.json()
    assert body["priority"] == "high" and body["tags"] == ["refund"]
    assert body["assignee"]["id"] == alice.pk and body["cc"][0]["id"] == erin.pk
    assert body["subject"] == "Refund"
    cleared = api.patch(path, {"assignee": None, "group": None}).json()
    assert cleared["assignee"] is None and cleared["group"] is None
    assert api.patch(path, {"priority": None}).status_code == 422
    events = TicketEvent.objects.filter(ticket=carol_ticket, kind="changed")
    assert {e.source for e in events} == {"api"}


def test_patch_refusals(as_user, carol_ticket, carol, alice, lena, bob, technical):
    path = f"/tickets/{carol_ticket.number}"
    assert as_user(lena).patch(path, {"priority": "high"}).status_code == 403
    assert as_user(carol).patch(path, {"priority": "high"}).status_code == 403
    bad_status = as_user(alice).patch(path, {"status": "closed"})
    assert bad_status.status_code == 400 and "status" in bad_status.json()["detail"]
    as_user(alice).patch(path, {"group": technical.pk})
    not_member = as_user(alice).patch(path, {"assignee": bob.email})
    assert not_member.status_code == 400 and "assignee" in not_member.json()["detail"]
    assert as_user(alice).patch(path, {"group": "Nope"}).status_code == 400
    solved = as_user(carol).patch(path, {"status": "solved"})
    assert solved.status_code == 200 and solved.json()["status"] == "solved"
    assert solved.json()["solved_at"] is not None


def test_trash_restore_and_delete_for_good(as_user, carol_ticket, carol, alice, admin):
    path = f"/tickets/{carol_ticket.number}"
    assert as_user(carol).delete(path).status_code == 403
    assert as_user(alice).delete(path, permanent="true").status_code == 400  # not in trash
    assert as_user(alice).delete(path).status_code == 204
    assert as_user(alice).get(path).status_code == 404
    assert as_user(carol).get(path).status_code == 404
    trash = as_user(alice).get("/tickets", trashed="true").json()
    assert [t["number"] for t in trash["items"]] == [carol_ticket.number]
    assert trash["items"][0]["deleted_at"] is not None
    assert as_user(carol).get("/tickets", trashed="true").status_code == 403
    restored = as_user(alice).post(f"{path}/restore")
    assert restored.status_code == 200 and restored.json()["deleted_at"] is None
    assert as_user(alice).post(f"{path}/restore").status_code == 400
    assert as_user(alice).delete(path).status_code == 204
    assert as_user(alice).delete(path, permanent="true").status_code == 403
    assert as_user(admin).delete(path, permanent="true").status_code == 204
    assert not Ticket.objects.filter(pk=carol_ticket.number).exists()
    assert as_user(admin).delete(path, permanent="true").status_code == 404


def test_closed_and_trashed_tickets_refuse_changes_with_400(as_user, carol_ticket, alice):
    update_ticket(carol_ticket, by=alice, changes={"status": "solved"})
    update_ticket(carol_ticket, by=alice, changes={"status": "closed"})
    answer = as_user(alice).patch(f"/tickets/{carol_ticket.number}", {"priority": "low"})
    assert answer.status_code == 400 and "closed" in answer.json()["detail"]


def test_customer_never_sees_internal_custom_fields(as_user, carol_ticket, carol, alice):
    CustomField.objects.create(
        key="risk", label="Risk", type="dropdown", options=["low", "high"], customer_visible=False
    )
    CustomField.objects.create(key="order", label="Order", type="text")
    path = f"/tickets/{carol_ticket.number}"
    changed = as_user(alice).patch(path, {"custom_fields": {"risk": "high", "order": "A-1"}})
    assert changed.json()["custom_fields"] == {"risk": "high", "order": "A-1"}
    assert as_user(carol).get(path).json()["custom_fields"] == {"order": "A-1"}
    listed = as_user(carol).get("/tickets").json()["items"][0]
    assert listed["custom_fields"] == {"order": "A-1"}
    bad = as_user(alice).patch(path, {"custom_fields": {"risk": "extreme"}})
    assert bad.status_code == 400 and "risk" in bad.json()["detail"]


def test_form_requires_its_fields_on_create(as_user, carol):
    field = CustomField.objects.create(key="order", label="Order", type="text", required=True)
    form = TicketForm.objects.create(name="Order problem")
    form.fields.add(field)
    api = as_user(carol)
    missing = api.post("/tickets", {"subject": "Late", "body": "x", "form": "Order problem"})
    assert missing.status_code == 400 and "order" in missing.json()["detail"]
    answer = api.post(
        "/tickets",
        {"subject": "Late", "body": "x", "form": form.pk, "custom_fields": {"order": "A-7"}},
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["form"] == {"id": form.pk, "name": "Order problem"}
    assert answer.json()["custom_fields"] == {"order": "A-7"}
    unknown = api.post("/tickets", {"subject": "x", "body": "y", "custom_fields": {"nope": 1}})
    assert unknown.status_code == 400 and "nope" in unknown.json()["detail"]
