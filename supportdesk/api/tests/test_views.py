"""/api/v1/views: saved views over HTTP."""

from __future__ import annotations

from supportdesk.tickets.services import create_ticket, update_ticket

URGENT = {"all": [{"field": "priority", "operator": "is", "value": "urgent"}], "any": []}


def test_agent_creates_a_view_and_reads_its_tickets_and_count(
    as_user, alice, bob, carol, django_assert_max_num_queries
):
    tickets = [
        create_ticket(by=carol, requester=carol, subject=f"Down {i}", body="x") for i in range(3)
    ]
    for t in tickets[:2]:
        update_ticket(t, by=alice, changes={"priority": "urgent"})
    created = as_user(alice).post("/views", {"name": "Urgent", "conditions": URGENT})
    assert created.status_code == 201, created.json()
    view = created.json()
    assert view["columns"] and view["sort"] == "-updated_at" and not view["shared"]
    client = as_user(alice)
    with django_assert_max_num_queries(8):
        listed = client.get(f"/views/{view['id']}/tickets").json()
    assert sorted(t["number"] for t in listed["items"]) == sorted(t.pk for t in tickets[:2])
    assert client.get(f"/views/{view['id']}/count").json() == {"count": 2, "capped": False}
    assert as_user(bob).get(f"/views/{view['id']}").status_code == 404
    assert as_user(carol).get("/views").status_code == 403


def test_bad_views_are_400_with_the_reason(as_user, alice):
    bad = {
        "name": "x",
        "conditions": {"all": [{"field": "colour", "operator": "is", "value": "red"}], "any": []},
    }
    answer = as_user(alice).post("/views", bad)
    assert answer.status_code == 400 and "unknown field" in answer.json()["detail"]
    assert as_user(alice).post("/views", {"name": "x", "sort": "subject"}).status_code == 422
    shared = as_user(alice).post("/views", {"name": "x", "shared": True})
    assert shared.status_code == 403


def test_owner_renames_and_deletes_a_view(as_user, alice):
    view = as_user(alice).post("/views", {"name": "Mine"}).json()
    renamed = as_user(alice).patch(f"/views/{view['id']}", {"name": "Mine too"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Mine too"
    assert as_user(alice).delete(f"/views/{view['id']}").status_code == 204
    assert as_user(alice).get(f"/views/{view['id']}").status_code == 404
