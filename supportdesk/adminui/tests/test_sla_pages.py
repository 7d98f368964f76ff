"""SLA admin pages: policies in order with a preview, calendars, group calendars."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supportdesk.adminui.tests.conftest import flash
from supportdesk.adminui.views.sla import duration
from supportdesk.sla.models import Calendar, GroupCalendar, Policy
from supportdesk.sla.services import save_calendar, save_policy
from supportdesk.tickets.services import create_ticket, update_ticket

WEEK = {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]}
URGENT = {"all": [{"field": "priority", "operator": "is", "value": "urgent"}], "any": []}


def _calendar(admin, name="Berlin office"):  # type: ignore[no-untyped-def]
    return save_calendar(by=admin, name=name, timezone_name="Europe/Berlin", hours=WEEK)


def _policy(admin, name="Urgent", **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("conditions", URGENT)
    kw.setdefault("targets", {"first_reply": 60})
    return save_policy(by=admin, name=name, **kw)


def _calendar_post(**changes: str) -> dict[str, str]:
    data = {
        "name": "Berlin office",
        "timezone": "Europe/Berlin",
        "mon": "09:00-12:00, 13:00-17:00",
        "tue": "9-17",
        "wed": "",
        "thu": "",
        "fri": "08:30-16:00",
        "sat": "",
        "sun": "",
        "country": "de",
        "subdivision": "be",
        "dates": "2026-12-24\n\n2026-12-31\n",
    }
    return {**data, **changes}


def _policy_post(**changes: str) -> dict[str, str]:
    data = {
        "name": "Urgent",
        "enabled": "on",
        "calendar": "",
        "business_hours": "on",
        "first_reply_hours": "1",
        "first_reply_minutes": "",
        "resolution_hours": "8",
        "resolution_minutes": "30",
        "pause_on": "pending",
        "all-count": "1",
        "all-0-field": "priority",
        "all-0-operator": "is",
        "all-0-value": "urgent",
        "any-count": "0",
        "save": "1",
    }
    return {**data, **changes}


def _urls(admin) -> list[str]:  # type: ignore[no-untyped-def]
    policy, calendar = _policy(admin), _calendar(admin)
    return [
        reverse("adminui:sla"),
        reverse("adminui:sla_policy_new"),
        reverse("adminui:sla_policy", args=[policy.pk]),
        reverse("adminui:sla_policy_delete", args=[policy.pk]),
        reverse("adminui:sla_calendar_new"),
        reverse("adminui:sla_calendar", args=[calendar.pk]),
        reverse("adminui:sla_calendar_delete", args=[calendar.pk]),
    ]


def test_every_page_is_for_admins_only(client, admin, alice, carol, billing):
    urls = _urls(admin)
    client.force_login(admin)
    assert [client.get(u).status_code for u in urls] == [200] * len(urls)
    client.force_login(alice)
    assert [client.get(u).status_code for u in urls] == [403] * len(urls)
    client.force_login(carol)
    assert [client.get(u).status_code for u in urls] == [404] * len(urls)
    group_url = reverse("adminui:sla_group_calendar", args=[billing.pk])
    assert client.post(group_url, {"calendar": ""}).status_code == 404
    assert not GroupCalendar.objects.exists()


def test_create_a_calendar_with_a_bad_time_zone_then_fix_it(as_admin):
    url = reverse("adminui:sla_calendar_new")
    refused = as_admin.post(url, _calendar_post(timezone="Mars/Olympus"))
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "is not a known time zone" in body
    assert 'value="Mars/Olympus" selected' in body  # kept as typed
    assert "09:00-12:00, 13:00-17:00" in body and "2026-12-31" in body
    assert not Calendar.objects.exists()
    saved = as_admin.post(url, _calendar_post(), follow=True)
    assert "Saved calendar Berlin office." in flash(saved)
    calendar = Calendar.objects.get()
    assert calendar.timezone == "Europe/Berlin"
    assert (calendar.country, calendar.subdivision) == ("DE", "BE")
    assert calendar.dates == ["2026-12-24", "2026-12-31"]
    assert calendar.hours["mon"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert calendar.hours["tue"] == [["09:00", "17:00"]]
    assert calendar.hours["wed"] == [] and calendar.hours["fri"] == [["08:30", "16:00"]]


def test_calendar_errors_sit_next_to_their_input(as_admin, admin):
    calendar = _calendar(admin)
    url = reverse("adminui:sla_calendar", args=[calendar.pk])
    page = as_admin.get(url).content.decode()
    assert 'value="09:00-17:00"' in page and "Europe/Berlin" in page
    typo = as_admin.post(url, _calendar_post(mon="9 to 5"))
    assert typo.status_code == 400
    assert "Write times like 09:00-17:00" in typo.content.decode()
    overlap = as_admin.post(url, _calendar_post(mon="09:00-12:00, 11:00-13:00"))
    assert overlap.status_code == 400 and "overlaps" in overlap.content.decode()
    country = as_admin.post(url, _calendar_post(country="XX"))
    assert "not a country code" in country.content.decode()
    date = as_admin.post(url, _calendar_post(dates="2026-02-30"))
    assert date.status_code == 400
    calendar.refresh_from_db()
    assert calendar.hours == WEEK  # nothing saved


def test_create_a_policy_with_targets_and_a_priority_condition(as_admin, admin):
    calendar = _calendar(admin)
    url = reverse("adminui:sla_policy_new")
    saved = as_admin.post(url, _policy_post(calendar=str(calendar.pk)), follow=True)
    assert "Saved policy Urgent." in flash(saved)
    policy = Policy.objects.get()
    assert policy.conditions == URGENT
    assert policy.targets == {"first_reply": 60, "resolution": 510}
    assert policy.pause_on == ["pending"]
    assert (policy.calendar, policy.business_hours, policy.enabled) == (calendar, True, True)
    listing = as_admin.get(reverse("adminui:sla")).content.decode()
    assert "Priority is Urgent" in listing
    assert "First reply 1 h · Resolution 8 h 30 min" in listing
    edit = as_admin.get(reverse("adminui:sla_policy", args=[policy.pk])).content.decode()
    assert 'name="resolution_minutes" id="id_resolution_minutes" value="30"' in edit


def test_policy_errors_keep_the_input(as_admin, admin):
    _policy(admin)
    url = reverse("adminui:sla_policy_new")
    empty = {"first_reply_hours": "", "resolution_hours": "", "resolution_minutes": ""}
    no_targets = as_admin.post(url, _policy_post(name="Second", **empty))
    assert no_targets.status_code == 400
    assert "Set at least one target" in no_targets.content.decode()
    duplicate = as_admin.post(url, _policy_post())
    assert duplicate.status_code == 400
    assert "A policy named &#x27;Urgent&#x27; exists" in duplicate.content.decode()
    bad_row = as_admin.post(url, _policy_post(name="Third", **{"all-0-value": "blazing"}))
    assert bad_row.status_code == 400
    body = bad_row.content.decode()
    assert "Priority has no value" in body and 'value="Third"' in body
    assert Policy.objects.count() == 1


def test_add_and_remove_condition_rows_without_saving(as_admin):
    url = reverse("adminui:sla_policy_new")
    added = as_admin.post(url, {**_policy_post(), "save": "", "add_any": "1"})
    assert added.status_code == 200 and 'name="any-0-field"' in added.content.decode()
    removed = as_admin.post(url, {**_policy_post(), "save": "", "remove": "all-0"})
    assert 'name="all-0-field"' not in removed.content.decode()
    assert not Policy.objects.exists()


def test_preview_counts_open_tickets_the_conditions_match(as_admin, admin, carol):
    for i in range(3):
        ticket = create_ticket(by=carol, requester=carol, subject=f"Down {i}", body="b")
        if i < 2:
            update_ticket(ticket, by=admin, changes={"priority": "urgent"})
    solved = create_ticket(by=carol, requester=carol, subject="Old", body="b")
    update_ticket(solved, by=admin, changes={"priority": "urgent", "status": "solved"})
    url = reverse("adminui:sla_policy_new")
    preview = as_admin.post(url, {**_policy_post(), "save": "", "preview": "1"})
    assert "This policy matches <strong>2</strong> open tickets" in preview.content.decode()
    assert not Policy.objects.exists()
    policy = _policy(admin, conditions={"all": [], "any": []})
    page = as_admin.get(reverse("adminui:sla_policy", args=[policy.pk])).content.decode()
    assert "This policy matches <strong>3</strong> open tickets" in page


def test_no_preview_for_regular_expressions_but_the_policy_stays_editable(as_admin, admin):
    regex = {"all": [{"field": "subject", "operator": "matches", "value": "^(down|outage)"}]}
    policy = _policy(admin, conditions=regex)
    url = reverse("adminui:sla_policy", args=[policy.pk])
    page = as_admin.get(url).content.decode()
    assert "preview is not available" in page
    listing = as_admin.get(reverse("adminui:sla")).content.decode()
    assert "Subject matches /^(down|outage)/" in listing
    post = _policy_post(
        name="Outages",
        **{"all-0-field": "subject", "all-0-operator": "matches", "all-0-value": "^outage"},
    )
    as_admin.post(url, post)
    policy.refresh_from_db()
    assert policy.name == "Outages"
    assert policy.conditions["all"] == [
        {"field": "subject", "operator": "matches", "value": "^outage"}
    ]


def test_move_and_delete_policies(as_admin, admin):
    first, second = _policy(admin, "First"), _policy(admin, "Second")
    as_admin.post(reverse("adminui:sla_policy_move", args=[second.pk]), {"direction": "up"})
    assert list(Policy.objects.values_list("name", flat=True)) == ["Second", "First"]
    assert as_admin.get(reverse("adminui:sla_policy_move", args=[first.pk])).status_code == 405
    gone = as_admin.post(reverse("adminui:sla_policy_delete", args=[first.pk]), follow=True)
    assert "Deleted policy First." in flash(gone)
    assert list(Policy.objects.values_list("name", flat=True)) == ["Second"]


def test_a_calendar_in_use_cannot_be_deleted(as_admin, admin):
    calendar = _calendar(admin)
    policy = _policy(admin, calendar=calendar)
    url = reverse("adminui:sla_calendar_delete", args=[calendar.pk])
    refused = as_admin.post(url)
    assert refused.status_code == 400
    assert "used by the policies Urgent" in refused.content.decode()
    assert Calendar.objects.filter(pk=calendar.pk).exists()
    save_policy(
        by=admin, policy=policy, name="Urgent", conditions=URGENT, targets={"first_reply": 60}
    )
    gone = as_admin.post(url, follow=True)
    assert "Deleted calendar Berlin office." in flash(gone)
    assert not Calendar.objects.exists()


def test_set_and_clear_a_group_calendar(as_admin, admin, billing):
    calendar = _calendar(admin)
    url = reverse("adminui:sla_group_calendar", args=[billing.pk])
    done = as_admin.post(url, {"calendar": str(calendar.pk)}, follow=True)
    assert "Group Billing uses the calendar Berlin office." in flash(done)
    assert GroupCalendar.objects.get(group=billing).calendar == calendar
    page = as_admin.get(reverse("adminui:sla")).content.decode()
    assert f'<option value="{calendar.pk}" selected>Berlin office</option>' in page
    stale = as_admin.post(url, {"calendar": "999999"}, follow=True)
    assert "no longer exists" in flash(stale)[0]
    assert GroupCalendar.objects.filter(group=billing).exists()
    as_admin.post(url, {"calendar": ""})
    assert not GroupCalendar.objects.exists()


def test_durations_read_as_words():
    assert [duration(m) for m in (45, 60, 90, 1440, 1505)] == [
        "45 min",
        "1 h",
        "1 h 30 min",
        "1 d",
        "1 d 1 h 5 min",
    ]


@pytest.mark.parametrize("rows", [2, 20])
def test_the_overview_makes_a_fixed_number_of_queries(
    as_admin, admin, alice, rows, django_assert_max_num_queries
):
    from supportdesk.accounts.services import save_group

    for i in range(rows):
        calendar = _calendar(admin, f"Calendar {i}")
        group = save_group(by=admin, name=f"Group {i}", members=[alice], lead=alice)
        conditions = {
            "all": [{"field": "group", "operator": "is", "value": group.pk}],
            "any": [{"field": "assignee", "operator": "includes_any", "value": [alice.pk]}],
        }
        _policy(admin, f"Policy {i}", calendar=calendar, conditions=conditions)
    with django_assert_max_num_queries(14):
        response = as_admin.get(reverse("adminui:sla"))
    assert response.status_code == 200
    assert "Group is Group 1" in response.content.decode()
