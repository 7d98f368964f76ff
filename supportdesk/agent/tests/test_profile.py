"""The agent's profile page, password change and personal API tokens."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from supportdesk.accounts.models import ApiToken, User

PROFILE = "/agent/profile/"
TOKENS = "/agent/profile/tokens/"


def profile_data(**overrides: str) -> dict[str, str]:
    data = {
        "form": "profile",
        "name": "Alice Anders",
        "signature": "Alice\r\nBilling team",
        "time_zone": "Europe/Berlin",
        "language": "de",
        "availability": "away",
    }
    data.update(overrides)
    return data


def test_url_names_are_the_agreed_ones() -> None:
    assert reverse("agent:profile") == PROFILE
    assert reverse("agent:tokens") == TOKENS


def test_profile_shows_the_agents_settings(client, alice) -> None:
    User.objects.filter(pk=alice.pk).update(
        time_zone="America/New_York", language="fr", signature="Cheers, A."
    )
    client.force_login(alice)
    page = client.get(PROFILE).content.decode()
    assert 'value="Alice Agent"' in page
    assert '<option value="America/New_York" selected>' in page
    assert '<option value="fr" selected>' in page
    assert "Cheers, A.</textarea>" in page
    assert 'value="offline" checked' in page
    assert "public replies" in page  # the signature's help says where it goes
    assert 'href="/agent/profile/tokens/"' in page


def test_profile_update_saves_every_field(client, alice) -> None:
    client.force_login(alice)
    response = client.post(PROFILE, profile_data())
    assert response.status_code == 302 and response["Location"] == PROFILE
    alice.refresh_from_db()
    assert alice.name == "Alice Anders"
    assert alice.signature == "Alice\nBilling team"
    assert alice.time_zone == "Europe/Berlin"
    assert alice.language == "de"
    assert alice.availability == "away"
    page = client.get(PROFILE).content.decode()
    assert "Your profile is saved." in page

    # Blank time zone and language fall back to the defaults.
    client.post(PROFILE, profile_data(time_zone="", language="", availability="online"))
    alice.refresh_from_db()
    assert (alice.time_zone, alice.language, alice.availability) == ("", "", "online")


def test_bad_time_zone_and_availability_are_form_errors_keeping_the_input(client, alice) -> None:
    client.force_login(alice)
    response = client.post(
        PROFILE, profile_data(time_zone="Mars/Olympus", availability="busy", name="Typed")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Mars/Olympus is not a time zone" in page
    assert "Choose online, away or offline." in page
    assert 'value="Typed"' in page
    alice.refresh_from_db()
    assert alice.name == "Alice Agent" and alice.time_zone == ""


def test_service_refusal_shows_next_to_the_field(client, alice) -> None:
    # A value the form lists (the agent's current one) but the service refuses.
    User.objects.filter(pk=alice.pk).update(time_zone="Legacy/Zone")
    client.force_login(alice)
    response = client.post(PROFILE, profile_data(time_zone="Legacy/Zone"))
    assert response.status_code == 400
    assert "is not a time zone, e.g. Europe/Berlin" in response.content.decode()
    alice.refresh_from_db()
    assert alice.name == "Alice Agent"


def test_password_change_keeps_the_session(client, alice) -> None:
    client.force_login(alice)
    wrong = client.post(
        PROFILE,
        {
            "form": "password",
            "old_password": "nope",
            "new_password1": "x",
            "new_password2": "y",
        },
    )
    assert wrong.status_code == 400
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("pw")

    response = client.post(
        PROFILE,
        {
            "form": "password",
            "old_password": "pw",
            "new_password1": "Long-enough-9",
            "new_password2": "Long-enough-9",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("Long-enough-9")
    page = client.get(PROFILE)
    assert page.status_code == 200  # still signed in
    assert "Your password is changed." in page.content.decode()


def _create_token(client, name: str = "reporting") -> str:
    response = client.post(TOKENS, {"name": name})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    found = re.search(r'value="(sd_[^"]+)"', response.content.decode())
    assert found, "the new token is shown"
    return found.group(1)


def test_token_is_shown_once_and_works_against_the_api(client, alice) -> None:
    client.force_login(alice)
    token = _create_token(client)
    row = ApiToken.objects.get(user=alice)
    assert row.name == "reporting" and token.startswith(row.prefix)
    listing = client.get(TOKENS).content.decode()
    assert token not in listing
    assert "reporting" in listing and row.prefix in listing

    client.logout()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["email"] == "alice@example.test"


def test_revoke_stops_the_token(client, alice) -> None:
    client.force_login(alice)
    token = _create_token(client)
    row = ApiToken.objects.get(user=alice)
    response = client.post(TOKENS, {"revoke": str(row.pk)})
    assert response.status_code == 302 and response["Location"] == TOKENS
    assert not ApiToken.objects.filter(pk=row.pk).exists()
    assert "is revoked" in client.get(TOKENS).content.decode()
    client.logout()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401


@pytest.mark.parametrize("who", ["bob", "admin"])
def test_nobody_revokes_another_agents_token_here(client, alice, bob, admin, who) -> None:
    client.force_login(alice)
    _create_token(client)
    row = ApiToken.objects.get(user=alice)
    client.force_login({"bob": bob, "admin": admin}[who])
    response = client.post(TOKENS, {"revoke": str(row.pk)}, follow=True)
    assert "does not exist or is not yours" in response.content.decode()
    assert ApiToken.objects.filter(pk=row.pk).exists()
    for junk in ("x", "9" * 30):  # no 500
        assert client.post(TOKENS, {"revoke": junk}).status_code == 302


def test_token_name_too_long_is_an_error(client, alice) -> None:
    client.force_login(alice)
    response = client.post(TOKENS, {"name": "n" * 101})
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_light_agent_has_a_profile(client, lena) -> None:
    client.force_login(lena)
    assert client.get(PROFILE).status_code == 200
    assert client.get(TOKENS).status_code == 200


@pytest.mark.parametrize("url", [PROFILE, TOKENS])
def test_customers_and_visitors_are_sent_away(client, carol, url) -> None:
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    client.force_login(carol)
    for response in (client.get(url), client.post(url, profile_data())):
        assert response.status_code == 302 and response["Location"] == "/"
    carol.refresh_from_db()
    assert carol.name == "Carol Customer"
