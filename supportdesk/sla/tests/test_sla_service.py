"""Calendars and policies through the API, and clocks kept by the services."""

from __future__ import annotations

import pytest

from supportdesk.accounts.services import create_token
from supportdesk.sla.models import TicketSla
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import create_ticket, reply, update_ticket

BERLIN = {
    "name": "Berlin office",
    "timezone": "Europe/Berlin",
    "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": {"country": "DE", "subdivision": "BE", "dates": ["2026-12-24"]},
}
URGENT = {
    "name": "Urgent",
    "position": 1,
    "enabled": True,
    "calendar": "Berlin office",
    "business_hours": True,
    "conditions": {"all": [{"field": "priority", "operator": "is", "value": "urgent"}], "any": []},
    "targets": {"first_reply": 60, "next_reply": 120, "resolution": 480},
    "pause_on": ["pending", "on-hold"],
}
EVERYONE = {
    "name": "Everyone",
    "position": 2,
    "targets": {"first_reply": 1440},
    "business_hours": False,
}


@pytest.fixture
def api(client, admin):  # type: ignore[no-untyped-def]
    token = create_token(admin, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def call(method: str, path: str, body: object = None):  # type: ignore[no-untyped-def]
        fn = getattr(client, method)
        if body is None:
            return fn(f"/api/v1{path}", **headers)
        return fn(f"/api/v1{path}", body, content_type="application/json", **headers)

    return call


def test_calendars_and_policies_are_set_up_from_a_script(api):
    calendar = api("post", "/sla/calendars", BERLIN)
    assert calendar.status_code == 201, calendar.json()
    policy = api("post", "/sla/policies", URGENT)
    assert policy.status_code == 201, policy.json()
    assert policy.json()["calendar"]["name"] == "Berlin office"
    assert [p["name"] for p in api("get", "/sla/policies").json()["items"]] == ["Urgent"]
    changed = api("patch", f"/sla/policies/{policy.json()['id']}", {"targets": {"first_reply": 30}})
    assert changed.json()["targets"] == {"first_reply": 30}


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/sla/calendars", {**BERLIN, "timezone": "Mars/Olympus"}, "Mars/Olympus"),
        ("/sla/calendars", {**BERLIN, "holidays": {"country": "XX"}}, "XX"),
        ("/sla/calendars", {**BERLIN, "hours": {}}, "hours"),
        (
            "/sla/policies",
            {
                **URGENT,
                "calendar": None,
                "conditions": {"all": [{"field": "mood", "operator": "is", "value": 1}], "any": []},
            },
            "mood",
        ),
        (
            "/sla/policies",
            {**URGENT, "calendar": None, "targets": {"first_reply": -5}},
            "first_reply",
        ),
        ("/sla/policies", {**URGENT, "calendar": "Nowhere"}, "Nowhere"),
    ],
)
def test_bad_setups_are_400_with_the_reason(api, path, body, message):
    answer = api("post", path, body)
    assert answer.status_code == 400 and message in answer.json()["detail"]


def test_clocks_follow_the_ticket_and_a_priority_change_switches_policy(
    api, alice, carol, django_capture_on_commit_callbacks
):
    api("post", "/sla/calendars", BERLIN)
    api("post", "/sla/policies", URGENT)
    api("post", "/sla/policies", EVERYONE)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = create_ticket(by=None, requester=carol, subject="Down", body="All down")
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.policy.name == "Everyone" and sla.targets["first_reply"]["state"] == "active"
    assert Ticket.objects.get(pk=ticket.pk).sla_due_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        update_ticket(ticket, by=alice, changes={"priority": "urgent"})
    sla.refresh_from_db()
    assert sla.policy.name == "Urgent" and set(sla.targets) == {"first_reply", "resolution"}
    assert ticket.events.filter(field="sla_policy").count() == 2  # none -> Everyone -> Urgent
    with django_capture_on_commit_callbacks(execute=True):
        reply(ticket, author=alice, body="Looking", public=True)
    shown = api("get", f"/tickets/{ticket.number}/sla").json()
    assert shown["policy"]["name"] == "Urgent"
    assert shown["targets"]["first_reply"]["state"] in ("achieved", "breached")
    assert shown["targets"]["resolution"]["state"] in ("active", "paused", "breached")


def test_customers_do_not_read_sla(client, carol, carol_ticket):
    client.force_login(carol)
    assert client.get(f"/api/v1/tickets/{carol_ticket.number}/sla").status_code == 403


def test_the_workspace_shows_time_left_and_sorts_by_next_breach(
    api, client, alice, carol, django_capture_on_commit_callbacks
):
    api("post", "/sla/policies", EVERYONE)
    with django_capture_on_commit_callbacks(execute=True):
        first = create_ticket(by=None, requester=carol, subject="Older", body="x")
        second = create_ticket(by=None, requester=carol, subject="Newer", body="y")
    client.force_login(alice)
    page = client.get("/agent/views/open/").content.decode()
    assert 'class="sla sla-ok"' in page and "left</span>" in page
    ordered = client.get("/agent/views/open/?sort=sla_due_at").content.decode()
    assert ordered.index("Older") < ordered.index("Newer")
    ticket_page = client.get(f"/agent/tickets/{first.number}/").content.decode()
    assert 'id="sla"' in ticket_page and "First reply" in ticket_page and "Everyone" in ticket_page
    assert "SLA policy: none → Everyone" in ticket_page
    assert second.number


def test_a_batch_recompute_gives_each_ticket_its_own_clocks(admin, alice, carol):
    from datetime import timedelta

    from django.utils import timezone

    from supportdesk.sla.bulk import recompute_many
    from supportdesk.sla.services import save_calendar, save_policy

    calendar = save_calendar(
        by=admin, name="Office", timezone_name="Europe/Berlin", hours=BERLIN["hours"]
    )
    save_policy(
        by=admin,
        name="All",
        conditions=None,
        targets={"first_reply": 90, "resolution": 600},
        calendar=calendar,
    )
    waiting, answered, pending = (
        create_ticket(by=None, requester=carol, subject=f"T{i}", body="x") for i in range(3)
    )
    reply(answered, author=alice, body="On it", public=True)
    update_ticket(pending, by=alice, changes={"status": "pending"})
    recompute_many([waiting.pk, answered.pk, pending.pk], now=timezone.now() + timedelta(days=8))
    clocks = {s.ticket_id: s.targets for s in TicketSla.objects.all()}
    assert clocks[waiting.pk]["first_reply"]["state"] == "breached"
    assert clocks[answered.pk]["first_reply"]["state"] == "achieved"
    assert clocks[pending.pk]["resolution"]["state"] == "paused"
    due = dict(Ticket.objects.values_list("number", "sla_due_at"))
    assert due[waiting.pk] is not None and due[pending.pk] is None
