"""The admin pages of triggers and time rules: lists in words with order, state and
counts; the editor (conditions and actions as rows, errors beside what caused them);
the test panel's count and dry run, which save nothing."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from supportdesk.accounts.models import Group
from supportdesk.adminui.tests.conftest import flash
from supportdesk.automation.models import TimeRule, Trigger
from supportdesk.automation.services import save_trigger
from supportdesk.tickets.models import TicketEvent
from supportdesk.tickets.services import create_ticket

HTMX = {"HTTP_HX_REQUEST": "true"}
REFUND = {"all": [{"field": "subject", "operator": "contains", "value": "refund"}], "any": []}
NOTE = [{"action": "add_note", "value": "Checked by a rule"}]


@pytest.fixture
def as_admin(client: Client, admin: Any) -> Client:
    client.force_login(admin)
    return client


def _url(name: str, *args: object) -> str:
    return reverse(f"automation_rules:{name}", args=args)


def _trigger(admin: Any, name: str = "Refunds", **kw: Any) -> Trigger:
    kw.setdefault("event", "ticket.created")
    kw.setdefault("conditions", REFUND)
    kw.setdefault("actions", NOTE)
    return save_trigger(by=admin, name=name, **kw)


def _post(billing: Any, **changes: Any) -> dict[str, Any]:
    """The editor's form for "Refunds to billing", as a browser sends it."""
    data: dict[str, Any] = {
        "name": "Refunds to billing",
        "enabled": "on",
        "event": "ticket.created",
        "description": "",
        "all-count": "1",
        "all-0-field": "subject",
        "all-0-operator": "contains",
        "all-0-value": "refund",
        "any-count": "0",
        "act-count": "2",
        "act-0-kind": "add_tags",
        "act-0-tags": "refund, billing",
        "act-1-kind": "set_group",
        "act-1-group": str(billing.pk),
        "save": "1",
    }
    return {**data, **changes}


