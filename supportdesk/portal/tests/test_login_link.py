"""/login/link/: a one-time login link by e-mail, valid 15 minutes, confirmed by a POST."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.test import override_settings

from supportdesk.accounts.services import add_email, find_or_create_requester
from supportdesk.portal.tests.conftest import link_in, mails_to
from supportdesk.portal.tokens import LoginLinkTokenGenerator

pytestmark = pytest.mark.django_db


def _request_link(client, on_commit, email: str, **extra: str):  # type: ignore[no-untyped-def]
    with on_commit():
        return client.post("/login/link/", {"email": email, **extra})


def test_a_login_link_logs_in_once(client, carol, on_commit):
    response = _request_link(client, on_commit, "Carol@Acme.test")
    assert response.url == "/login/link/sent/"
    [message] = mails_to("carol@acme.test")
    assert "15 minutes" in message.body
    link = link_in(message, "/login/link/")

    # A GET (a mail scanner, a preview) shows a button and does not log in or spend it.
    page = client.get(link)
    assert b"Log in as <strong>carol@acme.test</strong>" in page.content
    assert client.get("/requests/").status_code == 302

    done = client.post(link)
    assert done.url == "/"
    assert client.get("/requests/").status_code == 200

    client.logout()
    again = client.post(link)
    assert again.status_code == 400 and b"expired or was already used" in again.content
    assert client.get("/requests/").status_code == 302


def test_a_login_link_expires_after_15_minutes(client, carol, on_commit, monkeypatch):
    _request_link(client, on_commit, "carol@acme.test")
    link = link_in(mails_to("carol@acme.test")[0], "/login/link/")
    later = datetime.now() + timedelta(minutes=16)
    monkeypatch.setattr(LoginLinkTokenGenerator, "_now", lambda self: later)
    assert client.get(link).status_code == 400
    assert client.post(link).status_code == 400
    assert client.get("/requests/").status_code == 302


def test_any_address_of_a_person_works_and_people_without_password_too(client, on_commit):
    ivan = find_or_create_requester("ivan@example.test")
    add_email(ivan, email="ivan@home.test", by=None)
    _request_link(client, on_commit, "ivan@home.test")
    link = link_in(mails_to("ivan@home.test")[0], "/login/link/")
    client.post(link)
    assert client.get("/requests/").status_code == 200


def test_the_answer_is_the_same_for_unknown_and_deactivated_addresses(
    client, carol, admin, on_commit
):
    from supportdesk.accounts.services import update_user

    known = _request_link(client, on_commit, "carol@acme.test")
    unknown = _request_link(client, on_commit, "nobody@acme.test")
    update_user(carol, by=admin, is_active=False)
    mail.outbox.clear()
    from django.core.cache import cache

    cache.clear()
    inactive = _request_link(client, on_commit, "carol@acme.test")
    assert known.url == unknown.url == inactive.url == "/login/link/sent/"
    assert mail.outbox == []


def test_next_is_kept_when_it_is_local_and_dropped_when_not(client, carol, on_commit):
    _request_link(client, on_commit, "carol@acme.test", next="/requests/new/")
    link = link_in(mails_to("carol@acme.test")[0], "/login/link/")
    assert "next=%2Frequests%2Fnew%2F" in link
    assert client.post(link).url == "/requests/new/"

    client.logout()
    from django.core.cache import cache

    cache.clear()
    mail.outbox.clear()
    _request_link(client, on_commit, "carol@acme.test", next="https://evil.test/")
    link = link_in(mails_to("carol@acme.test")[0], "/login/link/")
    assert "evil" not in link
    assert client.post(link).url == "/"


def test_one_address_gets_at_most_one_link_a_minute(client, carol, on_commit):
    for _ in range(3):
        _request_link(client, on_commit, "carol@acme.test")
    assert len(mails_to("carol@acme.test")) == 1


@override_settings(LOGIN_FAILURES_PER_MINUTE=2)
def test_link_requests_are_rate_limited_per_client(client, carol, on_commit):
    _request_link(client, on_commit, "a@acme.test")
    _request_link(client, on_commit, "b@acme.test")
    blocked = _request_link(client, on_commit, "carol@acme.test")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert b"Too many attempts" in blocked.content
    assert mails_to("carol@acme.test") == []


def test_a_forged_link_is_refused(client, carol):
    assert client.get("/login/link/Mg/abc-123/").status_code == 400
    assert client.post("/login/link/!!!/abc-123/").status_code == 400
    assert client.post("/login/link/OTk5OTk5OTk5OTk5OTk5OTk5OTk5/x-y/").status_code == 400
