"""/signup/: an account only once its address is confirmed, and the same answer whether
or not the address already has one."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings

from supportdesk.accounts.models import User
from supportdesk.accounts.services import create_user, find_or_create_requester
from supportdesk.portal.models import PendingSignup
from supportdesk.portal.tests.conftest import link_in, mails_to

pytestmark = pytest.mark.django_db

FORM = {"name": "Nora New", "email": "nora@acme.test", "password": "tulip-harbour-71"}


def test_sign_up_confirms_the_address_before_the_account_exists(client, org_acme, on_commit):
    with on_commit():
        response = client.post("/signup/", FORM)
    assert response.url == "/signup/sent/"
    assert b"Check your e-mail" in client.get(response.url).content
    assert not User.objects.filter(email="nora@acme.test").exists()
    assert "tulip" not in PendingSignup.objects.get().password  # only the hash is kept
    [message] = mails_to("nora@acme.test")
    link = link_in(message, "/signup/confirm/")

    # Opening the link (as a mail scanner does) changes nothing.
    page = client.get(link)
    assert b"Confirm and log in" in page.content and b"nora@acme.test" in page.content
    assert not User.objects.filter(email="nora@acme.test").exists()

    done = client.post(link, follow=True)
    nora = User.objects.get(email="nora@acme.test")
    assert nora.name == "Nora New" and nora.is_customer
    assert nora.organization == org_acme  # joined by the domain of the confirmed address
    assert done.redirect_chain[-1][0] == "/requests/"
    assert b"Welcome, Nora New" in done.content
    client.logout()
    assert client.login(username="nora@acme.test", password="tulip-harbour-71")

    used = client.post(link)
    assert used.status_code == 400 and b"expired or was already used" in used.content


def test_sign_up_with_an_address_that_mailed_us_sets_its_password_after_confirming(
    client, on_commit
):
    known = find_or_create_requester("ivan@example.test", name="Ivan")
    ticket_owner_pk = known.pk
    with on_commit():
        response = client.post("/signup/", {**FORM, "email": "IVAN@example.test"})
    assert response.url == "/signup/sent/"
    known.refresh_from_db()
    assert not known.has_usable_password()  # a stranger cannot take it over by signing up
    client.post(link_in(mails_to("ivan@example.test")[0], "/signup/confirm/"))
    known.refresh_from_db()
    assert known.pk == ticket_owner_pk and known.check_password("tulip-harbour-71")
    assert known.name == "Ivan"


def test_sign_up_with_an_address_that_has_an_account_says_the_same_and_mails_its_owner(
    client, carol, on_commit
):
    with on_commit():
        taken = client.post("/signup/", {**FORM, "email": "carol@acme.test"})
        fresh = client.post("/signup/", {**FORM, "email": "someone@else.test"})
    assert taken.status_code == fresh.status_code == 302
    assert taken.url == fresh.url == "/signup/sent/"
    [note] = mails_to("carol@acme.test")
    assert "already have an account" in note.body and "/password-reset/" in note.body
    assert "/signup/confirm/" not in note.body
    carol.refresh_from_db()
    assert carol.check_password("pw")


def test_a_confirmation_link_cannot_take_an_account_that_got_a_password_meanwhile(
    client, on_commit
):
    with on_commit():
        client.post("/signup/", FORM)
    link = link_in(mails_to("nora@acme.test")[0], "/signup/confirm/")
    create_user(email="nora@acme.test", by=None, password="her-own-pw-9")
    response = client.post(link)
    assert response.status_code == 400 and b"already has an account" in response.content
    assert User.objects.get(email="nora@acme.test").check_password("her-own-pw-9")


def test_weak_passwords_and_bad_addresses_are_refused_with_the_input_kept(client):
    response = client.post("/signup/", {"name": "Nora", "email": "nora@", "password": "123"})
    assert response.status_code == 400
    assert b"Enter a valid email address." in response.content
    assert b"This password is too short." in response.content
    assert b'value="Nora"' in response.content
    assert b'value="123"' not in response.content  # passwords are never echoed
    assert not mail.outbox and not PendingSignup.objects.exists()


@override_settings(LOGIN_FAILURES_PER_MINUTE=2)
def test_sign_ups_are_rate_limited_per_client(client):
    for i in range(2):
        client.post("/signup/", {**FORM, "email": f"n{i}@acme.test"})
    blocked = client.post("/signup/", FORM)
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert b"Too many attempts" in blocked.content
    assert PendingSignup.objects.count() == 2


def test_logged_in_people_are_sent_home(client, carol):
    client.force_login(carol)
    assert client.get("/signup/").url == "/"
