"""Who may do what: visibility of tickets and notes, and role checks in the services."""

from __future__ import annotations

import pytest

from supportdesk.accounts.services import save_organization
from supportdesk.lib.errors import NotFound, PermissionDenied
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.queries import access_ticket, events_of, messages_of
from supportdesk.tickets.services import create_ticket, reply, update_ticket
from supportdesk.tickets.structure import trash_ticket


def test_customer_sees_own_tickets_only_and_gets_404_for_others(carol_ticket, erin, dave):
    with pytest.raises(NotFound):
        access_ticket(erin, carol_ticket.pk)
    with pytest.raises(NotFound):
        access_ticket(dave, carol_ticket.pk)  # same org, but Acme does not share
    with pytest.raises(NotFound):
        access_ticket(erin, 999_999)  # missing looks exactly like forbidden
    with pytest.raises(NotFound):
        access_ticket(erin, "1; DROP TABLE")


def test_organization_sharing_shows_colleagues_tickets(carol_ticket, dave, org_acme):
    save_organization(by=None, organization=org_acme, shared_tickets=True)
    dave.refresh_from_db()
    assert access_ticket(dave, carol_ticket.pk) == carol_ticket


def test_cc_sees_the_ticket(carol_ticket, erin, alice):
    update_ticket(carol_ticket, by=alice, changes={"cc": [erin]})
    assert access_ticket(erin, carol_ticket.pk) == carol_ticket


def test_customer_never_sees_internal_notes(carol_ticket, carol, alice):
    reply(carol_ticket, author=alice, body="Customer is on the fraud list", public=False)
    reply(carol_ticket, author=alice, body="We refunded you.")
    bodies = [m.body for m in messages_of(carol, carol_ticket)]
    assert "Customer is on the fraud list" not in bodies and "We refunded you." in bodies
    assert all(e.public for e in events_of(carol, carol_ticket))
    assert len(messages_of(alice, carol_ticket)) == 3


def test_light_agent_may_add_notes_but_not_replies_or_changes(carol_ticket, lena):
    reply(carol_ticket, author=lena, body="Seen this before", public=False)
    with pytest.raises(PermissionDenied):
        reply(carol_ticket, author=lena, body="Hi Carol")
    with pytest.raises(PermissionDenied):
        update_ticket(carol_ticket, by=lena, changes={"priority": "high"})
    with pytest.raises(PermissionDenied):
        create_ticket(by=lena, requester=carol_ticket.requester, subject="x", body="y")


def test_customer_cannot_reply_on_someone_elses_ticket_or_add_notes(carol_ticket, carol, erin):
    with pytest.raises(PermissionDenied):
        reply(carol_ticket, author=erin, body="hello")
    with pytest.raises(PermissionDenied):
        reply(carol_ticket, author=carol, body="secret", public=False)


def test_customer_cannot_file_for_someone_else_or_route(carol, erin, billing):
    with pytest.raises(PermissionDenied):
        create_ticket(by=carol, requester=erin, subject="x", body="y")
    with pytest.raises(PermissionDenied):
        create_ticket(
            by=carol, requester=carol, subject="x", body="y", properties={"group": billing}
        )


def test_trashed_tickets_disappear_for_everyone_but_the_trash(carol_ticket, carol, alice):
    trash_ticket(carol_ticket, by=alice)
    with pytest.raises(NotFound):
        access_ticket(carol, carol_ticket.pk)
    with pytest.raises(NotFound):
        access_ticket(alice, carol_ticket.pk)
    assert list(Ticket.objects.visible_to(alice, trashed=True)) == [carol_ticket]
    assert not Ticket.objects.visible_to(carol, trashed=True).exists()


def test_inactive_or_anonymous_users_see_nothing(carol_ticket, carol):
    from django.contrib.auth.models import AnonymousUser

    assert not Ticket.objects.visible_to(AnonymousUser()).exists()
    carol.is_active = False
    assert not Ticket.objects.visible_to(carol).exists()


def test_customer_cannot_file_a_ticket_in_another_status(carol):
    with pytest.raises(PermissionDenied, match="status"):
        create_ticket(
            by=carol, requester=carol, subject="x", body="y", properties={"status": "solved"}
        )


def test_custom_field_changes_are_not_shown_to_customers(carol_ticket, carol, alice):
    from supportdesk.tickets.models import CustomField

    CustomField.objects.create(key="risk", label="Risk", type="text", customer_visible=False)
    update_ticket(carol_ticket, by=alice, changes={"custom_fields": {"risk": "fraud"}})
    assert not [e for e in events_of(carol, carol_ticket) if e.field == "custom_fields"]
    assert [e for e in events_of(alice, carol_ticket) if e.field == "custom_fields"]


def test_can_see_agrees_with_visible_to_and_spares_the_requester_a_query(
    carol_ticket, carol, erin, alice, django_assert_num_queries
):
    from supportdesk.tickets.visibility import can_see

    with django_assert_num_queries(0):
        assert can_see(carol_ticket, carol)
    assert not can_see(carol_ticket, erin)
    update_ticket(carol_ticket, by=alice, changes={"cc": [erin]})
    assert can_see(carol_ticket, erin) and can_see(carol_ticket, alice)
    trash_ticket(carol_ticket, by=alice)
    carol_ticket.refresh_from_db()
    assert not can_see(carol_ticket, carol) and not can_see(carol_ticket, erin)
    carol.is_active = False
    assert not can_see(Ticket.objects.get(pk=carol_ticket.pk), carol)
