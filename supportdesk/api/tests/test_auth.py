"""Who may call the API: tokens, browser sessions with CSRF, rate limiting of bad tokens."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from supportdesk.accounts.models import ApiToken
from supportdesk.accounts.services import create_token, update_user, user_for_token
from supportdesk.api.tests.conftest import ApiClient


def test_token_authenticates_and_me_says_who(as_user, alice, billing):
    answer = as_user(alice).get("/me")
    assert answer.status_code == 200
    me = answer.json()
    assert me["email"] == alice.email and me["role"] == "agent"
    assert me["groups"] == [{"id": billing.pk, "name": "Billing"}]


def test_missing_or_bad_credentials_are_401_with_detail(anonymous, alice):
    answer = anonymous.get("/tickets")
    assert answer.status_code == 401
    assert "Bearer" in answer.json()["detail"]
    assert answer["WWW-Authenticate"].startswith("Bearer")
    bad = ApiClient("sd_not-a-real-token").get("/tickets")
    assert bad.status_code == 401 and bad.json() == {"detail": "this API token is not valid"}
    basic = Client(headers={"Authorization": "Basic YWxpY2U6cHc="}).get("/api/v1/tickets")
    assert basic.status_code == 401
    assert anonymous.post("/tickets", {"subject": "x", "body": "y"}).status_code == 401


def test_deactivated_persons_token_stops_working(as_user, alice, admin):
    api = as_user(alice)
    assert api.get("/me").status_code == 200
    update_user(alice, by=admin, is_active=False)
    assert api.get("/me").status_code == 401


@override_settings(API_AUTH_FAILURES_PER_MINUTE=3)
def test_bad_tokens_are_rate_limited_per_address_with_retry_after(alice):
    good = create_token(alice)
    for _ in range(3):
        assert ApiClient("sd_wrong").get("/tickets").status_code == 401
    blocked = ApiClient("sd_wrong").get("/tickets")
    assert blocked.status_code == 429
    assert 1 <= int(blocked["Retry-After"]) <= 60
    assert "try again" in blocked.json()["detail"]
    # While blocked, even a good token from that address waits: guessing gains nothing.
    assert ApiClient(good).get("/tickets").status_code == 429
    other_address = Client(headers={"Authorization": f"Bearer {good}"}, REMOTE_ADDR="10.0.0.9")
    assert other_address.get("/api/v1/tickets").status_code == 200


@override_settings(API_AUTH_FAILURES_PER_MINUTE=3)
def test_good_tokens_do_not_count_against_the_limit(alice):
    api = ApiClient(create_token(alice))
    for _ in range(10):
        assert api.get("/me").status_code == 200


def test_session_auth_reads_freely_but_writes_need_csrf(carol):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(carol)
    assert browser.get("/api/v1/me").json()["email"] == carol.email
    refused = browser.post(
        "/api/v1/tickets", '{"subject": "x", "body": "y"}', content_type="application/json"
    )
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    browser.get("/api/v1/docs")  # the docs page hands out the CSRF cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/v1/tickets",
        '{"subject": "x", "body": "y"}',
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 201


def test_anonymous_post_without_csrf_is_401_not_403(carol):
    browser = Client(enforce_csrf_checks=True)
    answer = browser.post("/api/v1/tickets", "{}", content_type="application/json")
    assert answer.status_code == 401


def test_tokens_are_stored_as_digests_only(alice):
    token = create_token(alice, name="ci")
    row = ApiToken.objects.get(user=alice)
    assert row.digest == ApiToken.digest_of(token) and token not in (row.digest, row.prefix)
    assert user_for_token(token) == alice


def test_create_token_command_prints_a_working_token(alice):
    out, err = StringIO(), StringIO()
    call_command("create_token", "ALICE@example.test", "--name", "cli", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert token.startswith("sd_") and "shown only this once" in err.getvalue()
    assert ApiToken.objects.get(user=alice).name == "cli"
    assert ApiClient(token).get("/me").json()["email"] == alice.email
    with pytest.raises(CommandError, match="no person"):
        call_command("create_token", "nobody@example.test", stdout=out, stderr=err)


@override_settings(API_AUTH_FAILURES_PER_MINUTE=2)
def test_forged_forwarded_for_does_not_escape_the_limit(alice, monkeypatch):
    # Mid-minute, so the three attempts never straddle two rate-limit windows.
    monkeypatch.setattr("supportdesk.lib.ratelimit._window", lambda: (30_000_000, 30))
    for i in range(3):
        forged = Client(
            headers={"Authorization": "Bearer sd_wrong", "X-Forwarded-For": f"10.9.9.{i}"}
        )
        answer = forged.get("/api/v1/me")
    assert answer.status_code == 429
