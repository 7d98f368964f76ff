"""SLA rule pages: warning and escalation rules, stalled-ticket rules and emergency rules
listed in words, created, edited and deleted through their editors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supportdesk.accounts.services import save_group
from supportdesk.adminui.tests.conftest import flash
from supportdesk.sla.models import (
    Emergency,
    EmergencyRule,
    EscalationFired,
    EscalationRule,
    StalledRule,
)
from supportdesk.sla.rules import save_emergency_rule, save_escalation_rule, save_stalled_rule
from supportdesk.tickets.services import create_ticket, update_ticket
from supportdesk.webhooks.services import save_endpoint

URGENT = {"all": [{"field": "priority", "operator": "is", "value": "urgent"}], "any": []}
OUTAGE = {"all": [{"field": "tags", "operator": "includes_any", "value": ["outage"]}], "any": []}
NOTIFY_ASSIGNEE = [{"action": "notify", "value": {"to": ["assignee"]}}]


def _endpoint(admin, name="PagerDuty"):  # type: ignore[no-untyped-def]
    return save_endpoint(by=admin, name=name, url="https://pager.example.test/hook")


def _escalation(admin, name="Warn", **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("actions", NOTIFY_ASSIGNEE)
    return save_escalation_rule(by=admin, name=name, **kw)


def _stalled(admin, name="Chase", **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("actions", NOTIFY_ASSIGNEE)
    kw.setdefault("hours", 8)
    return save_stalled_rule(by=admin, name=name, **kw)


def _emergency(admin, notify, name="Outage", **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("conditions", OUTAGE)
    return save_emergency_rule(by=admin, name=name, notify=notify, **kw)


def _url(name: str, *args: object) -> str:
    return reverse(f"adminui:{name}", args=args)


def _conditions_post(**changes: str) -> dict[str, str]:
    data = {
        "all-count": "1",
        "all-0-field": "priority",
        "all-0-operator": "is",
        "all-0-value": "urgent",
        "any-count": "0",
    }
    return {**data, **changes}


def _escalation_post(alice, billing, **changes: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "name": "Escalate urgent",
        "enabled": "on",
        "target": "first_reply",
        "when": "after",
        "hours": "1",
        "minutes": "30",
        **_conditions_post(),
        "act-count": "3",
        "act-0-kind": "notify",
        "act-0-to": ["assignee", "group_lead"],
        "act-0-agents": [str(alice.pk)],
        "act-1-kind": "set_priority",
        "act-1-priority": "urgent",
        "act-2-kind": "set_group",
        "act-2-group": str(billing.pk),
        "save": "1",
    }
    return {**data, **changes}


def test_every_page_is_for_admins_only(client, admin, alice, carol):
    esc, stalled = _escalation(admin), _stalled(admin)
    emergency = _emergency(admin, [alice.pk])
    urls = [_url("sla_rules")]
    for slug, rule in (("escalations", esc), ("stalled", stalled), ("emergencies", emergency)):
        urls += [
            _url("sla_rule_new", slug),
            _url("sla_rule", slug, rule.pk),
            _url("sla_rule_delete", slug, rule.pk),
        ]
    client.force_login(admin)
    assert [client.get(u).status_code for u in urls] == [200] * len(urls)
    assert client.get(_url("sla_rule_new", "nonsense")).status_code == 404
    client.force_login(alice)
    assert [client.get(u).status_code for u in urls] == [403] * len(urls)
    assert client.post(_url("sla_rule_delete", "stalled", stalled.pk)).status_code == 403
    client.force_login(carol)
    assert [client.get(u).status_code for u in urls] == [404] * len(urls)
    assert client.post(_url("sla_rule_move", "escalations", esc.pk)).status_code == 404
    assert StalledRule.objects.exists()


def test_the_list_says_each_rule_in_words(as_admin, admin, alice, billing):
    endpoint = _endpoint(admin)
    _escalation(
        admin,
        "Escalate urgent",
        target="any",
        when="after",
        minutes=60,
        conditions=URGENT,
        actions=[
            {"action": "notify", "value": {"to": ["assignee", "group_lead", alice.pk]}},
            {"action": "set_priority", "value": "urgent"},
            {"action": "set_group", "value": billing.pk},
            {"action": "webhook", "value": endpoint.pk},
        ],
    )
    _escalation(admin, "Warn", target="first_reply", when="before", minutes=30, enabled=False)
    _stalled(admin, "Chase", hours=8)
    _emergency(admin, [alice.pk], repeat_minutes=15, webhook=endpoint)
    page = as_admin.get(_url("sla_rules")).content.decode()
    for words in (
        "Warnings and escalations",
        "Stalled tickets",
        "Emergencies",
        "Priority is Urgent",
        "1 h after any target is breached",
        "Notify the assignee, the group lead and Alice Agent; raise priority to urgent; "
        "move to Billing; webhook PagerDuty",
        "30 min before first reply is due",
        "No agent update for 8 business hours",
        "Repeat every 15 min until acknowledged",
        "Notify Alice Agent; webhook PagerDuty",
        "Tags has any of outage",
        "Every ticket",
        "Disabled",
    ):
        assert words in page, words
    order = [page.index(f">{name}</a>") for name in ("Escalate urgent", "Warn", "Chase")]
    assert order == sorted(order)


def test_empty_lists_say_what_each_kind_is_for(as_admin):
    page = as_admin.get(_url("sla_rules")).content.decode()
    assert "No warning or escalation rules yet" in page
    assert "No stalled-ticket rules yet" in page
    assert "No emergency rules yet" in page
    assert _url("sla_rule_new", "emergencies") in page
    overview = as_admin.get(_url("sla")).content.decode()
    assert _url("sla_rules") in overview


def test_create_and_edit_an_escalation_rule(as_admin, admin, alice, billing):
    created = as_admin.post(
        _url("sla_rule_new", "escalations"), _escalation_post(alice, billing), follow=True
    )
    assert "Saved escalation rule Escalate urgent." in flash(created)
    rule = EscalationRule.objects.get()
    assert (rule.target, rule.when, rule.minutes, rule.enabled) == (
        "first_reply",
        "after",
        90,
        True,
    )
    assert rule.conditions == URGENT
    assert rule.actions == [
        {"action": "notify", "value": {"to": ["assignee", "group_lead", alice.pk]}},
        {"action": "set_priority", "value": "urgent"},
        {"action": "set_group", "value": billing.pk},
    ]
    url = _url("sla_rule", "escalations", rule.pk)
    page = as_admin.get(url).content.decode()
    assert 'name="hours" id="id_hours" value="1"' in page
    assert 'name="minutes" id="id_minutes" value="30"' in page
    assert f'<option value="{alice.pk}" selected>' in page
    assert 'value="group_lead" checked' in page
    changed = _escalation_post(
        alice, billing, name="Escalate later", hours="", minutes="150", enabled=""
    )
    changed.update({"act-count": "1", "act-0-kind": "set_priority", "act-0-priority": "high"})
    as_admin.post(url, changed)
    rule.refresh_from_db()
    assert (rule.name, rule.minutes, rule.enabled) == ("Escalate later", 150, False)
    assert rule.actions == [{"action": "set_priority", "value": "high"}]


def test_escalation_errors_sit_by_their_rows_and_keep_the_input(as_admin, admin, alice, billing):
    _escalation(admin, "Taken")
    url = _url("sla_rule_new", "escalations")
    post = _escalation_post(alice, billing, name="Taken", **{"all-0-value": "blazing"})
    post.update({"act-1-priority": "", "act-2-group": "999999"})
    refused = as_admin.post(url, post)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Priority has no value" in body  # the condition row
    assert "Choose the priority to set." in body  # action row 2, before the service
    assert 'value="Taken"' in body and 'value="group_lead" checked' in body
    # What only the service knows: the name is taken, the group is gone.
    refused = as_admin.post(url, {**_escalation_post(alice, billing), "act-2-group": "999999"})
    assert refused.status_code == 400
    assert "No group with id 999999: it was deleted; choose another." in refused.content.decode()
    refused = as_admin.post(url, _escalation_post(alice, billing, name="Taken"))
    assert "A rule named &#x27;Taken&#x27; exists" in refused.content.decode()
    no_actions = as_admin.post(url, {**_escalation_post(alice, billing), "act-count": "0"})
    assert no_actions.status_code == 400
    assert "Add at least one action" in no_actions.content.decode()
    assert EscalationRule.objects.count() == 1


def test_add_change_and_remove_action_rows_without_saving(as_admin, alice, billing):
    url = _url("sla_rule_new", "escalations")
    post = _escalation_post(alice, billing, save="")
    added = as_admin.post(url, {**post, "add_action": "1", "add_kind": "webhook"})
    body = added.content.decode()
    assert added.status_code == 200 and 'name="act-3-kind"' in body
    assert "No webhook endpoints yet" in body
    removed = as_admin.post(url, {**post, "remove_action": "act-0"})
    body = removed.content.decode()
    assert 'name="act-2-kind"' not in body and 'name="act-0-priority"' in body
    # With htmx, a changed kind re-renders its row alone, with the new kind's input.
    row = as_admin.post(
        url, {**post, "act-1-kind": "set_group", "row": "act-1"}, HTTP_HX_REQUEST="true"
    )
    body = row.content.decode()
    assert body.startswith('<li class="act-row"') and 'name="act-1-group"' in body
    # Without JavaScript, "Change" posts the form and the row shows the new kind's input.
    refreshed = as_admin.post(url, {**post, "act-1-kind": "set_group", "refresh": "1"})
    assert 'name="act-1-group"' in refreshed.content.decode()
    assert not EscalationRule.objects.exists()


def test_create_edit_and_fail_a_stalled_rule(as_admin, admin, billing):
    url = _url("sla_rule_new", "stalled")
    post = {
        "name": "Chase idle",
        "enabled": "on",
        "hours": "0",
        **_conditions_post(),
        "act-count": "1",
        "act-0-kind": "set_group",
        "act-0-group": str(billing.pk),
        "save": "1",
    }
    refused = as_admin.post(url, post)
    assert refused.status_code == 400
    assert "greater than or equal to 1" in refused.content.decode()
    saved = as_admin.post(url, {**post, "hours": "8"}, follow=True)
    assert "Saved stalled-ticket rule Chase idle." in flash(saved)
    rule = StalledRule.objects.get()
    assert (rule.hours, rule.conditions) == (8, URGENT)
    assert rule.actions == [{"action": "set_group", "value": billing.pk}]
    edit = _url("sla_rule", "stalled", rule.pk)
    assert 'value="8"' in as_admin.get(edit).content.decode()
    as_admin.post(edit, {**post, "hours": "24", "act-0-kind": "notify", "act-0-to": "assignee"})
    rule.refresh_from_db()
    assert rule.hours == 24
    assert rule.actions == [{"action": "notify", "value": {"to": ["assignee"]}}]


def test_create_edit_and_fail_an_emergency_rule(as_admin, admin, alice, bob):
    endpoint = _endpoint(admin)
    url = _url("sla_rule_new", "emergencies")
    post = {
        "name": "Outage",
        "enabled": "on",
        "repeat_minutes": "10",
        "notify": [str(alice.pk), str(bob.pk)],
        "webhook": str(endpoint.pk),
        "all-count": "1",
        "all-0-field": "",
        "all-0-operator": "",
        "all-0-value": "",
        "any-count": "0",
        "save": "1",
    }
    no_conditions = as_admin.post(url, post)
    assert no_conditions.status_code == 400
    assert "Say what an emergency is" in no_conditions.content.decode()
    tags = {"all-0-field": "tags", "all-0-operator": "includes_any", "all-0-value": "outage"}
    nobody = as_admin.post(url, {**post, **tags, "notify": [], "webhook": ""})
    assert nobody.status_code == 400
    assert "Choose at least one agent, or a webhook" in nobody.content.decode()
    saved = as_admin.post(url, {**post, **tags}, follow=True)
    assert "Saved emergency rule Outage." in flash(saved)
    rule = EmergencyRule.objects.get()
    assert rule.conditions == OUTAGE
    assert (rule.notify, rule.webhook, rule.repeat_minutes) == ([alice.pk, bob.pk], endpoint, 10)
    edit = _url("sla_rule", "emergencies", rule.pk)
    page = as_admin.get(edit).content.decode()
    assert f'<option value="{endpoint.pk}" selected>PagerDuty</option>' in page
    as_admin.post(edit, {**post, **tags, "notify": [str(bob.pk)], "webhook": ""})
    rule.refresh_from_db()
    assert (rule.notify, rule.webhook) == ([bob.pk], None)


def test_preview_counts_open_tickets_a_rule_matches(as_admin, admin, carol):
    for i in range(3):
        ticket = create_ticket(by=carol, requester=carol, subject=f"Down {i}", body="b")
        if i < 2:
            update_ticket(ticket, by=admin, changes={"priority": "urgent"})
    url = _url("sla_rule_new", "stalled")
    preview = as_admin.post(url, {**_conditions_post(), "name": "x", "preview": "1"})
    assert "This rule matches <strong>2</strong> open tickets" in preview.content.decode()
    rule = _stalled(admin, conditions={"all": [], "any": []})
    page = as_admin.get(_url("sla_rule", "stalled", rule.pk)).content.decode()
    assert "This rule matches <strong>3</strong> open tickets" in page


def test_move_rules_within_their_kind(as_admin, admin):
    first, second = _escalation(admin, "First"), _escalation(admin, "Second")
    other = _stalled(admin, "Other")
    done = as_admin.post(
        _url("sla_rule_move", "escalations", second.pk), {"direction": "up"}, follow=True
    )
    assert "Moved escalation rule Second up." in flash(done)
    names = EscalationRule.objects.order_by("position", "id").values_list("name", flat=True)
    assert list(names) == ["Second", "First"]
    assert as_admin.get(_url("sla_rule_move", "escalations", first.pk)).status_code == 405
    assert as_admin.post(_url("sla_rule_move", "stalled", first.pk + 1000)).status_code == 404
    other.refresh_from_db()
    assert other.position == 1


def test_delete_says_what_goes_with_the_rule(as_admin, admin, alice, carol_ticket):
    esc = _escalation(admin)
    EscalationFired.objects.create(
        rule=esc, ticket=carol_ticket, target="first_reply", due_at=carol_ticket.created_at
    )
    url = _url("sla_rule_delete", "escalations", esc.pk)
    confirm = as_admin.get(url).content.decode()
    assert "The record of what it fired goes with it (1 time)" in confirm
    gone = as_admin.post(url, follow=True)
    assert "Deleted escalation rule Warn." in flash(gone)
    assert not EscalationRule.objects.exists() and not EscalationFired.objects.exists()

    emergency = _emergency(admin, [alice.pk])
    Emergency.objects.create(rule=emergency, ticket=carol_ticket)
    url = _url("sla_rule_delete", "emergencies", emergency.pk)
    confirm = as_admin.get(url).content.decode()
    assert "1 emergency, 1 not yet acknowledged" in confirm
    as_admin.post(url)
    assert not EmergencyRule.objects.exists() and not Emergency.objects.exists()

    stalled = _stalled(admin)
    as_admin.post(_url("sla_rule_delete", "stalled", stalled.pk))
    assert not StalledRule.objects.exists()


@pytest.mark.parametrize("rows", [2, 20])
def test_the_list_makes_a_fixed_number_of_queries(
    as_admin, admin, alice, rows, django_assert_max_num_queries
):
    endpoint = _endpoint(admin)
    for i in range(rows):
        group = save_group(by=admin, name=f"Group {i}", members=[alice], lead=alice)
        conditions = {"all": [{"field": "group", "operator": "is", "value": group.pk}], "any": []}
        actions = [
            {"action": "notify", "value": {"to": ["group_lead", alice.pk]}},
            {"action": "set_group", "value": group.pk},
            {"action": "webhook", "value": endpoint.pk},
        ]
        _escalation(admin, f"Escalation {i}", conditions=conditions, actions=actions)
        _stalled(admin, f"Stalled {i}", conditions=conditions, actions=actions)
        _emergency(admin, [alice.pk], f"Emergency {i}", conditions=conditions, webhook=endpoint)
    # 13 today for 2 rules of each kind or 20: session, user, the rail, the three lists,
    # custom fields and one query per kind of name; an N+1 would be over 20.
    with django_assert_max_num_queries(14):
        response = as_admin.get(_url("sla_rules"))
    assert response.status_code == 200
    assert "move to Group 1; webhook PagerDuty" in response.content.decode()


def test_a_deactivated_agent_stays_visible_and_saving_says_to_unselect_them(
    as_admin, admin, alice, billing
):
    from supportdesk.accounts.models import User

    rule = _escalation(admin, actions=[{"action": "notify", "value": {"to": [alice.pk]}}])
    User.objects.filter(pk=alice.pk).update(is_active=False)
    url = _url("sla_rule", "escalations", rule.pk)
    page = as_admin.get(url).content.decode()
    assert f'<option value="{alice.pk}" selected>Alice Agent (alice@example.test, no longer' in page
    post = _escalation_post(alice, billing, name="Warn")
    post.update({"act-count": "1", "act-0-to": []})
    refused = as_admin.post(url, post)
    assert refused.status_code == 400
    assert "no longer an agent) is not an active agent; unselect them." in (
        refused.content.decode()
    )
