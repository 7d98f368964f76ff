"""The saved-view editor: conditions as a form, preview, sharing rules, delete."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from supportdesk.queues.models import DEFAULT_COLUMNS, SavedView
from supportdesk.queues.services import save_view
from supportdesk.tickets.models import CustomField
from supportdesk.tickets.services import create_ticket

NEW = "/agent/views/new/"


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def form_data(
    rows: dict[str, list[tuple[str, str, Any]]] | None = None, **overrides: Any
) -> dict[str, Any]:
    """POST data as a browser sends the editor: a row is (field, operator, value), the
    value a string or, for a multi-select, a list."""
    data: dict[str, Any] = {
        "name": "Billing escalations",
        "sort": "-updated_at",
        "columns": ["number", "subject", "priority"],
    }
    for part in ("all", "any"):
        part_rows = (rows or {}).get(part, []) + [("", "is", "")] * 2
        data[f"{part}-count"] = str(len(part_rows))
        for i, (field, operator, value) in enumerate(part_rows):
            data[f"{part}-{i}-field"] = field
            data[f"{part}-{i}-operator"] = operator
            data[f"{part}-{i}-value"] = value
    data.update(overrides)
    return data


def row_count(html: str, part: str) -> int:
    found = re.search(rf'name="{part}-count" value="(\d+)"', html)
    assert found
    return int(found.group(1))


def test_url_names_are_the_agreed_ones() -> None:
    assert reverse("agent:view_new") == NEW
    assert reverse("agent:view_edit", args=[3]) == "/agent/views/3/edit/"
    assert reverse("agent:view_delete", args=[3]) == "/agent/views/3/delete/"


def test_new_view_form_offers_fields_without_python_only_operators(client, alice) -> None:
    CustomField.objects.create(key="plan", label="Plan", type="dropdown", options=["Free", "Pro"])
    CustomField.objects.create(key="old", label="Old", type="text", enabled=False)
    client.force_login(alice)
    response = client.get(NEW)
    assert response.status_code == 200
    page = response.content.decode()
    assert row_count(page, "all") == 2 and row_count(page, "any") == 2
    assert '<option value="custom_fields.plan">Plan</option>' in page
    assert "custom_fields.old" not in page
    assert 'value="matches"' not in page and 'value="changed' not in page
    assert 'name="shared"' not in page  # agents cannot share
    assert "Last updated, newest first" in page
    checked = re.findall(r'name="columns" value="(\w+)" checked', page)
    assert checked == DEFAULT_COLUMNS


def test_create_a_view_with_conditions_of_every_kind(
    client, alice, billing, org_acme, carol_ticket
) -> None:
    CustomField.objects.create(key="plan", label="Plan", type="dropdown", options=["Free", "Pro"])
    CustomField.objects.create(key="vip", label="VIP", type="checkbox")
    client.force_login(alice)
    rows = {
        "all": [
            ("status", "includes_any", ["open", "new"]),
            ("group", "is", str(billing.pk)),
            ("tags", "includes_any", "VIP, outage"),
            ("created_hours_ago", "less_than", "48"),
            ("custom_fields.plan", "is", "Pro"),
            ("custom_fields.vip", "is", "yes"),
            ("assignee", "is_empty", ""),
        ],
        "any": [
            ("subject", "contains", "invoice"),
            ("organization", "is", "acme"),  # a name, typed
            ("priority", "includes_none", ["low"]),
        ],
    }
    response = client.post(NEW, form_data(rows))
    view = SavedView.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/agent/views/v{view.pk}/"
    assert view.owner == alice and not view.shared and view.name == "Billing escalations"
    assert view.columns == ["number", "subject", "priority"]
    assert view.conditions == {
        "all": [
            {"field": "status", "operator": "includes_any", "value": ["open", "new"]},
            {"field": "group", "operator": "is", "value": billing.pk},
            {"field": "tags", "operator": "includes_any", "value": ["vip", "outage"]},
            {"field": "created_hours_ago", "operator": "less_than", "value": 48},
            {"field": "custom_fields.plan", "operator": "is", "value": "Pro"},
            {"field": "custom_fields.vip", "operator": "is", "value": True},
            {"field": "assignee", "operator": "is_empty", "value": None},
        ],
        "any": [
            {"field": "subject", "operator": "contains", "value": "invoice"},
            {"field": "organization", "operator": "is", "value": org_acme.pk},
            {"field": "priority", "operator": "includes_none", "value": ["low"]},
        ],
    }
    assert "created" in client.get(response["Location"]).content.decode()

    # The editor shows it back as rows: ids as names or selected options, blanks after.
    page = client.get(f"/agent/views/{view.pk}/edit/").content.decode()
    assert 'name="any-1-value" type="text" value="Acme"' in page
    assert f'<option value="{billing.pk}" selected>Billing</option>' in page
    assert 'value="vip, outage"' in page
    assert row_count(page, "all") == 9 and row_count(page, "any") == 5


def test_invalid_rows_show_their_errors_and_stay_as_typed(client, alice, billing) -> None:
    client.force_login(alice)
    rows = {
        "all": [
            ("created_hours_ago", "greater_than", "soon"),
            ("group", "is", "Nope"),
            ("priority", "is", "ultra"),
            ("subject", "includes_all", "x"),
            ("", "is", "orphan value"),
        ],
        "any": [("subject", "contains", "fine")],
    }
    response = client.post(NEW, form_data(rows, name="  "))
    assert response.status_code == 400
    assert not SavedView.objects.exists()
    page = response.content.decode()
    assert "Give the view a name." in page
    assert "5 conditions below need a change" in page
    assert "&#x27;soon&#x27; is not a number" in page
    assert "No group named &#x27;Nope&#x27;." in page
    assert "Priority has no value &#x27;ultra&#x27;" in page
    assert "Subject can be:" in page
    assert "Choose a field." in page
    # Every row is still there as typed, blank rows included.
    assert row_count(page, "all") == 7 and row_count(page, "any") == 3
    assert 'name="all-0-value" type="number" step="any" inputmode="decimal" value="soon"' in page
    assert '<option value="Nope" selected>Nope (unknown)</option>' in page
    assert 'value="orphan value"' in page
    assert 'name="any-0-value" type="text" value="fine"' in page


def test_out_of_range_numbers_and_ids_are_row_errors_not_crashes(client, alice) -> None:
    client.force_login(alice)
    huge = "9" * 30
    rows = {"all": [("created_hours_ago", "greater_than", "1e12"), ("group", "is", huge)]}
    response = client.post(NEW, form_data(rows, preview="1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hours since created: between 0 and 1,000,000 hours." in page
    assert f"No group with id {huge}." in page
    assert client.get(f"/agent/views/{huge}/edit/").status_code == 404
    assert client.get(f"{NEW}?copy={huge}").status_code == 200
    assert client.post(NEW, {"all-count": "99999", "name": "x"}).status_code == 400


def test_a_service_error_lands_on_its_row(client, alice, billing, monkeypatch) -> None:
    """An error only the condition language finds (here: a group deleted meanwhile)."""
    from supportdesk.agent import view_editor_rows

    client.force_login(alice)
    monkeypatch.setattr(view_editor_rows, "validate", lambda conditions, context: conditions)
    rows = {"all": [("group", "is", "99999")]}
    response = client.post(NEW, form_data(rows))
    assert response.status_code == 400
    assert "no group with id 99999" in response.content.decode()
    assert not SavedView.objects.exists()


def test_add_a_condition_adds_one_blank_row_and_saves_nothing(client, alice) -> None:
    client.force_login(alice)
    rows = {"all": [("subject", "contains", "refund")]}
    response = client.post(NEW, form_data(rows, add_any="1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert row_count(page, "all") == 3 and row_count(page, "any") == 3
    assert 'name="all-0-value" type="text" value="refund"' in page
    assert not SavedView.objects.exists()

    removed = client.post(NEW, form_data(rows, remove="all-0")).content.decode()
    assert row_count(removed, "all") == 2 and "refund" not in removed


def test_htmx_row_refresh_fits_operator_and_value_to_the_field(client, alice, billing) -> None:
    client.force_login(alice)
    data = form_data({"all": [("priority", "contains", "")]}, row="all-0")
    response = client.post(NEW, data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<li class="cond-row" id="all-0">')
    assert '<option value="is" selected>is</option>' in html
    assert "contains" not in html
    assert '<option value="urgent">Urgent</option>' in html

    data = form_data({"all": [("group", "includes_any", "")]}, row="all-0")
    html = client.post(NEW, data, headers={"HX-Request": "true"}).content.decode()
    assert "multiple" in html and f'<option value="{billing.pk}">Billing</option>' in html


def test_preview_counts_matches_without_saving(client, alice, carol) -> None:
    for subject in ("Invoice 1 wrong", "Invoice 2 missing", "Password reset"):
        create_ticket(by=carol, requester=carol, subject=subject, body="Hello")
    client.force_login(alice)
    data = form_data({"all": [("subject", "contains", "invoice")]}, preview="1")
    response = client.post(NEW, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>2</strong> tickets you can see match" in page
    assert "Invoice 1 wrong" in page and "Invoice 2 missing" in page
    assert "Password reset" not in page
    assert not SavedView.objects.exists()

    bad = client.post(NEW, form_data({"all": [("priority", "is", "ultra")]}, preview="1"))
    assert "Fix the conditions marked in red" in bad.content.decode()


def test_agents_cannot_share_admins_can(client, alice, admin) -> None:
    client.force_login(alice)
    response = client.post(NEW, form_data(shared="1"))
    assert response.status_code == 403
    assert "Only admins change shared views." in response.content.decode()
    assert not SavedView.objects.exists()

    client.force_login(admin)
    assert 'name="shared"' in client.get(NEW).content.decode()
    assert client.post(NEW, form_data(shared="1")).status_code == 302
    view = SavedView.objects.get()
    assert view.shared and view.owner == admin
    # Unticking the box makes it personal again.
    client.post(f"/agent/views/{view.pk}/edit/", form_data())
    view.refresh_from_db()
    assert not view.shared


def test_agent_gets_403_on_a_shared_view_and_can_copy_it(client, alice, admin) -> None:
    shared = save_view(by=admin, name="Team", shared=True)
    client.force_login(alice)
    edit = f"/agent/views/{shared.pk}/edit/"
    for response in (client.get(edit), client.post(edit, form_data(name="Mine now"))):
        assert response.status_code == 403
        assert "Only admins change shared views." in response.content.decode()
    delete = f"/agent/views/{shared.pk}/delete/"
    assert client.post(delete).status_code == 403
    shared.refresh_from_db()
    assert shared.name == "Team"

    copy = client.get(f"{NEW}?copy={shared.pk}").content.decode()
    assert 'value="Copy of Team"' in copy


def test_another_agents_personal_view_is_404(client, alice, bob) -> None:
    theirs = save_view(by=bob, name="Bob's")
    client.force_login(alice)
    assert client.get(f"/agent/views/{theirs.pk}/edit/").status_code == 404
    assert client.post(f"/agent/views/{theirs.pk}/edit/", form_data()).status_code == 404
    assert client.post(f"/agent/views/{theirs.pk}/delete/").status_code == 404
    assert client.get(f"{NEW}?copy={theirs.pk}").status_code == 404
    assert SavedView.objects.filter(pk=theirs.pk, name="Bob's").exists()


def test_edit_keeps_what_is_not_changed_and_saves_the_rest(client, alice, billing) -> None:
    view = save_view(
        by=alice,
        name="Mine",
        conditions={"all": [{"field": "group", "operator": "is", "value": billing.pk}]},
    )
    client.force_login(alice)
    rows = {"all": [("group", "is", str(billing.pk))], "any": [("tags", "includes_all", "a,b")]}
    data = form_data(rows, name="Mine, renamed", sort="number", columns=["subject"])
    response = client.post(f"/agent/views/{view.pk}/edit/", data)
    assert response.status_code == 302
    view.refresh_from_db()
    assert (view.name, view.sort, view.columns) == ("Mine, renamed", "number", ["subject"])
    assert view.conditions["any"] == [
        {"field": "tags", "operator": "includes_all", "value": ["a", "b"]}
    ]

    no_columns = client.post(f"/agent/views/{view.pk}/edit/", form_data(columns=[]))
    assert no_columns.status_code == 400
    assert "Choose at least one column." in no_columns.content.decode()


def test_delete_asks_then_deletes(client, alice) -> None:
    view = save_view(by=alice, name="Old stuff")
    client.force_login(alice)
    confirm = client.get(f"/agent/views/{view.pk}/delete/")
    assert confirm.status_code == 200 and "Delete the view" in confirm.content.decode()
    assert SavedView.objects.filter(pk=view.pk).exists()
    response = client.post(f"/agent/views/{view.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/agent/"
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_editor_page_reads_a_fixed_number_of_rows(
    client, alice, billing, django_assert_max_num_queries
) -> None:
    conditions = {
        "all": [{"field": "group", "operator": "includes_any", "value": [billing.pk]}] * 10,
        "any": [{"field": "assignee", "operator": "is", "value": alice.pk}] * 10,
    }
    view = save_view(by=alice, name="Busy", conditions=conditions)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        assert client.get(f"/agent/views/{view.pk}/edit/").status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_customers_and_visitors_are_sent_away(client, carol, alice, method) -> None:
    view = save_view(by=alice, name="Alice's")
    urls = [NEW, f"/agent/views/{view.pk}/edit/", f"/agent/views/{view.pk}/delete/"]
    for url in urls:
        assert getattr(client, method)(url)["Location"].startswith("/login/")
    client.force_login(carol)
    for url in urls:
        assert getattr(client, method)(url)["Location"] == "/"
    assert SavedView.objects.filter(pk=view.pk).exists()