class _FormReader(HTMLParser):
    """The values a browser would send for the form with id `form_id`."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.data: list[tuple[str, str]] = []
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "name" not in a and tag != "option":
            return
        if (
            tag == "input"
            and a.get("type") not in ("submit", "checkbox")
            or (tag == "input" and a.get("type") == "checkbox" and "checked" in a)
        ):
            self.data.append((a["name"], a.get("value", "on" if "checked" in a else "")))
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.data.append((self.select, a.get("value", "")))
        elif tag == "textarea":
            self.textarea, self.text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            # A browser drops the one newline that follows <textarea>.
            self.data.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def form_of(html: str) -> dict[str, Any]:
    import html as htmllib

    reader = _FormReader("rule-form")
    reader.feed(html)
    data: dict[str, Any] = {}
    for name, value in reader.data:
        value = htmllib.unescape(value)
        data.setdefault(name, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in data.items()}


# Access ----------------------------------------------------------------------------------


def test_every_page_is_for_admins_only(client, admin, alice, carol):
    trigger, rule = _trigger(admin), TimeRule.objects.first()
    assert rule is not None
    urls = [_url("rules", "triggers"), _url("rules", "time-rules")]
    for slug, r in (("triggers", trigger), ("time-rules", rule)):
        urls += [
            _url("rule_new", slug),
            _url("rule", slug, r.pk),
            _url("rule_delete", slug, r.pk),
            _url("rule_matches", slug, r.pk),
        ]
    client.force_login(admin)
    assert [client.get(u).status_code for u in urls] == [200] * len(urls)
    assert client.get(_url("rules", "nonsense")).status_code == 404
    assert client.get(_url("rule", "triggers", 999999)).status_code == 404
    client.force_login(alice)
    assert [client.get(u).status_code for u in urls] == [403] * len(urls)
    assert client.post(_url("rule_delete", "triggers", trigger.pk)).status_code == 403
    assert client.post(_url("rule_enabled", "triggers", trigger.pk)).status_code == 403
    client.force_login(carol)
    assert [client.get(u).status_code for u in urls] == [404] * len(urls)
    assert client.post(_url("rule_move", "triggers", trigger.pk)).status_code == 404
    assert Trigger.objects.get(pk=trigger.pk).enabled is True


def test_the_admin_home_and_navigation_link_the_section(as_admin):
    page = as_admin.get(reverse("adminui:index")).content.decode()
    assert f'href="{_url("index")}"' in page
    assert f'href="{_url("rules", "time-rules")}"' in page
    assert as_admin.get(_url("index")).url == _url("rules", "triggers")


# The lists -------------------------------------------------------------------------------


def test_the_lists_say_the_default_rules_in_words(as_admin):
    triggers = as_admin.get(_url("rules", "triggers")).content.decode()
    assert "Acknowledge new tickets" in triggers
    assert "Who caused the event is Customer" in triggers
    assert "E-mail the requester the acknowledgement" in triggers
    assert "Assignee is empty" in triggers
    rules = as_admin.get(_url("rules", "time-rules")).content.decode()
    assert "96 hours after the ticket was solved" in rules
    assert "Set status to closed" in rules
    assert "30 minutes after the ticket was created" in rules
    assert "Assignee is empty and Status is any of New, Open" in rules
    assert rules.count(">Switch on<") == 3 and rules.count(">Switch off<") == 1


def test_rules_name_groups_and_agents_by_name(as_admin, admin, alice, billing):
    _trigger(
        admin,
        "Route VIPs",
        event="ticket.updated",
        conditions={
            "all": [
                {"field": "group", "operator": "is", "value": billing.pk},
                {"field": "priority", "operator": "changed_to", "value": "urgent"},
                {"field": "tags", "operator": "changed", "value": None},
            ],
            "any": [],
        },
        actions=[
            {"action": "set_assignee", "value": alice.pk},
            {"action": "notify", "value": {"to": ["group_lead", alice.pk]}},
            {"action": "set_assignee", "value": "round_robin"},
        ],
    )
    page = as_admin.get(_url("rules", "triggers")).content.decode()
    assert "Group is Billing and Priority changed to Urgent and Tags changed<" in page
    assert (
        "Assign to Alice Agent; notify the group lead and Alice Agent; "
        "assign by round-robin routing" in page
    )


@pytest.mark.parametrize("rows", [2, 20])
def test_the_list_costs_the_same_queries_however_many_rules(
    as_admin, admin, alice, rows, django_assert_max_num_queries
):
    for i in range(rows):
        group = Group.objects.create(name=f"Group {i}")
        conditions = {"all": [{"field": "group", "operator": "is", "value": group.pk}], "any": []}
        actions = [
            {"action": "notify", "value": {"to": ["group_lead", alice.pk]}},
            {"action": "set_group", "value": group.pk},
            {"action": "set_assignee", "value": alice.pk},
        ]
        _trigger(admin, f"Trigger {i}", conditions=conditions, actions=actions)
    # 10 or 11 today: session, user, the rail, the rules, custom fields and a query per
    # kind of name (groups, people); an N+1 would be over 20.
    with django_assert_max_num_queries(12):
        response = as_admin.get(_url("rules", "triggers"))
    assert response.status_code == 200
    assert "move to Group 1" in response.content.decode()


def test_switching_a_rule_off_and_on(as_admin, admin):
    rule = TimeRule.objects.get(name="Close solved tickets")
    answer = as_admin.post(_url("rule_enabled", "time-rules", rule.pk))
    assert answer.status_code == 302
    assert flash(answer) == ["Switched time rule Close solved tickets off."]
    assert TimeRule.objects.get(pk=rule.pk).enabled is False
    as_admin.post(_url("rule_enabled", "time-rules", rule.pk))
    assert TimeRule.objects.get(pk=rule.pk).enabled is True
    assert as_admin.get(_url("rule_enabled", "time-rules", rule.pk)).status_code == 405


def test_a_rule_whose_group_was_deleted_is_not_switched_on(as_admin, admin, billing):
    trigger = _trigger(admin, enabled=False, actions=[{"action": "set_group", "value": billing.pk}])
    billing.delete()
    answer = as_admin.post(_url("rule_enabled", "triggers", trigger.pk))
    assert "Refunds was not changed: actions[0].value: no group" in flash(answer)[0]
    assert Trigger.objects.get(pk=trigger.pk).enabled is False


def test_moving_rules_up_and_down(as_admin):
    first, second, third = Trigger.objects.order_by("position", "id")
    answer = as_admin.post(_url("rule_move", "triggers", third.pk), {"direction": "up"})
    assert answer.url.endswith(f"#rule-{third.pk}")
    assert list(Trigger.objects.order_by("position", "id")) == [first, third, second]
    as_admin.post(_url("rule_move", "triggers", first.pk), {"direction": "down"})
    assert list(Trigger.objects.order_by("position", "id")) == [third, first, second]


def test_deleting_asks_first(as_admin, admin):
    trigger = _trigger(admin)
    page = as_admin.get(_url("rule_delete", "triggers", trigger.pk)).content.decode()
    assert "Delete trigger Refunds?" in page
    assert Trigger.objects.filter(pk=trigger.pk).exists()
    answer = as_admin.post(_url("rule_delete", "triggers", trigger.pk))
    assert flash(answer) == ["Deleted trigger Refunds."]
    assert not Trigger.objects.filter(pk=trigger.pk).exists()


def test_the_count_button_answers_with_a_fragment_or_a_page(as_admin, admin, carol):
    for subject in ("Refund please", "Another refund", "Printer jam"):
        create_ticket(by=carol, requester=carol, subject=subject, body="Hi")
    trigger = _trigger(admin)
    url = _url("rule_matches", "triggers", trigger.pk)
    fragment = as_admin.get(url, **HTMX).content.decode()
    assert "<strong>2</strong> open tickets" in fragment
    assert "<html" not in fragment
    page = as_admin.get(url).content.decode()
    assert "This rule would match <strong>2</strong> of the open tickets now." in page
    rule = TimeRule.objects.get(name="Tell the group lead of unassigned tickets")
    fragment = as_admin.get(_url("rule_matches", "time-rules", rule.pk), **HTMX)
    assert "<strong>0</strong> at the next pass" in fragment.content.decode()


# The editor ------------------------------------------------------------------------------


def test_admin_creates_a_trigger_with_the_form(as_admin, billing):
    answer = as_admin.post(_url("rule_new", "triggers"), _post(billing))
    assert answer.status_code == 302, answer.content.decode()
    assert flash(answer) == ["Saved trigger Refunds to billing."]
    saved = Trigger.objects.get(name="Refunds to billing")
    assert saved.conditions == REFUND
    assert saved.actions == [
        {"action": "add_tags", "value": ["refund", "billing"]},
        {"action": "set_group", "value": billing.pk},
    ]
    assert (saved.event, saved.enabled, saved.position) == ("ticket.created", True, 4)


def test_admin_creates_a_time_rule_with_event_free_conditions(as_admin, alice):
    post = {
        "name": "Chase VIPs",
        "enabled": "on",
        "hours": "1.5",
        "since": "customer_message",
        "business_hours": "on",
        "all-count": "1",
        "all-0-field": "subject",
        "all-0-operator": "matches",
        "all-0-value": "v(i|er)p",
        "any-count": "0",
        "act-count": "2",
        "act-0-kind": "notify",
        "act-0-to": ["assignee", "group_lead"],
        "act-0-agents": [str(alice.pk)],
        "act-0-notify_text": "A VIP waits",
        "act-1-kind": "send_email",
        "act-1-mail_to": "other",
        "act-1-mail_address": "boss@example.test",
        "act-1-mail_subject": "VIP waiting on {{ ticket.number }}",
        "act-1-mail_body": "See {{ ticket.url }}",
    }
    answer = as_admin.post(_url("rule_new", "time-rules"), post)
    assert answer.status_code == 302, answer.content.decode()
    rule = TimeRule.objects.get(name="Chase VIPs")
    assert (rule.since, rule.hours, rule.business_hours) == ("customer_message", 1.5, True)
    assert rule.conditions["all"] == [
        {"field": "subject", "operator": "matches", "value": "v(i|er)p"}
    ]
    assert rule.actions == [
        {
            "action": "notify",
            "value": {"to": ["assignee", "group_lead", alice.pk], "text": "A VIP waits"},
        },
        {
            "action": "send_email",
            "value": {
                "to": "boss@example.test",
                "subject": "VIP waiting on {{ ticket.number }}",
                "body": "See {{ ticket.url }}",
            },
        },
    ]


def test_mistakes_are_shown_beside_their_inputs_and_what_was_typed_stays(as_admin, admin, billing):
    gone = Group.objects.create(name="Gone")
    gone_id = gone.pk
    post = _post(
        billing,
        name="Acknowledge new tickets",
        **{
            "all-0-field": "priority",
            "all-0-operator": "is",
            "all-0-value": "whenever",
            "act-1-group": str(gone.pk),
        },
    )
    gone.delete()
    refused = as_admin.post(_url("rule_new", "triggers"), post)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Priority has no value &#x27;whenever&#x27;" in page
    assert 'value="refund, billing"' in page  # what was typed stays
    assert not Trigger.objects.filter(name="Refunds to billing").exists()
    # With the condition fixed, the service names the name and the deleted group.
    post["all-0-value"] = "urgent"
    refused = as_admin.post(_url("rule_new", "triggers"), post).content.decode()
    assert "A rule named &#x27;Acknowledge new tickets&#x27; exists" in refused
    post["name"] = "Refunds to billing"
    refused = as_admin.post(_url("rule_new", "triggers"), post).content.decode()
    assert f"No group {gone_id}: it was deleted or never existed; choose another." in refused
    assert f'<option value="{gone_id}" selected>#{gone_id} (deleted)</option>' in refused
    empty = as_admin.post(
        _url("rule_new", "triggers"), _post(billing, **{"act-0-tags": " ", "act-count": "1"})
    )
    assert "Enter one or more tags, separated by commas." in empty.content.decode()
    assert not Trigger.objects.filter(name="Refunds to billing").exists()


@pytest.mark.parametrize("slug", ["triggers", "time-rules"])
def test_every_default_rule_opens_and_saves_unchanged(as_admin, slug):
    model = Trigger if slug == "triggers" else TimeRule
    for rule in model.objects.all():
        before = (rule.conditions, rule.actions, rule.enabled, rule.description)
        page = as_admin.get(_url("rule", slug, rule.pk)).content.decode()
        data = form_of(page)
        assert data["name"] == rule.name
        answer = as_admin.post(_url("rule", slug, rule.pk), {**data, "save": "1"})
        assert answer.status_code == 302, (rule.name, answer.content.decode()[:3000])
        rule.refresh_from_db()
        assert (rule.conditions, rule.actions, rule.enabled, rule.description) == before


def test_the_default_acknowledgement_shows_its_template_and_who_acted(as_admin):
    ack = Trigger.objects.get(name="Acknowledge new tickets")
    page = as_admin.get(_url("rule", "triggers", ack.pk)).content.decode()
    assert '<option value="acknowledgement" selected>' in page
    assert '<option value="actor_role" selected>Who caused the event</option>' in page
    assert '<option value="customer" selected>Customer</option>' in page
    assert 'name="act-0-mail_subject"' not in page  # the template's text is used


def test_the_editor_adds_and_removes_rows_without_saving(as_admin, billing):
    url = _url("rule_new", "triggers")
    added = as_admin.post(url, _post(billing, save="", add_action="1", add_kind="webhook"))
    assert added.status_code == 200
    assert 'id="act-2"' in added.content.decode()
    assert "No webhook endpoints yet" in added.content.decode()
    removed = as_admin.post(url, _post(billing, save="", remove_action="act-0"))
    page = removed.content.decode()
    assert 'id="act-1"' not in page and 'name="act-0-group"' in page
    more = as_admin.post(url, _post(billing, save="", add_any="1")).content.decode()
    assert 'name="any-0-field"' in more
    assert not Trigger.objects.filter(name="Refunds to billing").exists()


def test_htmx_refreshes_one_row(as_admin, billing):
    url = _url("rule_new", "triggers")
    changed = as_admin.post(
        url, _post(billing, row="act-0", **{"act-0-kind": "set_priority"}), **HTMX
    )
    row = changed.content.decode().strip()
    assert row.startswith('<li class="act-row') and 'name="act-0-priority"' in row
    kept = as_admin.post(
        url,
        _post(
            billing, row="act-0", keep="1", **{"act-0-kind": "send_email", "act-0-mail_to": "other"}
        ),
        **HTMX,
    ).content.decode()
    assert 'name="act-0-mail_address"' in kept
    condition = (
        as_admin.post(url, _post(billing, row="all-0", **{"all-0-field": "priority"}), **HTMX)
        .content.decode()
        .strip()
    )
    assert condition.startswith('<li class="cond-row') and 'value="urgent"' in condition
    changed_row = as_admin.post(
        url, _post(billing, row="all-0", **{"all-0-operator": "changed"}), **HTMX
    ).content.decode()
    assert "no value needed" in changed_row


# The test panel --------------------------------------------------------------------------


def test_the_count_follows_the_conditions_as_typed(as_admin, carol, billing):
    for subject in ("Refund please", "Printer jam"):
        create_ticket(by=carol, requester=carol, subject=subject, body="Hi")
    url = _url("rule_new", "triggers")
    counted = as_admin.post(url, _post(billing, save="", count="1"), **HTMX).content.decode()
    assert "This rule would match <strong>1</strong> of the open tickets now." in counted
    every = _post(billing, save="", count="1", **{"all-0-field": "", "all-0-value": ""})
    counted = as_admin.post(url, every, **HTMX).content.decode()
    assert "<strong>2</strong>" in counted
    broken = _post(billing, save="", count="1", **{"all-0-value": ""})
    counted = as_admin.post(url, broken, **HTMX).content.decode()
    assert "condition 1 of “all”: Enter a value for Subject." in counted
    timed = {
        "name": "Old",
        "hours": "0.05",
        "since": "created",
        "all-count": "0",
        "any-count": "0",
        "act-count": "0",
        "count": "1",
    }
    counted = as_admin.post(_url("rule_new", "time-rules"), timed, **HTMX).content.decode()
    assert "The next pass would fire this rule on <strong>0</strong> tickets." in counted
    assert not Trigger.objects.filter(name="Refunds to billing").exists()


def test_a_dry_run_shows_what_the_rule_as_typed_would_do_and_saves_nothing(
    as_admin, carol, billing
):
    ticket = create_ticket(by=carol, requester=carol, subject="Refund for order 7", body="Hi")
    events = TicketEvent.objects.count()
    url = _url("rule_new", "triggers")
    ran = as_admin.post(
        url, _post(billing, save="", dry_run="1", test_ticket=str(ticket.pk)), **HTMX
    )
    page = ran.content.decode()
    assert "the rule applies." in page
    assert "<li>Group: none → Billing</li>" in page
    assert "<li>Tags: none → refund, billing</li>" in page
    assert TicketEvent.objects.count() == events
    ticket.refresh_from_db()
    assert (ticket.group_id, ticket.tags) == (None, [])
    assert not Trigger.objects.filter(name="Refunds to billing").exists()
    missing = as_admin.post(url, _post(billing, save="", dry_run="1", test_ticket="999999"), **HTMX)
    assert "There is no ticket #999999." in missing.content.decode()
    blank = as_admin.post(url, _post(billing, save="", dry_run="1", test_ticket=""), **HTMX)
    assert "Enter a ticket number" in blank.content.decode()


def test_without_javascript_the_test_panel_tries_the_saved_rule(as_admin, admin, carol):
    ticket = create_ticket(by=carol, requester=carol, subject="Refund please", body="Hi")
    trigger = _trigger(admin)
    url = _url("rule", "triggers", trigger.pk)
    page = as_admin.post(url, {"dry_run": "1", "test_ticket": str(ticket.pk)}).content.decode()
    assert "<h1>Trigger Refunds</h1>" in page
    assert "the rule applies." in page and "<li>Adds an internal note</li>" in page
    counted = as_admin.post(url, {"count": "1"}).content.decode()
    assert "would match <strong>1</strong> of the open tickets" in counted
    new = as_admin.post(_url("rule_new", "triggers"), {"count": "1"}).content.decode()
    assert "Fill in the rule above first." in new


def test_a_time_rule_dry_run_says_when_it_would_fire(as_admin, carol):
    ticket = create_ticket(by=carol, requester=carol, subject="Where is it", body="Hi")
    rule = TimeRule.objects.get(name="Tell the group lead of unassigned tickets")
    page = as_admin.post(
        _url("rule", "time-rules", rule.pk), {"dry_run": "1", "test_ticket": f"#{ticket.pk}"}
    ).content.decode()
    assert "the rule applies." in page
    assert "0 hours since the ticket was created; it fires at 0.5 hours" in page
    assert "The time rule is switched off: it does nothing until it is enabled." in page
    assert "Notifies group_lead" in page


def test_time_rule_errors_show_by_their_inputs(as_admin):
    post = {
        "name": "Bad",
        "hours": "0",
        "since": "pending",
        "all-count": "1",
        "all-0-field": "priority",
        "all-0-operator": "changed",
        "any-count": "0",
        "act-count": "1",
        "act-0-kind": "set_status",
        "act-0-status": "solved",
    }
    refused = as_admin.post(_url("rule_new", "time-rules"), post)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Ensure this value is greater than or equal to 0.05." in page
    assert "Priority can be:" in page  # "changed" is for triggers only
    assert not TimeRule.objects.filter(name="Bad").exists()
