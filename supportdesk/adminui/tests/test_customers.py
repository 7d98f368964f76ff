"""Customers: search by any address, cursor pages, profile, addresses and merging."""

from __future__ import annotations

from django.urls import reverse

from supportdesk.accounts.models import User, UserEmail
from supportdesk.accounts.services import add_email, create_user
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent
from supportdesk.tickets.services import create_ticket


def test_search_finds_a_customer_by_a_secondary_address_and_pages_newest_first(
    as_admin, carol, dave, erin, alice
):
    add_email(carol, email="carol.private@mail.test", by=alice)
    found = as_admin.get(reverse("adminui:customers"), {"q": "PRIVATE@mail"})
    assert [c.pk for c in found.context["rows"]] == [carol.pk]
    by_name = as_admin.get(reverse("adminui:customers"), {"q": "customer"})
    assert [c.pk for c in by_name.context["rows"]] == [dave.pk, carol.pk]
    assert "alice" not in as_admin.get(reverse("adminui:customers")).content.decode()
    for i in range(55):
        create_user(email=f"c{i}@bulk.test", by=None)
    first = as_admin.get(reverse("adminui:customers"))
    rows = first.context["rows"]
    assert len(rows) == 50 and rows[0].email == "c54@bulk.test"
    rest = as_admin.get(reverse("adminui:customers"), {"cursor": first.context["next"]})
    assert [c.pk for c in rest.context["rows"]][-3:] == [erin.pk, dave.pk, carol.pk]
    assert "Next page" in first.content.decode() and rest.context["next"] is None


def test_edit_profile_and_organization_by_name(as_admin, carol, org_globex):
    url = reverse("adminui:customer", kwargs={"pk": carol.pk})
    data = {
        "name": "Carol C.",
        "email": "carol@acme.test",
        "organization": "globex",
        "phone": "+1 555",
        "language": "de",
        "time_zone": "Europe/Berlin",
        "segment": "vip",
        "notes": "Prefers mail",
    }
    response = as_admin.post(url, data, follow=True)
    assert "Saved Carol C." in response.content.decode()
    carol.refresh_from_db()
    assert (carol.name, carol.organization, carol.time_zone, carol.segment) == (
        "Carol C.",
        org_globex,
        "Europe/Berlin",
        "vip",
    )
    unknown = as_admin.post(url, {**data, "organization": "Nobody Inc", "name": "Typed"})
    assert unknown.status_code == 400
    body = unknown.content.decode()
    assert "No organization is named" in body and 'value="Typed"' in body
    carol.refresh_from_db()
    assert carol.name == "Carol C."


def test_a_new_primary_address_keeps_the_old_one(as_admin, carol):
    url = reverse("adminui:customer", kwargs={"pk": carol.pk})
    as_admin.post(url, {"name": "Carol", "email": "carol@new.test"})
    carol.refresh_from_db()
    assert carol.email == "carol@new.test"
    assert set(carol.emails.values_list("email", flat=True)) == {
        "carol@new.test",
        "carol@acme.test",
    }


def test_add_an_address_and_refuse_one_of_someone_else(as_admin, carol, dave):
    url = reverse("adminui:customer_address", kwargs={"pk": carol.pk})
    ok = as_admin.post(url, {"email": "Carol@Home.test"}, follow=True)
    assert "Mail from carol@home.test now reaches Carol Customer." in ok.content.decode()
    assert UserEmail.objects.get(email="carol@home.test").user == carol
    taken = as_admin.post(url, {"email": dave.email})
    assert taken.status_code == 400
    assert "dave@acme.test belongs to someone else" in taken.content.decode()
    assert 'value="dave@acme.test"' in taken.content.decode()


def test_merge_shows_what_moves_then_moves_tickets_and_addresses(as_admin, admin, carol, dave):
    add_email(dave, email="dave@home.test", by=admin)
    ticket = create_ticket(by=dave, requester=dave, subject="Dup", body="x")
    url = reverse("adminui:customer_merge", kwargs={"pk": dave.pk})
    confirm = as_admin.get(url, {"into": "CAROL@acme.test"})
    body = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Merge Dave Customer into Carol Customer?" in body
    assert "1 ticket " in body and "dave@home.test" in body and "dave@acme.test" in body
    assert Ticket.objects.get(pk=ticket.pk).requester == dave
    done = as_admin.post(url, {"into": "carol@acme.test"}, follow=True)
    assert "Merged Dave Customer into Carol Customer: 1 tickets" in done.content.decode()
    assert done.redirect_chain[-1][0] == reverse("adminui:customer", kwargs={"pk": carol.pk})
    assert Ticket.objects.get(pk=ticket.pk).requester == carol
    assert set(carol.emails.values_list("email", flat=True)) >= {"dave@home.test", "dave@acme.test"}
    dave.refresh_from_db()
    assert not dave.is_active and dave.merged_into == carol
    assert TicketEvent.objects.filter(
        ticket=ticket, kind=EventKind.CHANGED, field="requester", actor=admin
    ).exists()
    merged_page = as_admin.get(reverse("adminui:customer", kwargs={"pk": dave.pk}))
    assert "was merged into" in merged_page.content.decode()


def test_merge_refusals_are_shown_on_the_customer_page(as_admin, carol, alice):
    url = reverse("adminui:customer_merge", kwargs={"pk": carol.pk})
    for into, message in [
        ("nobody@nowhere.test", "No one has the address nobody@nowhere.test."),
        ("carol@acme.test", "That is this customer&#x27;s own address"),
        (alice.email, "belongs to a member of the team"),
        ("not an address", "Enter a valid email address."),
    ]:
        response = as_admin.get(url, {"into": into})
        assert response.status_code == 400, into
        assert message in response.content.decode(), into
    assert as_admin.post(url, {"into": alice.email}).status_code == 400
    carol.refresh_from_db()
    assert carol.is_active and User.objects.get(pk=alice.pk).role == "agent"


def test_deactivate_a_customer(as_admin, carol):
    url = reverse("adminui:customer_active", kwargs={"pk": carol.pk})
    as_admin.post(url, {"active": "0"})
    carol.refresh_from_db()
    assert not carol.is_active
    listed = as_admin.get(reverse("adminui:customers"), {"status": "inactive"})
    assert [c.pk for c in listed.context["rows"]] == [carol.pk]
