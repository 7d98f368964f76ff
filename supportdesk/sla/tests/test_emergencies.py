"""Emergencies: raised by the engine, repeated until acknowledged, and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.accounts.services import create_token
from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.notify.models import Notification
from supportdesk.sla import escalations
from supportdesk.sla.emergencies import acknowledge_emergency
from supportdesk.sla.models import Emergency
from supportdesk.sla.rules import save_emergency_rule
from supportdesk.tickets.models import Status, TicketEvent
from supportdesk.tickets.services import reply, update_ticket
from supportdesk.webhooks.models import WebhookDelivery
from supportdesk.webhooks.services import save_endpoint

OUTAGE = {"all": [{"field": "tags", "operator": "includes_any", "value": ["outage"]}], "any": []}


@pytest.fixture
def rule(admin, alice):  # type: ignore[no-untyped-def]
    return save_emergency_rule(
        by=admin, name="Outage", conditions=OUTAGE, notify=[alice.pk], repeat_minutes=10
    )


@pytest.fixture
def outage(carol_ticket, admin):  # type: ignore[no-untyped-def]
    update_ticket(carol_ticket, by=admin, changes={"tags": ["outage"]})
    return carol_ticket


def at(ticket, minutes):  # type: ignore[no-untyped-def]
    return ticket.created_at + timedelta(minutes=minutes)


def pages(alice):  # type: ignore[no-untyped-def]
    return Notification.objects.filter(user=alice, kind="emergency").count()


def test_rules_are_validated(admin, alice, carol):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match="conditions: say what"):
        save_emergency_rule(by=admin, name="All", conditions={"all": [], "any": []}, notify=[1])
    with pytest.raises(DomainError, match="not an active agent"):
        save_emergency_rule(by=admin, name="X", conditions=OUTAGE, notify=[carol.pk])
    with pytest.raises(DomainError, match="repeat_minutes"):
        save_emergency_rule(
            by=admin, name="X", conditions=OUTAGE, notify=[alice.pk], repeat_minutes=0
        )
    with pytest.raises(DomainError, match="at least one agent, or a webhook"):
        save_emergency_rule(by=admin, name="X", conditions=OUTAGE, notify=[])


def test_raised_repeated_then_acknowledged(rule, outage, alice, bob):  # type: ignore[no-untyped-def]
    assert escalations.run(now=at(outage, 1))["emergencies_raised"] == 1
    emergency = Emergency.objects.get(ticket=outage)
    assert pages(alice) == 1
    raised = TicketEvent.objects.get(ticket=outage, field="emergency")
    assert (raised.new, raised.rule, raised.public) == ("raised", "Outage", False)

    assert escalations.run(now=at(outage, 5)) == {
        "escalations": 0,
        "stalled": 0,
        "emergencies_raised": 0,
        "emergencies_repeated": 0,
    }
    assert escalations.run(now=at(outage, 12))["emergencies_repeated"] == 1
    assert escalations.run(now=at(outage, 15))["emergencies_repeated"] == 0
    assert pages(alice) == 2

    acknowledge_emergency(emergency, by=bob, now=at(outage, 16))
    assert emergency.acknowledged_by == bob
    event = TicketEvent.objects.filter(ticket=outage, field="emergency").last()
    assert event is not None
    assert (event.new, event.actor) == ("acknowledged", bob)
    assert escalations.run(now=at(outage, 60))["emergencies_repeated"] == 0
    assert pages(alice) == 2
    with pytest.raises(DomainError, match="already acknowledged by Bob"):
        acknowledge_emergency(emergency, by=alice)


def test_no_emergency_for_other_or_solved_tickets(rule, carol_ticket, outage, alice):  # type: ignore[no-untyped-def]
    reply(outage, author=alice, body="Fixed.", status=Status.SOLVED)
    assert escalations.run(now=at(outage, 1))["emergencies_raised"] == 0


def test_repeats_stop_when_the_ticket_is_solved(rule, outage, alice):  # type: ignore[no-untyped-def]
    escalations.run(now=at(outage, 1))
    reply(outage, author=alice, body="Fixed.", status=Status.SOLVED)
    assert escalations.run(now=at(outage, 30))["emergencies_repeated"] == 0


def test_webhook_on_raise(admin, alice, outage, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    endpoint = save_endpoint(by=admin, name="Pager", url="http://127.0.0.1:9/hook")
    save_emergency_rule(by=admin, name="Outage", conditions=OUTAGE, webhook=endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        escalations.run(now=at(outage, 1))
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.event == "emergency.raised"
    assert delivery.payload["ticket"]["number"] == outage.number


def test_customers_cannot_acknowledge(rule, outage, carol):  # type: ignore[no-untyped-def]
    escalations.run(now=at(outage, 1))
    with pytest.raises(PermissionDenied):
        acknowledge_emergency(Emergency.objects.get(), by=carol)


@pytest.fixture
def api(client):  # type: ignore[no-untyped-def]
    def call(user, method, path, body=None):  # type: ignore[no-untyped-def]
        headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user, name='t')}"}
        fn = getattr(client, method)
        if body is None:
            return fn(f"/api/v1/sla{path}", **headers)
        return fn(f"/api/v1/sla{path}", body, content_type="application/json", **headers)

    return call


def test_emergency_rules_api(api, admin, alice, carol):  # type: ignore[no-untyped-def]
    body = {"name": "Outage", "conditions": OUTAGE, "notify": [alice.pk], "repeat_minutes": 5}
    made = api(admin, "post", "/emergency-rules", body)
    assert made.status_code == 201, made.json()
    rid = made.json()["id"]
    assert made.json()["webhook"] is None
    assert api(admin, "patch", f"/emergency-rules/{rid}", {"webhook": 999}).status_code == 404
    assert api(admin, "patch", f"/emergency-rules/{rid}", {"repeat_minutes": 0}).status_code == 400
    changed = api(admin, "patch", f"/emergency-rules/{rid}", {"repeat_minutes": 30})
    assert changed.json()["repeat_minutes"] == 30 and changed.json()["notify"] == [alice.pk]
    assert api(alice, "get", "/emergency-rules").json()["items"][0]["id"] == rid
    assert api(alice, "post", "/emergency-rules", {**body, "name": "B"}).status_code == 403
    assert api(carol, "get", f"/emergency-rules/{rid}").status_code == 403
    assert api(admin, "delete", f"/emergency-rules/{rid}").status_code == 204


def test_emergencies_api_lists_and_acknowledges(api, rule, outage, alice, carol):  # type: ignore[no-untyped-def]
    escalations.run(now=at(outage, 1))
    emergency = Emergency.objects.get()
    listed = api(alice, "get", "/emergencies?open=true").json()["items"]
    assert [(e["id"], e["ticket"]["number"]) for e in listed] == [(emergency.pk, outage.number)]
    assert api(carol, "get", "/emergencies").status_code == 403
    assert api(carol, "post", f"/emergencies/{emergency.pk}/acknowledge").status_code == 403
    done = api(alice, "post", f"/emergencies/{emergency.pk}/acknowledge")
    assert done.status_code == 200, done.json()
    assert done.json()["acknowledged_by"]["id"] == alice.pk
    assert api(alice, "post", f"/emergencies/{emergency.pk}/acknowledge").status_code == 400
    assert api(alice, "get", "/emergencies?open=true").json()["items"] == []
    assert len(api(alice, "get", "/emergencies?open=false").json()["items"]) == 1
    assert api(alice, "post", "/emergencies/999/acknowledge").status_code == 404


def test_the_ticket_page_offers_acknowledge_and_it_stops_the_alerts(client, rule, outage, bob):  # type: ignore[no-untyped-def]
    escalations.run(now=at(outage, 1))
    client.force_login(bob)
    page = client.get(f"/agent/tickets/{outage.number}/").content.decode()
    assert "Emergency: Outage" in page and "Acknowledge" in page
    emergency = Emergency.objects.get(ticket=outage)
    url = f"/agent/tickets/{outage.number}/emergencies/{emergency.pk}/acknowledge/"
    after = client.post(url, follow=True).content.decode()
    assert "Emergency acknowledged" in after and "Emergency: Outage" not in after
    emergency.refresh_from_db()
    assert emergency.acknowledged_by == bob
    again = client.post(url, follow=True).content.decode()
    assert "already acknowledged by Bob Agent" in again
