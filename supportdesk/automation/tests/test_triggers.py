"""Triggers: saving checks everything, rules run in order on the right events, every
change names its rule, chains stop at the depth limit, and the default rules do what the
help desk did before rules existed."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from supportdesk.automation.defaults import install_defaults
from supportdesk.automation.engine import forget
from supportdesk.automation.models import Trigger
from supportdesk.automation.services import delete_rule, move, save_trigger
from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.notify.models import Notification, OutgoingEmail
from supportdesk.tickets.models import EventKind, Source, Ticket, TicketEvent
from supportdesk.tickets.services import create_ticket, reply, update_ticket
from supportdesk.webhooks.delivery import attempt_delivery
from supportdesk.webhooks.models import WebhookDelivery
from supportdesk.webhooks.signing import verify_signature

pytestmark = pytest.mark.django_db

NONE = {"all": [], "any": []}


def _when(field: str, operator: str, value: object) -> dict:
    return {"all": [{"field": field, "operator": operator, "value": value}], "any": []}


def _events(ticket: Ticket, **filters: object) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, **filters).order_by("id"))


@pytest.fixture(autouse=True)
def _only_our_rules(db):  # type: ignore[no-untyped-def]
    """The default rules are tested on their own below; the others start from none."""
    Trigger.objects.all().delete()
    forget()


def _file(carol, subject: str = "Refund please", body: str = "Charged twice") -> Ticket:  # type: ignore[no-untyped-def]
    return create_ticket(by=carol, requester=carol, subject=subject, body=body)


# Saving -------------------------------------------------------------------------------


def test_saving_resolves_names_to_ids_and_refuses_what_cannot_run(admin, alice, billing):
    rule = save_trigger(
        by=admin,
        name="Refunds to billing",
        event="ticket.created",
        conditions=_when("subject", "contains", "refund"),
        actions=[
            {"action": "add_tags", "value": ["Billing"]},
            {"action": "set_group", "value": "Billing"},
            {"action": "set_assignee", "value": "ALICE@example.test"},
        ],
    )
    assert rule.actions == [
        {"action": "add_tags", "value": ["billing"]},
        {"action": "set_group", "value": billing.pk},
        {"action": "set_assignee", "value": alice.pk},
    ]
    bad = [
        ({"action": "explode", "value": 1}, "unknown action 'explode'"),
        ({"action": "set_priority", "value": "whenever"}, "priority 'whenever'"),
        ({"action": "set_group", "value": "Nobody"}, "no group 'Nobody'"),
        ({"action": "set_assignee", "value": "carol@acme.test"}, "no active agent"),
        ({"action": "set_status", "value": "new"}, "status 'new'"),
        ({"action": "send_email", "value": {"to": "nowhere"}}, "or an e-mail address"),
        ({"action": "add_note", "value": "{{ ticket.nope }}"}, r"value: .* no attribute 'nope'"),
        ({"action": "add_note", "value": "{{ ''.__class__ }}"}, "unsafe"),
        ({"action": "webhook", "value": {"url": "https://unknown.example/"}}, "no webhook"),
    ]
    for action, message in bad:
        with pytest.raises(DomainError, match=message):
            save_trigger(by=admin, name="Bad", event="ticket.created", actions=[action])
    with pytest.raises(DomainError, match="event: one of"):
        save_trigger(by=admin, name="Bad", event="ticket.exploded", actions=[bad[0][0]])
    with pytest.raises(DomainError, match="unknown field"):
        save_trigger(
            by=admin,
            name="Bad",
            event="ticket.created",
            conditions=_when("shoe_size", "is", 4),
            actions=[{"action": "set_priority", "value": "high"}],
        )
    with pytest.raises(PermissionDenied):
        save_trigger(
            by=alice,
            name="Mine",
            event="ticket.created",
            actions=[{"action": "set_priority", "value": "high"}],
        )
    assert list(Trigger.objects.values_list("name", flat=True)) == ["Refunds to billing"]


# Running ------------------------------------------------------------------------------


def test_a_matching_rule_changes_the_new_ticket_and_each_change_names_it(admin, carol, billing):
    save_trigger(
        by=admin,
        name="Refunds to billing",
        event="ticket.created",
        conditions=_when("subject", "contains", "refund"),
        actions=[
            {"action": "add_tags", "value": ["billing"]},
            {"action": "set_group", "value": billing.pk},
            {"action": "set_priority", "value": "high"},
        ],
    )
    ticket = _file(carol, "REFUND for invoice 7")
    other = _file(carol, "Password reset")
    # The caller's object shows what the rule did, before anything else reads it.
    assert (ticket.group_id, ticket.priority, ticket.tags) == (billing.pk, "high", ["billing"])
    changes = _events(ticket, kind=EventKind.CHANGED)
    assert {e.field for e in changes} == {"group", "priority", "tags"}
    assert all(e.rule == "Refunds to billing" and e.source == Source.RULE for e in changes)
    assert (other.group_id, other.priority, other.tags) == (None, "normal", [])


def test_rules_run_in_order_and_a_later_rule_sees_an_earlier_ones_change(admin, carol):
    first = save_trigger(
        by=admin,
        name="Tag VIPs",
        event="ticket.created",
        conditions=_when("requester_email", "contains", "@acme.test"),
        actions=[{"action": "add_tags", "value": ["vip"]}],
    )
    save_trigger(
        by=admin,
        name="VIPs are urgent",
        event="ticket.created",
        conditions=_when("tags", "includes_any", ["vip"]),
        actions=[{"action": "set_priority", "value": "urgent"}],
    )
    assert _file(carol).priority == "urgent"
    move(first, by=admin, offset=1)  # now after the rule that looks for its tag
    forget()
    later = _file(carol)
    assert (later.tags, later.priority) == (["vip"], "normal")


def test_each_event_runs_only_its_own_rules(admin, alice, carol):
    for event, tag in (
        ("ticket.customer_replied", "customer-replied"),
        ("ticket.agent_replied", "agent-replied"),
        ("ticket.note_added", "noted"),
        ("ticket.status_changed", "status-changed"),
    ):
        save_trigger(
            by=admin, name=tag, event=event, actions=[{"action": "add_tags", "value": [tag]}]
        )
    ticket = _file(carol)
    assert ticket.tags == []
    reply(ticket, author=alice, body="Looking", public=False)
    assert ticket.tags == ["noted"]
    reply(ticket, author=alice, body="Refunded", status="pending")
    assert set(ticket.tags) == {"noted", "agent-replied", "status-changed"}
    ticket.refresh_from_db()
    reply(ticket, author=ticket.requester, body="Thanks")
    ticket.refresh_from_db()
    assert "customer-replied" in ticket.tags


def test_changed_to_conditions_see_the_change_of_the_event(admin, alice, carol):
    save_trigger(
        by=admin,
        name="Urgent gets a note",
        event="ticket.updated",
        conditions=_when("priority", "changed_to", "urgent"),
        actions=[{"action": "add_note", "value": "Escalated: {{ ticket.priority }} now"}],
    )
    ticket = _file(carol)
    update_ticket(ticket, by=alice, changes={"type": "problem"})
    update_ticket(ticket, by=alice, changes={"priority": "urgent"})
    notes = list(ticket.messages.filter(public=False).values_list("body", flat=True))
    assert notes == ["Escalated: urgent now"]
    note_event = _events(ticket, kind=EventKind.MESSAGE, public=False)[0]
    assert note_event.rule == "Urgent gets a note"


def test_rules_that_undo_each_other_stop_at_the_depth_limit_and_say_where(admin, alice, carol):
    save_trigger(
        by=admin,
        name="Up",
        event="ticket.updated",
        conditions=_when("priority", "changed_to", "low"),
        actions=[{"action": "set_priority", "value": "high"}],
    )
    save_trigger(
        by=admin,
        name="Down",
        event="ticket.updated",
        conditions=_when("priority", "changed_to", "high"),
        actions=[{"action": "set_priority", "value": "low"}],
    )
    ticket = _file(carol)
    with override_settings(AUTOMATION_MAX_DEPTH=4):
        update_ticket(ticket, by=alice, changes={"priority": "high"})
    changes = _events(ticket, kind=EventKind.CHANGED, field="priority")
    # Alice's change, then four rule steps, each naming its rule.
    assert [(e.new, e.rule) for e in changes] == [
        ("high", ""),
        ("low", "Down"),
        ("high", "Up"),
        ("low", "Down"),
        ("high", "Up"),
    ]
    stop = _events(ticket, kind=EventKind.AUTOMATION)[-1]
    assert stop.new["stopped_at_depth"] == 4
    assert "rule 'Down' would have run again" in stop.new["text"]
    assert stop.public is False


def test_a_failing_action_is_recorded_and_never_undoes_the_change(admin, alice, carol, endpoint):
    save_trigger(
        by=admin,
        name="Page on urgent",
        event="ticket.updated",
        conditions=_when("priority", "changed_to", "urgent"),
        actions=[
            {"action": "webhook", "value": endpoint.pk},
            {"action": "add_tags", "value": ["paged"]},
        ],
    )
    endpoint.delete()
    ticket = _file(carol)
    update_ticket(ticket, by=alice, changes={"priority": "urgent"})
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.tags) == ("urgent", ["paged"])
    failure = _events(ticket, kind=EventKind.AUTOMATION)[-1]
    assert "webhook of rule 'Page on urgent' failed" in failure.new["text"]


def test_webhook_action_posts_signed_json_to_a_real_receiver(
    admin, alice, carol, endpoint, receiver, on_commit
):
    save_trigger(
        by=admin,
        name="Tell the pager",
        event="ticket.updated",
        conditions=_when("priority", "changed_to", "urgent"),
        actions=[
            {"action": "webhook", "value": {"url": receiver.url, "body": "#{{ ticket.number }}"}}
        ],
    )
    ticket = _file(carol)
    receiver.answer(500)  # the first attempt fails; the retry delivers
    with on_commit():
        update_ticket(ticket, by=alice, changes={"priority": "urgent"})
    delivery = WebhookDelivery.objects.get()
    assert len(receiver.requests) == 1  # the 500; the retry is the scheduled job's
    attempt_delivery(delivery.pk, expected=1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == ("delivered", 2, 2)
    sent = receiver.requests[-1]
    signature = sent.headers["x-supportdesk-signature"]
    assert verify_signature(endpoint.secret, signature, sent.body)
    body = json.loads(sent.body)
    assert body["event"] == "ticket.updated"
    payload = body["data"]
    assert payload["rule"] == "Tell the pager"
    assert payload["ticket"]["number"] == ticket.pk
    assert payload["body"] == f"#{ticket.pk}"


def test_send_email_renders_placeholders_after_the_change_commits(admin, alice, carol, on_commit):
    save_trigger(
        by=admin,
        name="Pending notice",
        event="ticket.status_changed",
        conditions=_when("status", "changed_to", "pending"),
        actions=[
            {
                "action": "send_email",
                "value": {
                    "to": "requester",
                    "subject": "We wait for you, {{ requester.first_name }}",
                    "body": "Ticket {{ ticket.number }} waits for {{ requester.first_name }}.",
                },
            }
        ],
    )
    ticket = _file(carol)
    with on_commit():
        update_ticket(ticket, by=alice, changes={"status": "pending"})
        # A job after the commit: nothing is sent while the change is not committed.
        assert not OutgoingEmail.objects.filter(kind="rule").exists()
    mail = OutgoingEmail.objects.get(kind="rule")
    assert mail.to == ["carol@acme.test"] or "carol@acme.test" in str(mail.to)
    assert "We wait for you, Carol" in mail.subject
    assert f"Ticket {ticket.pk} waits for Carol." in mail.body
    assert "E-mail “We wait for you, Carol” sent to carol@acme.test" in [
        e.new["text"] for e in _events(ticket, kind=EventKind.AUTOMATION)
    ]


def test_deleting_a_rule_stops_it_at_once(admin, carol):
    rule = save_trigger(
        by=admin,
        name="Tag all",
        event="ticket.created",
        actions=[{"action": "add_tags", "value": ["seen"]}],
    )
    assert _file(carol).tags == ["seen"]
    delete_rule(rule, by=admin)
    assert _file(carol).tags == []


# The default rules -------------------------------------------------------------------


@pytest.fixture
def defaults(db):  # type: ignore[no-untyped-def]
    """The rules the migration installs (the autouse fixture removed them)."""
    install_defaults()
    forget()


def test_default_rules_acknowledge_a_customer_and_tell_the_group(
    defaults, carol, alice, billing, on_commit
):
    with on_commit():
        ticket = create_ticket(by=carol, requester=carol, subject="Help", body="Broken")
    assert OutgoingEmail.objects.filter(kind="acknowledgement", ticket_id=ticket.pk).count() == 1
    update_ticket(ticket, by=alice, changes={"group": billing})
    grouped = create_ticket(
        by=None, requester=carol, subject="In a group", body="x", properties={"group": billing}
    )
    told = set(
        Notification.objects.filter(ticket_id=grouped.pk, kind="new_in_group").values_list(
            "user_id", flat=True
        )
    )
    assert told == {m.pk for m in billing.members.all()}


def test_default_rule_tells_the_assignee_of_a_customer_reply(defaults, carol, alice, billing):
    ticket = _file(carol)
    update_ticket(ticket, by=alice, changes={"group": billing, "assignee": alice})
    reply(ticket, author=alice, body="Done?", status="pending")
    ticket.refresh_from_db()
    reply(ticket, author=carol, body="Not yet")
    note = Notification.objects.get(user=alice, kind="customer_replied")
    assert "Carol Customer replied on" in note.text


def test_switching_off_the_acknowledgement_rule_sends_none(defaults, admin, carol, on_commit):
    rule = Trigger.objects.get(name="Acknowledge new tickets")
    save_trigger(
        by=admin,
        trigger=rule,
        name=rule.name,
        event=rule.event,
        conditions=rule.conditions,
        actions=rule.actions,
        enabled=False,
    )
    with on_commit():
        _file(carol)
    assert not OutgoingEmail.objects.filter(kind="acknowledgement").exists()


def test_a_ticket_an_agent_files_for_a_customer_is_acknowledged_as_before(
    defaults, carol, alice, on_commit
):
    # The first message is the requester's words (taken down by the agent): acknowledged,
    # as the hard-wired acknowledgement did before the rule replaced it.
    with on_commit():
        create_ticket(by=alice, requester=carol, subject="Called in", body="Phone call")
    assert OutgoingEmail.objects.filter(kind="acknowledgement").count() == 1
