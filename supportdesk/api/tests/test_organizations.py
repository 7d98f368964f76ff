"""/api/v1/organizations: agents read and write (not light agents); admins delete."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import Organization
from supportdesk.accounts.services import save_organization


def test_agent_creates_and_changes_organization(as_user, alice, carol):
    api = as_user(alice)
    created = api.post(
        "/organizations",
        {"name": "Initech", "domains": ["Initech.test", "@initech.example"], "notes": "big"},
    )
    assert created.status_code == 201, created.json()
    org = created.json()
    assert org["domains"] == ["initech.example", "initech.test"]
    assert org["shared_tickets"] is False
    path = f"/organizations/{org['id']}"
    changed = api.patch(path, {"shared_tickets": True, "domains": ["initech.test"]}).json()
    assert changed["shared_tickets"] is True and changed["domains"] == ["initech.test"]
    assert changed["notes"] == "big"
    assert api.patch(path, {"name": None}).status_code == 422
    assert api.get(path).json()["name"] == "Initech"


def test_organization_refusals(as_user, alice, lena, carol, org_acme):
    api = as_user(alice)
    clash = api.post("/organizations", {"name": "acme"})
    assert clash.status_code == 400 and "exists" in clash.json()["detail"]
    taken = api.post("/organizations", {"name": "New", "domains": ["acme.test"]})
    assert taken.status_code == 400 and "acme.test" in taken.json()["detail"]
    assert api.post("/organizations", {"name": "Bad", "domains": ["no dots"]}).status_code == 400
    assert api.post("/organizations", {"name": ""}).status_code == 422
    assert as_user(lena).post("/organizations", {"name": "Lena Inc"}).status_code == 403
    assert as_user(lena).get("/organizations").status_code == 200
    assert as_user(carol).get("/organizations").status_code == 403
    assert as_user(carol).get(f"/organizations/{org_acme.pk}").status_code == 403
    assert api.get("/organizations/999999").status_code == 404


def test_only_admins_delete_organizations(as_user, alice, admin, carol, org_acme):
    path = f"/organizations/{org_acme.pk}"
    assert as_user(alice).delete(path).status_code == 403
    assert as_user(admin).delete(path).status_code == 204
    assert not Organization.objects.filter(pk=org_acme.pk).exists()
    carol.refresh_from_db()
    assert carol.organization is None


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_count_is_fixed(as_user, admin, count, django_assert_max_num_queries):
    for i in range(count):
        save_organization(by=None, name=f"Org {i}", domains=[f"org{i}.test", f"org{i}.example"])
    api = as_user(admin)
    api.get("/me")
    # token, organizations, domains
    with django_assert_max_num_queries(3):
        assert len(api.get("/organizations", limit=100).json()["items"]) == count


def test_pages_walk_without_repeats_and_q_matches_names(as_user, admin):
    for i in range(7):
        save_organization(by=None, name=f"Org {i}")
    api = as_user(admin)
    ids, cursor = [], None
    while True:
        page = api.get("/organizations", limit=3, **({"cursor": cursor} if cursor else {})).json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(ids) == len(set(ids)) == 7 and ids == sorted(ids)
    assert [o["name"] for o in api.get("/organizations", q="org 3").json()["items"]] == ["Org 3"]
