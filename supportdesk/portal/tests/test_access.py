"""Who gets where: the root, the login wall, agents sent to the workspace, and the same
404 for another customer's request on every page and action."""

from __future__ import annotations

import pytest

from supportdesk.tickets.models import Status


def test_root_sends_each_kind_of_person_to_their_start(client, carol, alice):
    assert client.get("/").url == "/login/"
    client.force_login(carol)
    assert client.get("/").url == "/requests/"
    client.force_login(alice)
    assert client.get("/").url == "/agent/"


@pytest.mark.parametrize("path", ["/requests/", "/requests/new/", "/requests/7/"])
def test_anonymous_people_are_sent_to_log_in_and_back(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == f"/login/?next={path}"


def test_agents_are_sent_to_the_workspace(client, alice, carol_ticket):
    client.force_login(alice)
    assert client.get("/requests/").url == "/agent/"
    page = client.get(f"/requests/{carol_ticket.pk}/")
    assert page.url == f"/agent/tickets/{carol_ticket.pk}/"


def test_another_customers_request_is_not_found_on_every_page_and_action(
    client, carol_ticket, dave, erin
):
    n = carol_ticket.pk
    for person in (dave, erin):
        client.force_login(person)
        assert client.get(f"/requests/{n}/").status_code == 404
        assert client.post(f"/requests/{n}/reply/", {"body": "mine now"}).status_code == 404
        assert client.post(f"/requests/{n}/solve/").status_code == 404
        assert client.get("/requests/999999/").status_code == 404
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == Status.NEW and carol_ticket.message_count == 1


def test_a_colleague_sees_the_request_only_when_the_organization_shares(
    client, carol_ticket, dave, acme_shares
):
    client.force_login(dave)
    page = client.get(f"/requests/{carol_ticket.pk}/")
    assert page.status_code == 200
    assert b"Invoice 1042 charged twice" in page.content
    assert b"by Carol Customer" in page.content

    from supportdesk.accounts.services import save_organization

    save_organization(by=None, organization=acme_shares, shared_tickets=False)
    assert client.get(f"/requests/{carol_ticket.pk}/").status_code == 404


def test_reply_and_solve_by_get_go_back_to_the_request(client, carol, carol_ticket):
    client.force_login(carol)
    for action in ("reply", "solve"):
        response = client.get(f"/requests/{carol_ticket.pk}/{action}/")
        assert response.url == f"/requests/{carol_ticket.pk}/"


def test_forms_with_files_still_need_the_csrf_token(carol, carol_ticket):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(carol)
    assert strict.post("/requests/new/", {"subject": "x", "body": "y"}).status_code == 403
    reply = strict.post(f"/requests/{carol_ticket.pk}/reply/", {"body": "y"})
    assert reply.status_code == 403
    assert strict.post(f"/requests/{carol_ticket.pk}/solve/").status_code == 403
    page = strict.get("/requests/new/")
    token = page.context["csrf_token"]
    sent = strict.post(
        "/requests/new/", {"subject": "x", "body": "y", "csrfmiddlewaretoken": token}
    )
    assert sent.status_code == 302
