"""Routing on the admin pages: a group's strategy, skill fields and return-when-offline;
an agent's capacity and skills."""

from __future__ import annotations

from django.urls import reverse

from supportdesk.automation.models import AgentProfile, GroupRouting
from supportdesk.tickets.setup import save_custom_field


def _group_form(group, **routing):  # type: ignore[no-untyped-def]
    return {
        "name": group.name,
        "description": "",
        "lead": "",
        "members": [m.pk for m in group.members.all()],
        **routing,
    }


def test_admin_sets_a_groups_routing_on_its_page(as_admin, admin, billing):
    save_custom_field(by=admin, key="product", label="Product", type="text")
    url = reverse("adminui:group", kwargs={"pk": billing.pk})
    page = as_admin.get(url).content.decode()
    assert '<h2 id="routing">Routing</h2>' in page
    assert "The available agent with the fewest open tickets for their capacity." in page
    assert 'name="strategy" value="manual" id="id_strategy_0" checked>' in page
    assert "Product (product, text)" in page

    saved = as_admin.post(
        url,
        _group_form(billing, strategy="skills", skill_fields=["product"], return_when_offline="on"),
    )
    assert saved.status_code == 302
    routing = GroupRouting.objects.get(group=billing)
    assert (routing.strategy, routing.skill_fields, routing.return_when_offline) == (
        "skills",
        ["product"],
        True,
    )
    page = as_admin.get(url).content.decode()
    assert 'value="skills" id="id_strategy_3" checked>' in page
    assert 'value="product" id="id_skill_fields_0" checked>' in page

    refused = as_admin.post(url, _group_form(billing, strategy="random"))
    assert refused.status_code == 400
    assert "Select a valid choice. random is not one of the available choices." in (
        refused.content.decode()
    )
    # A client that sends no strategy (an older form) keeps the one set.
    as_admin.post(url, _group_form(billing))
    routing.refresh_from_db()
    assert (routing.strategy, routing.skill_fields, routing.return_when_offline) == (
        "skills",
        [],
        False,
    )


def test_a_new_group_can_start_with_round_robin(as_admin, alice):
    as_admin.post(
        reverse("adminui:group_new"),
        {"name": "Night", "members": [alice.pk], "strategy": "round_robin"},
    )
    assert GroupRouting.objects.get(group__name="Night").strategy == "round_robin"


def test_admin_sets_an_agents_capacity_and_skills(as_admin, alice, billing):
    url = reverse("adminui:agent", kwargs={"pk": alice.pk})
    form = {
        "name": alice.name,
        "email": alice.email,
        "role": "agent",
        "groups": [billing.pk],
        "capacity": "6",
        "skills": "Language:DE, product:billing\ntier:2",
    }
    assert as_admin.post(url, form).status_code == 302
    profile = AgentProfile.objects.get(user=alice)
    assert (profile.capacity, profile.skills) == (6, ["language:de", "product:billing", "tier:2"])
    page = as_admin.get(url).content.decode()
    assert "language:de, product:billing, tier:2" in page
    assert 'for="id_capacity"' in page and 'for="id_skills"' in page

    bad = as_admin.post(url, {**form, "skills": "a:b:c", "name": "Alice Renamed"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "&#x27;a:b:c&#x27; is not a skill" in body
    alice.refresh_from_db()
    assert alice.name == "Alice Agent", "a refused routing change saves nothing"
    assert as_admin.post(url, {**form, "capacity": "-1"}).status_code == 400

    as_admin.post(url, {**form, "capacity": "", "skills": ""})
    profile.refresh_from_db()
    assert (profile.capacity, profile.skills) == (None, [])
