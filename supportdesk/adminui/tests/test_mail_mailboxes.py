"""Mailboxes on the admin pages: created and changed with write-only passwords, listed with
their sources in words, deleted after a confirmation (their messages stay), the HTTP
endpoint's secret renewed, and the IMAP and SMTP settings tested against real servers."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from supportdesk.adminui.tests.conftest import flash
from supportdesk.mail.ingest import ingest
from supportdesk.mail.models import Auth, InboundMessage, Mailbox
from supportdesk.mail.tests.conftest import run_dovecot
from supportdesk.mail.tests.smtp_server import free_port, smtp_server

BASE = {
    "address": "Support@Example.com",
    "name": "Example Support",
    "enabled": "on",
    "imap_host": "imap.example.com",
    "imap_port": "993",
    "imap_security": "ssl",
    "imap_username": "support",
    "imap_password": "imap-secret-1",
    "imap_folder": "INBOX",
    "imap_move_to": "",
    "smtp_host": "",
    "smtp_port": "587",
    "smtp_security": "starttls",
    "smtp_username": "",
    "smtp_password": "",
    "auth": "password",
    "oauth_token_url": "",
    "oauth_client_id": "",
    "oauth_client_secret": "",
    "oauth_refresh_token": "",
}


def post(client: Any, url: str, **changes: str) -> Any:
    return client.post(url, {**BASE, **changes}, follow=True)


def test_admin_adds_a_mailbox_and_passwords_stay_write_only(as_admin, billing):
    added = post(as_admin, reverse("adminui:mailbox_new"), group=str(billing.pk))
    page = added.content.decode()
    assert "Added mailbox support@example.com." in page
    mailbox = Mailbox.objects.get()
    assert (mailbox.address, mailbox.group, mailbox.imap_password) == (
        "support@example.com",
        billing,
        "imap-secret-1",
    )
    # The stored password never comes back to the browser, not even in a value="".
    assert "imap-secret-1" not in page
    assert "Stored. Type a new one to replace it" in page
    url = reverse("adminui:mailbox", kwargs={"pk": mailbox.pk})
    post(as_admin, url, imap_password="", name="Help desk")
    mailbox.refresh_from_db()
    assert (mailbox.name, mailbox.imap_password) == ("Help desk", "imap-secret-1")
    post(as_admin, url, imap_password="imap-secret-2")
    mailbox.refresh_from_db()
    assert mailbox.imap_password == "imap-secret-2"
    post(as_admin, url, imap_host="", imap_password="", clear_imap_password="on")
    mailbox.refresh_from_db()
    assert (mailbox.imap_host, mailbox.imap_password) == ("", "")


def test_the_list_says_where_mail_comes_from_and_when_it_last_came(as_admin):
    polled = Mailbox.objects.create(address="a@example.com", name="A", imap_host="imap.x.test")
    Mailbox.objects.create(address="b@example.com", name="B", enabled=False)
    ingest(b"From: ann@example.org\r\nSubject: Hi\r\n\r\nHello\r\n", mailbox=polled)
    page = as_admin.get(reverse("adminui:mailboxes")).content.decode()
    assert "IMAP imap.x.test (every minute)" in page
    assert page.count("HTTP endpoint") == 2 and page.count("SMTP listener") == 2
    assert "Replies through the site&#x27;s mail server" in page
    assert "Nothing yet" in page  # b never received anything
    assert "ago</time>" in page  # a did, just now
    assert "Disabled" in page


def test_a_taken_address_and_missing_logins_are_errors_on_their_fields(as_admin):
    Mailbox.objects.create(address="support@example.com", name="Old")
    taken = as_admin.post(reverse("adminui:mailbox_new"), BASE)
    assert taken.status_code == 400
    assert "Another mailbox has the address support@example.com" in taken.content.decode()
    no_password = as_admin.post(
        reverse("adminui:mailbox_new"), {**BASE, "address": "b@example.com", "imap_password": ""}
    )
    assert "IMAP needs a password to log in" in no_password.content.decode()
    oauth = as_admin.post(
        reverse("adminui:mailbox_new"),
        {**BASE, "address": "c@example.com", "auth": "xoauth2", "oauth_client_id": "cid"},
    )
    assert "XOAUTH2 login needs the token URL" in oauth.content.decode()
    bad_port = as_admin.post(
        reverse("adminui:mailbox_new"), {**BASE, "address": "d@example.com", "imap_port": "99999"}
    )
    assert bad_port.status_code == 400
    assert Mailbox.objects.count() == 1


def test_xoauth2_settings_are_kept_and_a_new_client_drops_the_cached_token(as_admin):
    oauth = {
        "auth": "xoauth2",
        "imap_password": "",
        "oauth_token_url": "https://oauth2.example.com/token",
        "oauth_client_id": "client-1",
        "oauth_client_secret": "cs-1",
        "oauth_refresh_token": "rt-1",
    }
    post(as_admin, reverse("adminui:mailbox_new"), **oauth)
    mailbox = Mailbox.objects.get()
    assert (mailbox.auth, mailbox.oauth_client_secret, mailbox.oauth_refresh_token) == (
        Auth.XOAUTH2,
        "cs-1",
        "rt-1",
    )
    Mailbox.objects.filter(pk=mailbox.pk).update(oauth_access_token="at-1")
    url = reverse("adminui:mailbox", kwargs={"pk": mailbox.pk})
    page = as_admin.get(url).content.decode()
    assert "cs-1" not in page and "rt-1" not in page and "at-1" not in page
    post(as_admin, url, **{**oauth, "oauth_client_secret": "", "oauth_refresh_token": ""})
    mailbox.refresh_from_db()
    assert (mailbox.oauth_client_secret, mailbox.oauth_access_token) == ("cs-1", "at-1")
    post(as_admin, url, **{**oauth, "oauth_client_id": "client-2", "oauth_client_secret": ""})
    mailbox.refresh_from_db()
    assert (mailbox.oauth_client_id, mailbox.oauth_access_token) == ("client-2", "")


def test_the_endpoint_shows_its_url_and_a_new_secret_replaces_the_old(as_admin):
    mailbox = Mailbox.objects.create(address="support@example.com", name="S")
    old = mailbox.secret
    page = as_admin.get(reverse("adminui:mailbox", kwargs={"pk": mailbox.pk})).content.decode()
    assert f"http://testserver/mail/inbound/{mailbox.pk}/" in page
    assert "<summary>" in page and old in page  # behind the "Show" disclosure
    assert (
        as_admin.get(reverse("adminui:mailbox_secret", kwargs={"pk": mailbox.pk})).status_code
        == 405
    )
    renewed = as_admin.post(reverse("adminui:mailbox_secret", kwargs={"pk": mailbox.pk}))
    mailbox.refresh_from_db()
    assert mailbox.secret != old and len(mailbox.secret) >= 40
    assert "the old one no longer works" in flash(renewed)[0]


def test_deleting_asks_first_and_keeps_the_messages(as_admin):
    mailbox = Mailbox.objects.create(address="support@example.com", name="S")
    report = ingest(b"From: ann@example.org\r\nSubject: Hi\r\n\r\nHello\r\n", mailbox=mailbox)
    url = reverse("adminui:mailbox_delete", kwargs={"pk": mailbox.pk})
    confirm = as_admin.get(url).content.decode()
    assert "Delete mailbox support@example.com?" in confirm and "The 1 message it" in confirm
    assert Mailbox.objects.exists()
    gone = as_admin.post(url, follow=True)
    assert "Deleted mailbox support@example.com. Its messages stay." in gone.content.decode()
    assert not Mailbox.objects.exists()
    kept = InboundMessage.objects.get()
    assert kept.mailbox is None and kept.ticket_id == report.ticket


def test_test_buttons_log_in_to_real_imap_and_smtp_servers(as_admin):
    with run_dovecot() as imap, smtp_server() as smtp:
        mailbox = Mailbox.objects.create(
            address="support@example.com",
            name="S",
            imap_host=str(imap["host"]),
            imap_port=int(str(imap["port"])),
            imap_security="none",
            imap_username=str(imap["user"]),
            imap_password=str(imap["password"]),
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            smtp_security="none",
        )
        check = "adminui:mailbox_check"
        ok = as_admin.post(reverse(check, kwargs={"pk": mailbox.pk, "kind": "imap"}))
        assert ok["Location"].endswith("#imap")
        assert flash(ok)[-1] == "IMAP test: OK: 0 messages in INBOX"
        sent = as_admin.post(reverse(check, kwargs={"pk": mailbox.pk, "kind": "smtp"}))
        assert flash(sent)[-1] == f"SMTP test: OK: connected to (no login) 127.0.0.1:{smtp.port}"
        Mailbox.objects.filter(pk=mailbox.pk).update(imap_password="wrong")
        refused = as_admin.post(reverse(check, kwargs={"pk": mailbox.pk, "kind": "imap"}))
        assert flash(refused)[-1].startswith("IMAP test failed: login refused by 127.0.0.1:")
    Mailbox.objects.filter(pk=mailbox.pk).update(smtp_port=free_port())
    closed = as_admin.post(reverse(check, kwargs={"pk": mailbox.pk, "kind": "smtp"}))
    assert "refused the connection" in flash(closed)[-1]
    assert (
        as_admin.post(reverse(check, kwargs={"pk": mailbox.pk, "kind": "pop3"})).status_code == 404
    )


@pytest.mark.parametrize("field", ["address", "name", "imap_host"])
def test_a_hostile_value_is_shown_escaped(as_admin, field):
    value = "<script>alert(1)</script>"
    mailbox = Mailbox.objects.create(address="x@example.com", name="X")
    setattr(mailbox, field, value)
    mailbox.save()
    for url in (
        reverse("adminui:mailboxes"),
        reverse("adminui:mailbox", kwargs={"pk": mailbox.pk}),
    ):
        page = as_admin.get(url).content.decode()
        assert value not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
