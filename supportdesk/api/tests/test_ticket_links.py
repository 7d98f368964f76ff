"""Merging and linking tickets over the API."""

from __future__ import annotations

from supportdesk.tickets.models import Message, TicketLink
from supportdesk.tickets.services import create_ticket, update_ticket


def _ticket(requester, subject="Second"):  # type: ignore[no-untyped-def]
    return create_ticket(by=requester, requester=requester, subject=subject, body="body")


def test_merge_moves_messages_and_closes_the_source(as_user, alice, carol, carol_ticket):
    duplicate = _ticket(carol, "Charged twice again")
    answer = as_user(alice).post(
        f"/tickets/{duplicate.number}/merge", {"into": carol_ticket.number}
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["number"] == carol_ticket.number
    source = as_user(alice).get(f"/tickets/{duplicate.number}").json()
    assert source["status"] == "closed" and source["merged_into"] == carol_ticket.number
    assert Message.objects.filter(ticket=carol_ticket, body="body").exists()


def test_merge_refusals(as_user, alice, carol, erin, carol_ticket):
    duplicate = _ticket(carol)
    path = f"/tickets/{duplicate.number}/merge"
    assert as_user(carol).post(path, {"into": carol_ticket.number}).status_code == 403
    into_self = as_user(alice).post(path, {"into": duplicate.number})
    assert into_self.status_code == 400
    missing = as_user(alice).post(path, {"into": 777777})
    assert missing.status_code == 400 and missing.json()["detail"].startswith("into")
    assert as_user(alice).post(path, {"into": -1}).status_code == 422
    erins = _ticket(erin)
    # Another customer's ticket looks exactly like a missing one through a merge too.
    sneaky = as_user(erin).post(f"/tickets/{erins.number}/merge", {"into": carol_ticket.number})
    assert sneaky.status_code == 400
    assert sneaky.json()["detail"] == f"into: no ticket #{carol_ticket.number}"


def test_link_list_and_unlink(as_user, alice, carol, carol_ticket):
    problem = _ticket(carol, "Outage")
    update_ticket(problem, by=alice, changes={"type": "problem"})
    api = as_user(alice)
    path = f"/tickets/{carol_ticket.number}/links"
    created = api.post(path, {"target": problem.number, "kind": "incident_of"})
    assert created.status_code == 201, created.json()
    link = created.json()
    assert link["kind"] == "incident_of" and link["direction"] == "out"
    assert link["ticket"] == {"number": problem.number, "subject": "Outage", "status": "new"}
    assert api.post(path, {"target": problem.number, "kind": "incident_of"}).status_code == 201
    assert TicketLink.objects.count() == 1
    incoming = api.get(f"/tickets/{problem.number}/links").json()["items"]
    assert [(i["direction"], i["ticket"]["number"]) for i in incoming] == [
        ("in", carol_ticket.number)
    ]
    assert api.delete(path, target=problem.number, kind="incident_of").status_code == 204
    assert api.get(path).json() == {"items": [], "next": None}
    again = api.delete(path, target=problem.number, kind="incident_of")
    assert again.status_code == 400


def test_link_refusals(as_user, alice, carol, carol_ticket):
    other = _ticket(carol)
    api = as_user(alice)
    path = f"/tickets/{carol_ticket.number}/links"
    not_problem = api.post(path, {"target": other.number, "kind": "incident_of"})
    assert not_problem.status_code == 400 and "problem" in not_problem.json()["detail"]
    assert api.post(path, {"target": other.number, "kind": "cousin_of"}).status_code == 422
    assert api.post(path, {"target": 999999, "kind": "related"}).status_code == 400
    customer = as_user(carol).post(path, {"target": other.number, "kind": "related"})
    assert customer.status_code == 403
    assert api.delete(path, target=other.number, kind="nonsense").status_code == 422


def test_customer_sees_only_links_to_tickets_they_may_see(
    as_user, alice, carol, erin, carol_ticket
):
    theirs = _ticket(erin)
    mine = _ticket(carol)
    api = as_user(alice)
    api.post(f"/tickets/{carol_ticket.number}/links", {"target": theirs.number, "kind": "related"})
    api.post(f"/tickets/{carol_ticket.number}/links", {"target": mine.number, "kind": "related"})
    assert len(api.get(f"/tickets/{carol_ticket.number}/links").json()["items"]) == 2
    seen = as_user(carol).get(f"/tickets/{carol_ticket.number}/links").json()["items"]
    assert [i["ticket"]["number"] for i in seen] == [mine.number]


def test_link_list_query_count_is_fixed(
    as_user, alice, carol, carol_ticket, django_assert_max_num_queries
):
    api = as_user(alice)
    for _ in range(8):
        other = _ticket(carol)
        api.post(
            f"/tickets/{carol_ticket.number}/links", {"target": other.number, "kind": "related"}
        )
    api.get("/me")
    # token, ticket (+cc, followers), links with both tickets
    with django_assert_max_num_queries(5):
        answer = api.get(f"/tickets/{carol_ticket.number}/links", limit=100)
    assert len(answer.json()["items"]) == 8
