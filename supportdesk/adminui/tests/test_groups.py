"""Groups: create, edit lead and members, delete after a confirmation."""

from __future__ import annotations

from django.urls import reverse

from supportdesk.accounts.models import Group


def test_create_edit_and_delete_a_group(as_admin, alice, bob, lena, carol_ticket):
    created = as_admin.post(
        reverse("adminui:group_new"),
        {
            "name": "Escalations",
            "description": "Hot",
            "lead": alice.pk,
            "members": [alice.pk, bob.pk],
        },
        follow=True,
    )
    assert "Saved group Escalations." in created.content.decode()
    group = Group.objects.get(name="Escalations")
    assert group.lead == alice and set(group.members.all()) == {alice, bob}
    url = reverse("adminui:group", kwargs={"pk": group.pk})
    as_admin.post(url, {"name": "Escalation", "description": "", "lead": "", "members": [lena.pk]})
    group.refresh_from_db()
    assert (group.name, group.lead, list(group.members.all())) == ("Escalation", None, [lena])
    confirm = as_admin.get(reverse("adminui:group_delete", kwargs={"pk": group.pk}))
    assert "Delete group Escalation?" in confirm.content.decode()
    assert Group.objects.filter(pk=group.pk).exists()
    gone = as_admin.post(reverse("adminui:group_delete", kwargs={"pk": group.pk}), follow=True)
    assert "Deleted group Escalation." in gone.content.decode()
    assert not Group.objects.filter(pk=group.pk).exists()


def test_a_duplicate_name_is_an_error_on_the_name_and_keeps_the_input(as_admin, billing, bob):
    response = as_admin.post(
        reverse("adminui:group_new"),
        {"name": "billing", "description": "Second try", "members": [bob.pk]},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "A group named &#x27;billing&#x27; exists" in body
    assert "Second try" in body
    assert Group.objects.count() == 1


def test_customers_are_not_offered_as_members(as_admin, billing, carol):
    page = as_admin.get(reverse("adminui:group", kwargs={"pk": billing.pk})).content.decode()
    assert "Bob Agent &lt;bob@example.test&gt;" in page
    assert "carol@acme.test" not in page
    refused = as_admin.post(
        reverse("adminui:group", kwargs={"pk": billing.pk}),
        {"name": "Billing", "members": [carol.pk]},
    )
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
