"""/api/v1/users and /api/v1/me: the team, roles, and one's own profile."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import User
from supportdesk.api.tests.conftest import ApiClient


def test_admin_adds_agent_who_can_sign_in(as_user, admin, client):
    answer = as_user(admin).post(
        "/users",
        {"email": "nina@example.test", "name": "Nina", "role": "agent", "password": "a-long-pw-42"},
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["role"] == "agent" and answer.json()["groups"] == []
    assert client.login(username="nina@example.test", password="a-long-pw-42")


def test_only_admins_add_agents_and_passwords_are_checked(as_user, admin, alice, carol):
    refused = as_user(alice).post("/users", {"email": "x@example.test", "role": "agent"})
    assert refused.status_code == 403
    assert as_user(carol).post("/users", {"email": "x@example.test"}).status_code == 403
    weak = as_user(admin).post("/users", {"email": "x@example.test", "password": "123"})
    assert weak.status_code == 400 and weak.json()["detail"].startswith("password")
    assert (
        as_user(admin).post("/users", {"email": "x@example.test", "role": "boss"}).status_code
        == 422
    )
    assert not User.objects.filter(email="x@example.test").exists()


def test_roles_change_only_by_admins_and_the_last_admin_stays(as_user, admin, alice, bob):
    assert as_user(alice).patch(f"/users/{bob.pk}", {"role": "light_agent"}).status_code == 403
    demoted = as_user(admin).patch(f"/users/{bob.pk}", {"role": "light_agent"})
    assert demoted.status_code == 200 and demoted.json()["role"] == "light_agent"
    last = as_user(admin).patch(f"/users/{admin.pk}", {"role": "agent"})
    assert last.status_code == 400 and "last admin" in last.json()["detail"]
    assert (
        as_user(admin).patch(f"/users/{bob.pk}", {"is_active": False}).json()["is_active"] is False
    )
    assert as_user(admin).patch("/users/999999", {"name": "x"}).status_code == 404


def test_list_shows_the_team_by_default_and_customers_on_request(
    as_user, admin, alice, bob, lena, carol
):
    api = as_user(alice)
    team = [u["id"] for u in api.get("/users").json()["items"]]
    assert team == sorted([admin.pk, alice.pk, bob.pk, lena.pk])
    customers = [u["id"] for u in api.get("/users", role="customer").json()["items"]]
    assert customers == [carol.pk]
    assert api.get("/users", role="pirate").status_code == 422
    assert api.get(f"/users/{carol.pk}").json()["role"] == "customer"
    assert as_user(carol).get("/users").status_code == 403
    assert as_user(carol).get(f"/users/{alice.pk}").status_code == 403


def test_me_reads_and_changes_own_profile(as_user, carol, alice):
    api = as_user(carol)
    changed = api.patch("/me", {"name": "Carol New", "time_zone": "America/New_York"})
    assert changed.status_code == 200
    assert changed.json()["name"] == "Carol New"
    assert api.patch("/me", {"signature": "--"}).status_code == 400
    assert api.patch("/me", {"role": "admin"}).status_code == 422
    assert api.patch("/me", {"segment": "vip"}).status_code == 422
    assert as_user(alice).patch("/me", {"signature": "Alice"}).json()["signature"] == "Alice"
    assert ApiClient(None).get("/me").status_code == 401


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_count_is_fixed(
    as_user, admin, technical, billing, count, django_assert_max_num_queries
):
    from supportdesk.accounts.services import create_user, save_group

    agents = [create_user(email=f"a{i}@example.test", by=admin, role="agent") for i in range(count)]
    save_group(by=admin, group=billing, members=agents)
    api = as_user(admin)
    api.get("/me")
    # token, users with organization, groups
    with django_assert_max_num_queries(3):
        assert len(api.get("/users", limit=100).json()["items"]) == min(count + 3, 100)
