"""/api/v1/groups: agents read, admins write."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import Group
from supportdesk.accounts.services import save_group


def test_admin_manages_groups_by_name_or_email(as_user, admin, alice, bob, lena):
    api = as_user(admin)
    created = api.post(
        "/groups", {"name": "Escalations", "lead": alice.email, "members": [alice.pk, bob.email]}
    )
    assert created.status_code == 201, created.json()
    group = created.json()
    assert group["lead"]["id"] == alice.pk
    assert [m["id"] for m in group["members"]] == sorted([alice.pk, bob.pk])
    path = f"/groups/{group['id']}"
    changed = api.patch(path, {"members": [lena.email], "lead": None, "description": "hot"})
    assert changed.status_code == 200, changed.json()
    assert [m["email"] for m in changed.json()["members"]] == [lena.email]
    assert changed.json()["lead"] is None and changed.json()["description"] == "hot"
    assert api.delete(path).status_code == 204
    assert not Group.objects.filter(pk=group["id"]).exists()


def test_group_refusals(as_user, admin, alice, carol, billing):
    api = as_user(admin)
    assert api.post("/groups", {"name": "billing"}).status_code == 400
    customer_member = api.post("/groups", {"name": "X", "members": [carol.email]})
    assert customer_member.status_code == 400 and "not an agent" in customer_member.json()["detail"]
    unknown = api.post("/groups", {"name": "Y", "members": ["ghost@example.test"]})
    assert unknown.status_code == 400 and unknown.json()["detail"].startswith("members")
    assert as_user(alice).post("/groups", {"name": "Z"}).status_code == 403
    assert as_user(alice).get(f"/groups/{billing.pk}").json()["name"] == "Billing"
    assert as_user(alice).patch(f"/groups/{billing.pk}", {"name": "B"}).status_code == 403
    assert as_user(carol).get("/groups").status_code == 403
    assert api.get("/groups/999999").status_code == 404
    assert not Group.objects.filter(name__in=["X", "Y", "Z"]).exists()


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_count_is_fixed(
    as_user, admin, alice, bob, count, django_assert_max_num_queries
):
    for i in range(count):
        save_group(by=admin, name=f"Group {i}", members=[alice, bob], lead=alice)
    api = as_user(admin)
    api.get("/me")
    # token, groups with lead, members
    with django_assert_max_num_queries(3):
        assert len(api.get("/groups", limit=100).json()["items"]) == count


def test_pages_walk_without_repeats(as_user, admin):
    for i in range(7):
        save_group(by=admin, name=f"Group {i}")
    api = as_user(admin)
    ids, cursor = [], None
    while True:
        page = api.get("/groups", limit=3, **({"cursor": cursor} if cursor else {})).json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(ids) == len(set(ids)) == 7 and ids == sorted(ids)
