"""/password-reset/: Django's flow with our forms, mail through notify, for people with
a password and people who never had one."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings

from supportdesk.accounts.services import find_or_create_requester
from supportdesk.notify.models import OutgoingEmail
from supportdesk.portal.tests.conftest import link_in, mails_to

pytestmark = pytest.mark.django_db


def _reset(client, on_commit, email: str):  # type: ignore[no-untyped-def]
    with on_commit():
        return client.post("/password-reset/", {"email": email})


def test_password_reset_end_to_end(client, carol, on_commit):
    response = _reset(client, on_commit, "carol@acme.test")
    assert response.url == "/password-reset/sent/"
    assert b"Check your e-mail" in client.get(response.url).content
    [message] = mails_to("carol@acme.test")
    assert OutgoingEmail.objects.get(kind="password_reset").to == ["carol@acme.test"]
    link = link_in(message, "/password-reset/")

    form_page = client.get(link, follow=True)
    assert b"Choose a password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    mismatch = client.post(
        set_url, {"new_password1": "violet-meadow-42", "new_password2": "other-meadow-42"}
    )
    assert b"didn\xe2\x80\x99t match" in mismatch.content
    done = client.post(
        set_url, {"new_password1": "violet-meadow-42", "new_password2": "violet-meadow-42"}
    )
    assert done.url == "/password-reset/done/"
    assert b"You are logged in." in client.get(done.url).content
    carol.refresh_from_db()
    assert carol.check_password("violet-meadow-42")

    client.logout()
    reused = client.get(link, follow=True)
    assert b"expired or was already used" in reused.content


def test_someone_who_never_had_a_password_can_set_one(client, on_commit):
    ivan = find_or_create_requester("ivan@example.test")
    assert not ivan.has_usable_password()
    _reset(client, on_commit, "ivan@example.test")
    [message] = mails_to("ivan@example.test")
    assert "choose a password" in message.body  # not "a new password"
    form_page = client.get(link_in(message, "/password-reset/"), follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "amber-canyon-58", "new_password2": "amber-canyon-58"},
    )
    ivan.refresh_from_db()
    assert ivan.check_password("amber-canyon-58")


def test_unknown_addresses_get_the_same_answer_and_no_mail(client, carol, on_commit):
    known = _reset(client, on_commit, "carol@acme.test")
    unknown = _reset(client, on_commit, "ghost@acme.test")
    assert known.url == unknown.url
    assert [m.to for m in mail.outbox] == [["carol@acme.test"]]


def test_weak_new_passwords_are_refused(client, carol, on_commit):
    _reset(client, on_commit, "carol@acme.test")
    form_page = client.get(link_in(mails_to("carol@acme.test")[0], "/password-reset/"), follow=True)
    weak = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"}
    )
    assert weak.status_code == 200 and b"too common" in weak.content
    carol.refresh_from_db()
    assert carol.check_password("pw")


@override_settings(LOGIN_FAILURES_PER_MINUTE=1)
def test_reset_requests_are_rate_limited(client, carol, on_commit):
    _reset(client, on_commit, "ghost@acme.test")
    blocked = _reset(client, on_commit, "carol@acme.test")
    assert blocked.status_code == 429 and b"Too many attempts" in blocked.content
    assert mail.outbox == []
