"""/api/v1/groups/{id}/routing and /api/v1/users/{id}/routing: agents read, admins write."""

from __future__ import annotations

import json
from typing import Any, get_args

from supportdesk.api.routing import StrategyName
from supportdesk.api.tests.conftest import PREFIX
from supportdesk.automation.models import AgentProfile, GroupRouting, Strategy
from supportdesk.tickets.setup import save_custom_field


def put(api: Any, path: str, data: Any) -> Any:
    return api.client.put(PREFIX + path, json.dumps(data), content_type="application/json")


def test_admin_sets_group_routing_and_agents_read_it(as_user, admin, alice, carol, billing):
    save_custom_field(by=admin, key="product", label="Product", type="text")
    path = f"/groups/{billing.pk}/routing"
    assert as_user(alice).get(path).json() == {
        "strategy": "manual",
        "skill_fields": [],
        "return_when_offline": False,
    }
    body = {"strategy": "skills", "skill_fields": ["product"], "return_when_offline": True}
    saved = put(as_user(admin), path, body)
    assert saved.status_code == 200, saved.json()
    assert saved.json() == body
    assert as_user(alice).get(path).json() == body
    stored = GroupRouting.objects.get(group=billing)
    assert (stored.strategy, stored.skill_fields, stored.return_when_offline) == (
        "skills",
        ["product"],
        True,
    )

    assert put(as_user(alice), path, {"strategy": "manual"}).status_code == 403
    assert as_user(carol).get(path).status_code == 403
    unknown = put(as_user(admin), path, {"strategy": "skills", "skill_fields": ["nope"]})
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == "skill_fields: no custom field with the key 'nope'"
    assert put(as_user(admin), path, {"strategy": "random"}).status_code == 422
    assert put(as_user(admin), path, {"strategy": "manual", "extra": 1}).status_code == 422
    assert as_user(admin).get("/groups/999999/routing").status_code == 404
    assert put(as_user(admin), "/groups/999999/routing", {"strategy": "manual"}).status_code == 404
    assert GroupRouting.objects.get(group=billing).strategy == "skills"


def test_admin_sets_agent_capacity_and_skills(as_user, admin, alice, bob, carol):
    path = f"/users/{bob.pk}/routing"
    assert as_user(alice).get(path).json() == {"capacity": None, "skills": []}
    saved = put(as_user(admin), path, {"capacity": 4, "skills": ["Language:DE", "tier:2"]})
    assert saved.status_code == 200, saved.json()
    assert saved.json() == {"capacity": 4, "skills": ["language:de", "tier:2"]}
    assert as_user(bob).get(path).json() == saved.json()

    assert put(as_user(alice), path, {"capacity": 9}).status_code == 403
    bad = put(as_user(admin), path, {"skills": ["two words"]})
    assert bad.status_code == 400 and bad.json()["detail"].startswith("skills: 'two words'")
    assert put(as_user(admin), path, {"capacity": 1001}).status_code == 422
    assert put(as_user(admin), path, {"skills": [f"s{i}" for i in range(51)]}).status_code == 422
    # Customers have no routing settings: the same 404 as for nobody.
    assert as_user(admin).get(f"/users/{carol.pk}/routing").status_code == 404
    assert put(as_user(admin), f"/users/{carol.pk}/routing", {"capacity": 1}).status_code == 404
    assert as_user(carol).get(path).status_code == 403
    profile = AgentProfile.objects.get(user=bob)
    assert (profile.capacity, profile.skills) == (4, ["language:de", "tier:2"])

    cleared = put(as_user(admin), path, {"capacity": None, "skills": []})
    assert cleared.json() == {"capacity": None, "skills": []}


def test_the_schema_offers_exactly_the_strategies(client):
    assert set(get_args(StrategyName)) == set(Strategy.values)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/groups/{group_id}/routing"]) == {"get", "put"}
    assert set(paths["/api/v1/users/{user_id}/routing"]) == {"get", "put"}
