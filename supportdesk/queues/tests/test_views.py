"""Saved views: personal and shared, conditions checked on save, tickets and capped counts."""

from __future__ import annotations

import pytest

from supportdesk.conditions.validate import ConditionError
from supportdesk.lib.errors import DomainError, NotFound, PermissionDenied
from supportdesk.queues.queries import access_view, capped_count, tickets_in_view, views_for
from supportdesk.queues.services import delete_view, save_view
from supportdesk.tickets.services import create_ticket, update_ticket

URGENT = {"all": [{"field": "priority", "operator": "is", "value": "urgent"}], "any": []}


def test_agent_keeps_personal_views_that_others_do_not_see(alice, bob, carol):
    view = save_view(by=alice, name="  My urgent  ", conditions=URGENT)
    assert view.name == "My urgent" and view.sort == "-updated_at"
    assert list(views_for(alice)) == [view]
    assert list(views_for(bob)) == [] and list(views_for(carol)) == []
    with pytest.raises(NotFound):
        access_view(bob, view.pk)
    with pytest.raises(PermissionDenied):
        save_view(by=bob, view=view, name="mine now")
    with pytest.raises(PermissionDenied):
        save_view(by=carol, name="x")


def test_shared_views_are_for_admins_to_change(admin, alice, bob):
    with pytest.raises(PermissionDenied):
        save_view(by=alice, name="Team urgent", conditions=URGENT, shared=True)
    view = save_view(by=admin, name="Team urgent", conditions=URGENT, shared=True)
    assert access_view(bob, view.pk) == view
    with pytest.raises(PermissionDenied):
        delete_view(view, by=alice)
    delete_view(view, by=admin)


def test_bad_views_are_refused_with_the_field_named(alice):
    with pytest.raises(ConditionError, match="cannot select"):
        save_view(
            by=alice,
            name="x",
            conditions={
                "all": [{"field": "subject", "operator": "matches", "value": "a"}],
                "any": [],
            },
        )
    with pytest.raises(DomainError, match="sort"):
        save_view(by=alice, name="x", sort="subject")
    with pytest.raises(DomainError, match="columns"):
        save_view(by=alice, name="x", columns=["number", "password"])
    with pytest.raises(DomainError, match="name"):
        save_view(by=alice, name="   ")


def test_view_lists_matching_visible_tickets_and_counts_with_a_cap(alice, carol):
    urgent = [
        create_ticket(by=carol, requester=carol, subject=f"Down {i}", body="x") for i in range(3)
    ]
    create_ticket(by=carol, requester=carol, subject="Calm", body="x")
    for t in urgent:
        update_ticket(t, by=alice, changes={"priority": "urgent"})
    view = save_view(by=alice, name="Urgent", conditions=URGENT)
    qs = tickets_in_view(alice, view)
    assert sorted(qs.values_list("pk", flat=True)) == sorted(t.pk for t in urgent)
    assert capped_count(qs) == (3, False)
    assert capped_count(qs, cap=2) == (2, True)
