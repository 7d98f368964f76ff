"""List pages run a fixed number of queries, however many rows they show."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supportdesk.accounts.models import Role
from supportdesk.accounts.services import (
    add_email,
    create_token,
    create_user,
    save_group,
    save_organization,
)
from supportdesk.tickets.services import create_ticket, update_ticket
from supportdesk.tickets.setup import save_custom_field, save_ticket_form

PAGES = [
    "adminui:index",
    "adminui:agents",
    "adminui:groups",
    "adminui:organizations",
    "adminui:customers",
    "adminui:setup",
    "adminui:tags",
    "adminui:tokens",
]
# Session, user, the workspace rail, groups offered in forms and the page's own reads:
# 5 to 11 today, the same for 2 rows or 40; an N+1 would be over 40.
MAX_QUERIES = 14


def _fill(admin, n: int) -> None:  # type: ignore[no-untyped-def]
    agents = [
        create_user(email=f"agent{i}@example.test", by=admin, role=Role.AGENT) for i in range(n)
    ]
    for i in range(n):
        save_group(by=admin, name=f"Group {i}", members=agents, lead=agents[i])
        org = save_organization(by=admin, name=f"Org {i}", domains=[f"org{i}.test", f"o{i}.test"])
        customer = create_user(email=f"c{i}@org{i}.test", by=None, organization=org)
        add_email(customer, email=f"c{i}@other.test", by=admin)
        create_token(agents[i], name=f"t{i}")
        field = save_custom_field(by=admin, key=f"f{i}", label=f"F{i}", type="text")
        save_ticket_form(by=admin, name=f"Form {i}", fields=[field])
        ticket = create_ticket(by=customer, requester=customer, subject="s", body="b")
        update_ticket(ticket, by=admin, changes={"tags": [f"tag{i}", "common"]})


@pytest.mark.parametrize("rows", [2, 40])
@pytest.mark.parametrize("name", PAGES)
def test_list_pages_make_a_fixed_number_of_queries(
    as_admin, admin, rows, name, django_assert_max_num_queries
):
    _fill(admin, rows)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = as_admin.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("tickets", [1, 15])
def test_customer_page_makes_a_fixed_number_of_queries(
    as_admin, carol, tickets, django_assert_max_num_queries
):
    for i in range(tickets):
        create_ticket(by=carol, requester=carol, subject=f"s{i}", body="b")
        add_email(carol, email=f"carol{i}@other.test", by=None)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert as_admin.get(reverse("adminui:customer", kwargs={"pk": carol.pk})).status_code == 200
