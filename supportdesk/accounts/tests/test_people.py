"""People, organizations, groups and tokens."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from supportdesk.accounts.models import ApiToken, Role
from supportdesk.accounts.services import (
    add_email,
    create_token,
    create_user,
    find_or_create_requester,
    merge_customers,
    save_group,
    save_organization,
    update_user,
    user_for_token,
)
from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.tickets.services import create_ticket


def test_new_requester_joins_the_organization_of_their_domain(org_acme):
    person = find_or_create_requester("New.Person@ACME.test", name="New")
    assert person.email == "new.person@acme.test"
    assert person.organization == org_acme
    assert find_or_create_requester("new.person@acme.test") == person


def test_login_works_with_any_of_a_persons_addresses(carol):
    add_email(carol, email="carol.private@mail.test", by=carol)
    assert authenticate(username="CAROL.PRIVATE@mail.test", password="pw") == carol
    assert authenticate(username="carol@acme.test", password="wrong") is None
    assert authenticate(username="ghost@acme.test", password="pw") is None


def test_an_address_belongs_to_one_person(carol, erin):
    with pytest.raises(DomainError, match="someone else"):
        add_email(erin, email="carol@acme.test", by=erin)
    with pytest.raises(DomainError, match="already in use"):
        create_user(email="carol@acme.test", by=None)
    with pytest.raises(DomainError, match="not an e-mail"):
        create_user(email="not-an-address", by=None)


def test_merging_customers_moves_addresses_and_tickets(carol, erin, alice):
    ticket = create_ticket(by=erin, requester=erin, subject="Hi", body="Hello")
    merge_customers(erin, carol, by=alice)
    ticket.refresh_from_db()
    erin.refresh_from_db()
    assert ticket.requester == carol
    assert ticket.events.filter(field="requester").exists()
    assert set(carol.emails.values_list("email", flat=True)) == {
        "carol@acme.test",
        "erin@globex.test",
    }
    assert not erin.is_active and erin.merged_into == carol
    assert find_or_create_requester("erin@globex.test") == carol
    with pytest.raises(PermissionDenied):
        merge_customers(carol, erin, by=carol)


def test_only_admins_manage_agents_and_groups(alice, admin, carol):
    with pytest.raises(PermissionDenied):
        create_user(email="new.agent@example.test", by=alice, role=Role.AGENT)
    agent = create_user(email="new.agent@example.test", by=admin, role=Role.AGENT)
    with pytest.raises(PermissionDenied):
        save_group(by=alice, name="Sales")
    group = save_group(by=admin, name="Sales", members=[agent])
    with pytest.raises(DomainError, match="not an agent"):
        save_group(by=admin, group=group, members=[carol])
    with pytest.raises(DomainError, match="exists"):
        save_group(by=admin, name="sales")
    with pytest.raises(PermissionDenied):
        update_user(carol, by=carol, role=Role.ADMIN)


def test_the_last_admin_keeps_the_role(admin):
    with pytest.raises(DomainError, match="last admin"):
        update_user(admin, by=admin, role=Role.AGENT)


def test_domains_belong_to_one_organization(org_acme):
    with pytest.raises(DomainError, match="another organization"):
        save_organization(by=None, name="Acme2", domains=["ACME.test"])
    with pytest.raises(DomainError, match="not a domain"):
        save_organization(by=None, organization=org_acme, domains=["no spaces.com"])


def test_tokens_are_stored_hashed_and_checked(alice):
    token = create_token(alice, name="script")
    row = ApiToken.objects.get()
    assert token not in (row.digest, row.prefix + "x") and row.digest != token
    assert user_for_token(token) == alice
    assert user_for_token(token + "x") is None
    alice.is_active = False
    alice.save()
    assert user_for_token(token) is None
