"""API tokens: made for oneself or an agent, shown once, usable at once, revocable."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from supportdesk.accounts.models import ApiToken


def _secret(page: str) -> str:
    return re.search(r'value="(sd_[\w-]+)"', page).group(1)  # type: ignore[union-attr]


def test_a_token_is_shown_once_and_works_against_the_api(as_admin, admin):
    response = as_admin.post(reverse("adminui:tokens"), {"name": "CRM sync", "owner": admin.pk})
    assert response["Location"] == reverse("adminui:token_created")
    shown = as_admin.get(response["Location"])
    assert "no-store" in shown["Cache-Control"] or "max-age=0" in shown["Cache-Control"]
    secret = _secret(shown.content.decode())
    again = as_admin.get(response["Location"], follow=True).content.decode()
    assert secret not in again and "A token is shown only once." in again
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.status_code == 200 and me.json()["email"] == admin.email
    listing = as_admin.get(reverse("adminui:tokens")).content.decode()
    assert "CRM sync" in listing and secret[:8] in listing and secret not in listing


def test_admin_makes_a_token_for_an_agent_and_revokes_it(as_admin, alice, carol):
    as_admin.post(reverse("adminui:tokens"), {"name": "bot", "owner": alice.pk})
    secret = _secret(as_admin.get(reverse("adminui:token_created")).content.decode())
    assert (
        Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["id"] == alice.pk
    )
    refused = as_admin.post(reverse("adminui:tokens"), {"name": "x", "owner": carol.pk})
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    token = ApiToken.objects.get(user=alice)
    gone = as_admin.post(reverse("adminui:token_revoke", kwargs={"pk": token.pk}), follow=True)
    assert "Revoked the token." in gone.content.decode()
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert (
        as_admin.post(reverse("adminui:token_revoke", kwargs={"pk": token.pk})).status_code == 404
    )
