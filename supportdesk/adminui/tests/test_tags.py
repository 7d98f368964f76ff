"""Tags: counts, search, and renaming or removing a tag everywhere in a job."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supportdesk.tickets.models import EventKind, Status, TicketEvent, TicketTag
from supportdesk.tickets.services import create_ticket, update_ticket


@pytest.fixture
def tickets(carol, alice):  # type: ignore[no-untyped-def]
    made = []
    for i, tags in enumerate([["refund", "vip"], ["refund"], ["billing"]]):
        ticket = create_ticket(by=carol, requester=carol, subject=f"T{i}", body="x")
        update_ticket(ticket, by=alice, changes={"tags": tags})
        made.append(ticket)
    return made


def test_list_counts_tickets_per_tag_and_searches_by_prefix(as_admin, tickets):
    page = as_admin.get(reverse("adminui:tags"))
    assert [(t.name, t.tickets) for t in page.context["tags"]] == [
        ("refund", 2),
        ("billing", 1),
        ("vip", 1),
    ]
    found = as_admin.get(reverse("adminui:tags"), {"q": "Ref"})
    assert [t.name for t in found.context["tags"]] == ["refund"]
    tag_page = as_admin.get(reverse("adminui:tag"), {"tag": "refund"}).content.decode()
    assert "On 2 tickets." in tag_page and "Rename on 2 tickets" in tag_page


def test_rename_runs_in_the_background_and_changes_every_ticket(
    as_admin, admin, alice, tickets, on_commit
):
    update_ticket(tickets[1], by=alice, changes={"status": Status.SOLVED})
    update_ticket(tickets[1], by=alice, changes={"status": Status.CLOSED})
    with on_commit():
        response = as_admin.post(
            reverse("adminui:tag_rename"), {"tag": "refund", "new_name": "Money back"}
        )
    assert response.status_code == 302
    page = as_admin.get(response["Location"]).content.decode()
    assert "Renaming tag refund to money_back on 1 tickets in the background." in page
    assert "1 closed or trashed tickets keep it" in page
    for t in tickets:
        t.refresh_from_db()
    assert [t.tags for t in tickets] == [["money_back", "vip"], ["refund"], ["billing"]]
    event = TicketEvent.objects.get(ticket=tickets[0], kind=EventKind.CHANGED, actor=admin)
    assert (event.field, event.old, event.new) == ("tags", ["refund", "vip"], ["money_back", "vip"])


def test_remove_takes_the_tag_off_every_ticket(as_admin, tickets, on_commit):
    with on_commit():
        response = as_admin.post(reverse("adminui:tag_remove"), {"tag": "refund"}, follow=True)
    assert "Removing tag refund from 2 tickets in the background." in response.content.decode()
    assert not TicketTag.objects.filter(name="refund").exists()
    for t in tickets:
        t.refresh_from_db()
    assert [t.tags for t in tickets] == [["vip"], [], ["billing"]]
    assert TicketEvent.objects.filter(field="tags", new=[]).count() == 1


def test_a_bad_new_name_is_a_form_error_and_nothing_is_queued(as_admin, tickets, on_commit):
    with on_commit() as callbacks:
        response = as_admin.post(
            reverse("adminui:tag_rename"), {"tag": "refund", "new_name": "a b!"}
        )
    assert response.status_code == 400
    assert "may only hold letters, digits" in response.content.decode()
    assert 'value="a b!"' in response.content.decode()
    assert not callbacks
    same = as_admin.post(reverse("adminui:tag_rename"), {"tag": "refund", "new_name": "REFUND"})
    assert "That is the tag&#x27;s name already" in same.content.decode()
    nothing = as_admin.get(reverse("adminui:tag"), {"tag": ""}, follow=True)
    assert "Pick a tag from the list." in nothing.content.decode()
    assert TicketTag.objects.filter(name="refund").count() == 2
