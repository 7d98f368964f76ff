"""/api/v1/customers: agents read, create, change and merge customers."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import User
from supportdesk.accounts.services import create_user
from supportdesk.tickets.models import Ticket


def test_agent_creates_customer_with_extra_addresses(as_user, alice, org_acme):
    answer = as_user(alice).post(
        "/customers",
        {
            "email": "Zoe@Acme.test",
            "name": "Zoe",
            "emails": ["zoe.private@mail.test"],
            "phone": "+1 555 0100",
            "language": "en",
            "time_zone": "Europe/Berlin",
            "segment": "vip",
            "notes": "prefers phone",
        },
    )
    assert answer.status_code == 201, answer.json()
    zoe = answer.json()
    assert zoe["email"] == "zoe@acme.test"
    assert zoe["emails"] == ["zoe.private@mail.test", "zoe@acme.test"]
    assert zoe["organization"] == {"id": org_acme.pk, "name": "Acme"}  # by domain
    assert zoe["time_zone"] == "Europe/Berlin" and zoe["segment"] == "vip"
    assert User.objects.get(pk=zoe["id"]).role == "customer"


def test_create_customer_refusals(as_user, alice, carol):
    api = as_user(alice)
    taken = api.post("/customers", {"email": carol.email})
    assert taken.status_code == 400 and "in use" in taken.json()["detail"]
    assert api.post("/customers", {"email": "not-an-address"}).status_code == 400
    assert (
        api.post("/customers", {"email": "a@b.test", "time_zone": "Mars/Base"}).status_code == 422
    )
    assert api.post("/customers", {"email": "a@b.test", "organization": "Nope"}).status_code == 400
    assert api.post("/customers", {"email": "a@b.test", "role": "admin"}).status_code == 422
    assert api.post("/customers", {"email": "x" * 300 + "@b.test"}).status_code == 422


def test_customers_may_not_use_the_resource(as_user, carol, dave):
    api = as_user(carol)
    assert api.get("/customers").status_code == 403
    assert api.get(f"/customers/{dave.pk}").status_code == 403
    assert api.get("/customers/999999").status_code == 403  # same answer for any id
    assert api.post("/customers", {"email": "friend@acme.test"}).status_code == 403
    assert api.patch(f"/customers/{dave.pk}", {"name": "Hacked"}).status_code == 403


def test_read_update_and_add_address(as_user, alice, admin, carol, org_globex):
    api = as_user(alice)
    path = f"/customers/{carol.pk}"
    assert api.get(path).json()["name"] == "Carol Customer"
    changed = api.patch(path, {"name": "Carol C.", "organization": "Globex", "segment": "vip"})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["organization"]["name"] == "Globex"
    assert changed.json()["segment"] == "vip" and changed.json()["name"] == "Carol C."
    assert api.patch(path, {"organization": None}).json()["organization"] is None
    assert api.patch(path, {"name": None}).status_code == 422
    moved = api.patch(path, {"email": "carol@new.test"}).json()
    assert moved["email"] == "carol@new.test" and "carol@acme.test" in moved["emails"]
    added = api.post(f"{path}/emails", {"email": "c@home.test"})
    assert added.status_code == 201 and "c@home.test" in added.json()["emails"]
    assert api.patch(path, {"is_active": False}).status_code == 403  # admins only
    assert as_user(admin).patch(path, {"is_active": False}).json()["is_active"] is False
    assert api.get("/customers/999999").status_code == 404
    assert api.get(f"/customers/{alice.pk}").status_code == 404  # an agent is no customer


def test_merge_customers_moves_tickets_and_addresses(as_user, alice, lena, carol, carol_ticket):
    duplicate = create_user(email="carol.c@gmail.test", by=None, name="Carol")
    path = f"/customers/{duplicate.pk}/merge"
    assert as_user(lena).post(path, {"into": carol.pk}).status_code == 403
    assert as_user(alice).post(path, {"into": 999999}).status_code == 400
    answer = as_user(alice).post(path, {"into": carol.pk})
    assert answer.status_code == 200, answer.json()
    assert "carol.c@gmail.test" in answer.json()["emails"]
    gone = as_user(alice).get(f"/customers/{duplicate.pk}").json()
    assert gone["is_active"] is False and gone["merged_into"] == carol.pk
    assert as_user(alice).post(path, {"into": duplicate.pk}).status_code == 400
    assert Ticket.objects.filter(requester=carol).count() == 1


def test_list_filters_and_walks_pages(as_user, alice, carol, dave, erin, org_acme):
    api = as_user(alice)
    seen, cursor = [], None
    while True:
        page = api.get("/customers", limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert seen == sorted([carol.pk, dave.pk, erin.pk])
    acme = api.get("/customers", organization="Acme").json()["items"]
    assert [c["id"] for c in acme] == [carol.pk, dave.pk]
    assert [c["id"] for c in api.get("/customers", q="erin").json()["items"]] == [erin.pk]


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_count_is_fixed(as_user, alice, org_acme, count, django_assert_max_num_queries):
    for i in range(count):
        create_user(email=f"c{i}@acme.test", by=None)
    api = as_user(alice)
    api.get("/me")
    # token, customers with organization, addresses
    with django_assert_max_num_queries(3):
        assert len(api.get("/customers", limit=100).json()["items"]) == count
