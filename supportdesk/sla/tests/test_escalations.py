"""SLA warnings and escalations, and stalled tickets: rules, the engine and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.accounts.services import create_token
from supportdesk.lib.errors import DomainError
from supportdesk.notify.models import Notification
from supportdesk.sla import escalations
from supportdesk.sla.models import EscalationFired, StalledFired
from supportdesk.sla.rules import save_escalation_rule, save_stalled_rule
from supportdesk.sla.services import recompute, save_policy
from supportdesk.tickets.models import Priority, Source, Status, TicketEvent
from supportdesk.tickets.services import reply, update_ticket
from supportdesk.webhooks.models import WebhookDelivery
from supportdesk.webhooks.services import save_endpoint

TELL_ASSIGNEE = [{"action": "notify", "value": {"to": ["assignee", "group_lead"]}}]


@pytest.fixture
def policy(admin):  # type: ignore[no-untyped-def]
    return save_policy(
        by=admin,
        name="Everyone",
        conditions=None,
        targets={"first_reply": 60, "next_reply": 60},
        business_hours=False,
    )


@pytest.fixture
def ticket(carol_ticket, admin, billing, bob, policy):  # type: ignore[no-untyped-def]
    update_ticket(carol_ticket, by=admin, changes={"group": billing, "assignee": bob})
    return carol_ticket


def at(ticket, minutes):  # type: ignore[no-untyped-def]
    return ticket.created_at + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"actions": [{"action": "explode", "value": 1}]}, "unknown action 'explode'"),
        ({"actions": [{"action": "set_priority", "value": "huge"}]}, "priority 'huge'"),
        ({"actions": [{"action": "set_group", "value": 999}]}, "no group with id 999"),
        ({"actions": [{"action": "webhook", "value": 999}]}, "no webhook endpoint"),
        ({"actions": [{"action": "notify", "value": {"to": ["boss"]}}]}, "'boss'"),
        ({"actions": []}, "actions: a list"),
        ({"target": "lunch"}, "target:"),
        ({"when": "during"}, "when:"),
        ({"minutes": -5}, "minutes:"),
        ({"conditions": {"all": [{"field": "nope", "operator": "is", "value": 1}]}}, "nope"),
    ],
)
def test_rules_refuse_bad_values_by_name(admin, changes, error):  # type: ignore[no-untyped-def]
    fields = {"name": "Warn", "minutes": 30, "actions": TELL_ASSIGNEE, **changes}
    with pytest.raises(DomainError, match=error):
        save_escalation_rule(by=admin, **fields)


def test_notify_refuses_customers(admin, carol):  # type: ignore[no-untyped-def]
    actions = [{"action": "notify", "value": {"to": [carol.pk]}}]
    with pytest.raises(DomainError, match="not an active agent"):
        save_escalation_rule(by=admin, name="Warn", actions=actions)


def test_a_warning_fires_once_before_the_breach(ticket, admin, alice, bob):  # type: ignore[no-untyped-def]
    save_escalation_rule(
        by=admin, name="Warn", target="first_reply", minutes=30, actions=TELL_ASSIGNEE
    )
    recompute(ticket.number, now=at(ticket, 1))
    assert escalations.run(now=at(ticket, 20))["escalations"] == 0
    assert escalations.run(now=at(ticket, 35))["escalations"] == 1
    assert escalations.run(now=at(ticket, 40))["escalations"] == 0
    notes = Notification.objects.filter(kind="sla_warning", ticket=ticket)
    assert sorted(n.user_id for n in notes) == [alice.pk, bob.pk]  # assignee and lead
    assert "first reply due" in notes[0].text


def test_no_warning_for_an_achieved_target(ticket, admin, alice):  # type: ignore[no-untyped-def]
    save_escalation_rule(by=admin, name="Warn", minutes=30, actions=TELL_ASSIGNEE)
    reply(ticket, author=alice, body="Looking into it.")
    recompute(ticket.number, now=at(ticket, 1))
    assert escalations.run(now=at(ticket, 35))["escalations"] == 0
    assert not EscalationFired.objects.exists()


def test_after_a_breach_priority_rises_and_group_moves(ticket, admin, technical):  # type: ignore[no-untyped-def]
    actions = [
        {"action": "set_priority", "value": "high"},
        {"action": "set_group", "value": technical.pk},
    ]
    save_escalation_rule(by=admin, name="Escalate", when="after", minutes=10, actions=actions)
    recompute(ticket.number, now=at(ticket, 1))
    assert escalations.run(now=at(ticket, 65))["escalations"] == 0
    assert escalations.run(now=at(ticket, 71))["escalations"] == 1
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.group_id) == (Priority.HIGH, technical.pk)
    events = TicketEvent.objects.filter(ticket=ticket, rule="Escalate")
    assert {(e.field, e.source) for e in events} == {
        ("priority", Source.RULE),
        ("group", Source.RULE),
    }
    assert Notification.objects.filter(kind="sla_breached").count() == 0


def test_a_failing_action_does_not_stop_the_others(ticket, admin, technical):  # type: ignore[no-untyped-def]
    actions = [
        {"action": "set_group", "value": technical.pk},
        {"action": "set_priority", "value": "urgent"},
    ]
    save_escalation_rule(by=admin, name="Escalate", when="after", actions=actions)
    technical.delete()
    recompute(ticket.number, now=at(ticket, 1))
    assert escalations.run(now=at(ticket, 61))["escalations"] == 1
    ticket.refresh_from_db()
    assert ticket.priority == Priority.URGENT


def test_webhook_action_records_a_delivery(  # type: ignore[no-untyped-def]
    ticket, admin, django_capture_on_commit_callbacks
):
    endpoint = save_endpoint(by=admin, name="Pager", url="http://127.0.0.1:9/hook")
    actions = [{"action": "webhook", "value": endpoint.pk}]
    save_escalation_rule(by=admin, name="Page", when="after", actions=actions)
    recompute(ticket.number, now=at(ticket, 1))
    with django_capture_on_commit_callbacks(execute=True):
        escalations.run(now=at(ticket, 61))
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.event == "sla.breached"
    assert delivery.payload["ticket"]["number"] == ticket.number
    assert delivery.payload["target"] == "first_reply"
    assert delivery.source == "rule Page"
    assert delivery.attempt_log.count() >= 1  # the closed port: a failed attempt, logged


def test_a_new_next_reply_cycle_fires_again(ticket, admin, alice, carol):  # type: ignore[no-untyped-def]
    save_escalation_rule(
        by=admin, name="Late", target="next_reply", when="after", actions=TELL_ASSIGNEE
    )
    reply(ticket, author=alice, body="Which card?")
    first = reply(ticket, author=carol, body="The Visa one.")
    recompute(ticket.number, now=first.created_at + timedelta(minutes=1))
    assert escalations.run(now=first.created_at + timedelta(minutes=61))["escalations"] == 1
    reply(ticket, author=alice, body="Refunded.")
    second = reply(ticket, author=carol, body="Not yet there.")
    recompute(ticket.number, now=second.created_at + timedelta(minutes=1))
    assert escalations.run(now=second.created_at + timedelta(minutes=61))["escalations"] == 1
    assert EscalationFired.objects.filter(target="next_reply").count() == 2


def test_stalled_fires_once_per_agent_update(carol_ticket, admin, alice, billing):  # type: ignore[no-untyped-def]
    update_ticket(carol_ticket, by=admin, changes={"group": billing, "assignee": alice})
    save_stalled_rule(by=admin, name="Quiet", hours=4, actions=TELL_ASSIGNEE)
    start = carol_ticket.created_at
    assert escalations.run(now=start + timedelta(hours=3))["stalled"] == 0
    assert escalations.run(now=start + timedelta(hours=5))["stalled"] == 1
    assert escalations.run(now=start + timedelta(hours=6))["stalled"] == 0
    update = reply(carol_ticket, author=alice, body="Still on it.", status=Status.OPEN)
    assert escalations.run(now=update.created_at + timedelta(hours=3))["stalled"] == 0
    assert escalations.run(now=update.created_at + timedelta(hours=5))["stalled"] == 1
    assert StalledFired.objects.count() == 2
    assert Notification.objects.filter(kind="stalled", user=alice).count() == 2


def test_stalled_ignores_solved_tickets(carol_ticket, admin, alice):  # type: ignore[no-untyped-def]
    save_stalled_rule(by=admin, name="Quiet", hours=1, actions=TELL_ASSIGNEE)
    reply(carol_ticket, author=alice, body="Done.", status=Status.SOLVED)
    assert escalations.run(now=carol_ticket.created_at + timedelta(hours=5))["stalled"] == 0


@pytest.fixture
def api(client):  # type: ignore[no-untyped-def]
    def call(user, method, path, body=None):  # type: ignore[no-untyped-def]
        headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user, name='t')}"}
        fn = getattr(client, method)
        if body is None:
            return fn(f"/api/v1/sla{path}", **headers)
        return fn(f"/api/v1/sla{path}", body, content_type="application/json", **headers)

    return call


def test_escalation_and_stalled_api(api, admin, alice, carol, technical):  # type: ignore[no-untyped-def]
    body = {"name": "Escalate", "when": "after", "minutes": 15, "actions": TELL_ASSIGNEE}
    made = api(admin, "post", "/escalations", body)
    assert made.status_code == 201, made.json()
    rule_id = made.json()["id"]
    assert made.json()["target"] == "any"
    patch = {"actions": [{"action": "set_group", "value": technical.pk}]}
    changed = api(admin, "patch", f"/escalations/{rule_id}", patch)
    assert changed.status_code == 200, changed.json()
    assert changed.json()["minutes"] == 15 and changed.json()["actions"] == patch["actions"]
    bad = api(admin, "patch", f"/escalations/{rule_id}", {"actions": [{"action": "x"}]})
    assert bad.status_code == 400 and "unknown action" in bad.json()["detail"]
    assert api(alice, "get", "/escalations").json()["items"][0]["name"] == "Escalate"
    assert api(alice, "post", "/escalations", {**body, "name": "Mine"}).status_code == 403
    assert api(carol, "get", "/escalations").status_code == 403
    assert api(alice, "delete", f"/escalations/{rule_id}").status_code == 403
    assert api(admin, "delete", f"/escalations/{rule_id}").status_code == 204
    assert api(admin, "get", f"/escalations/{rule_id}").status_code == 404

    stalled = api(
        admin, "post", "/stalled", {"name": "Quiet", "hours": 8, "actions": TELL_ASSIGNEE}
    )
    assert stalled.status_code == 201, stalled.json()
    sid = stalled.json()["id"]
    assert api(admin, "patch", f"/stalled/{sid}", {"hours": 0}).status_code == 400
    assert api(admin, "patch", f"/stalled/{sid}", {"hours": 2}).json()["hours"] == 2
    assert api(carol, "get", f"/stalled/{sid}").status_code == 403
    assert api(admin, "delete", f"/stalled/{sid}").status_code == 204
