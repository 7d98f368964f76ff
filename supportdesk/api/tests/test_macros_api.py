"""/api/v1/macros and /api/v1/tickets/{number}/macros/{id}/apply over HTTP."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from supportdesk.automation.models import Macro, MacroUse
from supportdesk.tickets.models import Message, TicketEvent

REFUND = {
    "name": "Refund",
    "folder": "Billing",
    "body": (
        "Hello {{ requester.first_name }}, #{{ ticket.number }} is refunded. {{ agent.first_name }}"
    ),
    "chat_body": "Refunded, {{ requester.first_name }}!",
    "actions": [
        {"action": "set_status", "value": "pending"},
        {"action": "add_tags", "value": ["refund"]},
    ],
}


def test_agent_creates_reads_lists_changes_and_deletes_a_personal_macro(
    as_user, alice, bob, django_assert_max_num_queries
):
    client = as_user(alice)
    created = client.post("/macros", REFUND)
    assert created.status_code == 201, created.json()
    macro = created.json()
    assert macro["owner"] == {"id": alice.pk, "name": "Alice Agent", "email": alice.email}
    assert macro["actions"][0] == {"action": "set_status", "value": "pending"}
    assert macro["last_used_at"] is None and macro["uses_90_days"] == 0
    assert macro["public"] and macro["enabled"] and macro["position"] == 0

    for i in range(3):
        client.post("/macros", {**REFUND, "name": f"Other {i}", "folder": "Z"})
    with django_assert_max_num_queries(4):
        page = client.get("/macros", limit=2).json()
    assert [m["name"] for m in page["items"]] == ["Refund", "Other 0"]
    rest = client.get("/macros", limit=2, cursor=page["next"]).json()
    assert [m["name"] for m in rest["items"]] == ["Other 1", "Other 2"] and rest["next"] is None
    assert [
        m["name"] for m in client.get("/macros", q="refunded", folder="Billing").json()["items"]
    ] == ["Refund"]
    assert as_user(bob).get("/macros").json()["items"] == []
    assert as_user(bob).get(f"/macros/{macro['id']}").status_code == 404

    patched = client.patch(f"/macros/{macro['id']}", {"name": "Refund done", "enabled": False})
    assert patched.status_code == 200, patched.json()
    assert patched.json()["name"] == "Refund done" and patched.json()["body"] == REFUND["body"]
    put = client.client.put(
        f"/api/v1/macros/{macro['id']}",
        json.dumps({"name": "Short", "body": "Thanks!"}),
        content_type="application/json",
    )
    assert put.status_code == 200, put.json()
    assert put.json()["actions"] == [] and put.json()["chat_body"] == ""
    assert client.get(f"/macros/{macro['id']}").json()["name"] == "Short"
    assert as_user(bob).delete(f"/macros/{macro['id']}").status_code == 404
    assert client.delete(f"/macros/{macro['id']}").status_code == 204
    assert client.get(f"/macros/{macro['id']}").status_code == 404


def test_shared_macros_are_for_admins_to_save_and_everyone_to_read(
    as_user, admin, alice, lena, carol
):
    assert as_user(alice).post("/macros", {**REFUND, "shared": True}).status_code == 403
    shared = as_user(admin).post("/macros", {**REFUND, "shared": True})
    assert shared.status_code == 201 and shared.json()["owner"] is None
    macro_id = shared.json()["id"]
    assert as_user(alice).get(f"/macros/{macro_id}").status_code == 200
    assert as_user(alice).patch(f"/macros/{macro_id}", {"name": "Mine"}).status_code == 403
    assert as_user(lena).get(f"/macros/{macro_id}").status_code == 404
    assert as_user(lena).post("/macros", REFUND).status_code == 403
    assert as_user(carol).get("/macros").status_code == 403
    assert as_user(carol).get(f"/macros/{macro_id}").status_code == 404


def test_bad_macros_are_400_or_422_with_the_field(as_user, alice):
    client = as_user(alice)
    bad_action = client.post(
        "/macros", {**REFUND, "actions": [{"action": "set_status", "value": "gone"}]}
    )
    assert bad_action.status_code == 400
    assert bad_action.json()["detail"].startswith("actions[0].value: status 'gone'")
    unknown = client.post("/macros", {**REFUND, "actions": [{"action": "explode", "value": 1}]})
    assert unknown.status_code == 400 and "unknown action 'explode'" in unknown.json()["detail"]
    hostile = client.post("/macros", {**REFUND, "body": "{{ ''.__class__.__mro__ }}"})
    assert hostile.status_code == 400 and "unsafe" in hostile.json()["detail"]
    typo = client.post("/macros", {**REFUND, "body": "Hi {{ requester.frist_name }}"})
    assert typo.status_code == 400 and typo.json()["detail"].startswith("body")
    assert client.post("/macros", {**REFUND, "colour": "red"}).status_code == 422
    assert client.post("/macros", {**REFUND, "name": ""}).status_code == 422
    client.post("/macros", REFUND)
    twin = client.post("/macros", REFUND)
    assert twin.status_code == 400 and "already" in twin.json()["detail"]
    assert client.get("/macros", cursor="nonsense").status_code == 400
    assert not Macro.objects.filter(name="Refund").exclude(pk=Macro.objects.first().pk).exists()


def test_apply_previews_without_saving_and_commits_with_the_changes(as_user, alice, carol_ticket):
    client = as_user(alice)
    macro = client.post("/macros", REFUND).json()
    url = f"/tickets/{carol_ticket.pk}/macros/{macro['id']}/apply"
    before = (Message.objects.count(), TicketEvent.objects.count())

    preview = client.post(url)
    assert preview.status_code == 200, preview.json()
    body = f"Hello Carol, #{carol_ticket.pk} is refunded. Alice"
    assert preview.json() == {
        "reply": {"body": body, "public": True},
        "changes": [
            {"field": "status", "from": "new", "to": "pending"},
            {"field": "tags", "from": [], "to": ["refund"]},
        ],
        "lines": ["Status: new → pending", "Tags: none → refund"],
        "committed": False,
        "message_id": None,
    }
    chat = client.post(url, {"channel": "chat"}).json()
    assert chat["reply"]["body"] == "Refunded, Carol!"
    assert (Message.objects.count(), TicketEvent.objects.count()) == before
    assert not MacroUse.objects.exists()

    done = client.post(url + "?commit=true")
    assert done.status_code == 200, done.json()
    assert done.json()["committed"] and done.json()["reply"]["body"] == body
    message = client.get(f"/tickets/{carol_ticket.pk}/messages").json()["items"][-1]
    assert message["id"] == done.json()["message_id"] and message["body"] == body
    ticket = client.get(f"/tickets/{carol_ticket.pk}").json()
    assert ticket["status"] == "pending" and ticket["tags"] == ["refund"]
    events = client.get(f"/tickets/{carol_ticket.pk}/events", limit=100).json()["items"]
    assert {e.get("rule") for e in events[-3:]} == {"macro 'Refund'"}

    listed = client.get(f"/macros/{macro['id']}").json()
    assert listed["uses_90_days"] == 1 and listed["last_used_at"] is not None
    MacroUse.objects.update(used_at=timezone.now() - timedelta(days=91))
    assert client.get(f"/macros/{macro['id']}").json()["uses_90_days"] == 0


def test_apply_is_404_for_tickets_and_macros_out_of_reach(
    as_user, admin, alice, lena, carol, erin, carol_ticket
):
    shared = as_user(admin).post("/macros", {**REFUND, "shared": True}).json()
    url = f"/tickets/{carol_ticket.pk}/macros/{shared['id']}/apply"
    assert as_user(erin).post(url).status_code == 404
    assert as_user(carol).post(url).status_code == 404
    assert as_user(lena).post(url).status_code == 404
    assert as_user(lena).post(url + "?commit=true").status_code == 404
    assert (
        as_user(alice)
        .post(f"/tickets/{carol_ticket.pk + 100}/macros/{shared['id']}/apply")
        .status_code
        == 404
    )
    assert as_user(alice).post(f"/tickets/{carol_ticket.pk}/macros/999999/apply").status_code == 404
    assert as_user(alice).post(url, {"channel": "fax"}).status_code == 422
    assert as_user(alice).post(url, {"colour": "red"}).status_code == 422
    assert not MacroUse.objects.exists() and carol_ticket.messages.count() == 1

    personal = as_user(admin).post("/macros", REFUND).json()
    theirs = f"/tickets/{carol_ticket.pk}/macros/{personal['id']}/apply"
    assert as_user(alice).post(theirs).status_code == 404
    assert as_user(alice).patch(f"/macros/{shared['id']}", {"enabled": False}).status_code == 403
    as_user(admin).patch(f"/macros/{shared['id']}", {"enabled": False})
    disabled = as_user(alice).post(url + "?commit=true")
    assert disabled.status_code == 400 and "disabled" in disabled.json()["detail"]
