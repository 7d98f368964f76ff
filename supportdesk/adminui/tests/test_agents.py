"""Agents and roles: invite, change role and groups, deactivate; the last admin stays."""

from __future__ import annotations

import re

from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from supportdesk.accounts.models import Group, Role, User
from supportdesk.adminui.invites import FALLBACK_PATH


def _check_link(link: str, user: User) -> None:
    """The link carries a valid reset token for `user`, unless the portal's reset view
    is not installed yet, when it points at "Forgot password"."""
    found = re.search(r"/([\w-]+)/([\w-]+-[\w]+)/?$", link)
    if found is None:
        assert link.endswith(FALLBACK_PATH)
        return
    assert force_str(urlsafe_base64_decode(found.group(1))) == str(user.pk)
    assert default_token_generator.check_token(user, found.group(2))


def test_admin_invites_an_agent_into_groups_and_sees_the_link_once(
    as_admin, billing, technical, on_commit
):
    with on_commit():
        response = as_admin.post(
            reverse("adminui:agent_new"),
            {
                "name": "Nina New",
                "email": "Nina@Example.test",
                "role": "light_agent",
                "groups": [billing.pk, technical.pk],
                "invite": "on",
            },
        )
    nina = User.objects.get(email="nina@example.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("adminui:agent", kwargs={"pk": nina.pk})
    assert nina.role == Role.LIGHT_AGENT and not nina.has_usable_password()
    assert set(nina.agent_groups.values_list("name", flat=True)) == {"Billing", "Technical"}
    assert billing.members.count() == 3
    assert [m.to for m in mail.outbox] == [["nina@example.test"]]
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)  # type: ignore[union-attr]
    _check_link(link, nina)
    page = as_admin.get(response["Location"])
    assert "Nina New joined the team as light agent." in page.content.decode()
    assert link in page.content.decode()
    assert link not in as_admin.get(response["Location"]).content.decode()


def test_invite_without_mail_and_a_taken_address_keeps_the_input(as_admin, alice, billing):
    taken = as_admin.post(
        reverse("adminui:agent_new"),
        {"name": "Twin", "email": alice.email, "role": "agent", "groups": [billing.pk]},
    )
    assert taken.status_code == 400
    body = taken.content.decode()
    assert "alice@example.test is already in use" in body
    assert 'value="Twin"' in body and "checked" in body
    response = as_admin.post(
        reverse("adminui:agent_new"),
        {"name": "Otto", "email": "otto@example.test", "role": "agent"},
    )
    otto = User.objects.get(email="otto@example.test")
    assert not mail.outbox
    page = as_admin.get(response["Location"]).content.decode()
    assert "Set-password link" in page and "We e-mailed" not in page
    _check_link(re.search(r'class="secret">([^<]+)<', page).group(1), otto)  # type: ignore[union-attr]


def test_admin_changes_role_and_groups_and_a_lead_who_leaves_stops_leading(
    as_admin, alice, billing, technical
):
    url = reverse("adminui:agent", kwargs={"pk": alice.pk})
    response = as_admin.post(
        url, {"name": "Alice A.", "email": alice.email, "role": "admin", "groups": [technical.pk]}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    billing.refresh_from_db()
    assert alice.role == Role.ADMIN and alice.name == "Alice A."
    assert list(alice.agent_groups.all()) == [technical]
    assert billing.lead is None and list(billing.members.values_list("email", flat=True)) == [
        "bob@example.test"
    ]


def test_demoting_to_customer_leaves_every_group(as_admin, alice, billing, technical):
    response = as_admin.post(
        reverse("adminui:agent", kwargs={"pk": alice.pk}),
        {"name": "Alice", "email": alice.email, "role": "customer", "groups": [billing.pk]},
        follow=True,
    )
    assert "Alice is now a customer." in response.content.decode()
    alice.refresh_from_db()
    assert alice.role == Role.CUSTOMER and not alice.agent_groups.exists()
    assert Group.objects.get(pk=billing.pk).lead is None
    assert as_admin.get(reverse("adminui:agent", kwargs={"pk": alice.pk})).status_code == 404


def test_the_last_admin_cannot_lose_the_role_or_be_deactivated(as_admin, admin, alice):
    url = reverse("adminui:agent", kwargs={"pk": admin.pk})
    response = as_admin.post(url, {"name": "Ada", "email": admin.email, "role": "agent"})
    assert response.status_code == 400
    assert "The last admin cannot lose the admin role" in response.content.decode()
    assert 'value="Ada"' in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN and admin.name == "Ada Admin"
    off = as_admin.post(
        reverse("adminui:agent_active", kwargs={"pk": admin.pk}), {"active": "0"}, follow=True
    )
    assert "the last admin cannot be deactivated" in off.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_deactivate_and_reactivate_an_agent(as_admin, client, bob):
    url = reverse("adminui:agent_active", kwargs={"pk": bob.pk})
    page = as_admin.post(url, {"active": "0"}, follow=True).content.decode()
    assert "Bob Agent is deactivated and cannot sign in." in page
    bob.refresh_from_db()
    assert not bob.is_active
    listing = as_admin.get(reverse("adminui:agents")).content.decode()
    assert "Deactivated" in listing
    as_admin.post(url, {"active": "1"})
    bob.refresh_from_db()
    assert bob.is_active
    assert as_admin.get(url).status_code == 405


def test_a_fresh_link_can_be_sent_again(as_admin, bob, on_commit):
    with on_commit():
        response = as_admin.post(reverse("adminui:agent_invite", kwargs={"pk": bob.pk}))
    assert [m.to for m in mail.outbox] == [[bob.email]]
    assert "Set-password link" in as_admin.get(response["Location"]).content.decode()


def test_agent_list_shows_roles_groups_and_no_customers(as_admin, billing, lena, carol):
    page = as_admin.get(reverse("adminui:agents")).content.decode()
    for text in ("Alice Agent", "Bob Agent", "Lena Light", "Light agent", "Billing"):
        assert text in page
    assert "carol@acme.test" not in page
