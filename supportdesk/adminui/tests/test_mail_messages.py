"""Quarantined and suspended mail on the admin pages: read a message (headers, text, raw
download), retry one after a fix, release one into the queues and follow the link to its
ticket, delete, block a sender or their domain; and the block list."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from supportdesk.adminui.tests.conftest import flash
from supportdesk.adminui.tests.test_mail_access import stored
from supportdesk.mail.ingest import ingest
from supportdesk.mail.models import BlockedSender, InboundMessage, Mailbox, Outcome
from supportdesk.tickets.models import Ticket

RAW = (
    b"From: Ann Lee <ann@customer.test>\r\n"
    b"To: support@example.com\r\n"
    b"Subject: =?utf-8?q?Caf=C3=A9_order_missing?=\r\n"
    b"Message-ID: <order-1@customer.test>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"My order 77 never arrived.\r\n"
)


@pytest.fixture(autouse=True)
def fresh_badge() -> None:
    cache.clear()


@pytest.fixture
def mailbox(billing) -> Mailbox:  # type: ignore[no-untyped-def]
    return Mailbox.objects.create(address="support@example.com", name="Support", group=billing)


def test_a_quarantined_message_shows_headers_text_and_a_raw_download(as_admin, mailbox):
    with override_settings(MAIL_MAX_BYTES=50):
        line = ingest(RAW, mailbox=mailbox).line
    assert line.startswith("quarantined: ")
    record = InboundMessage.objects.get()
    listed = as_admin.get(reverse("adminui:mail_quarantine")).content.decode()
    assert "over the limit of 50" in listed
    page = as_admin.get(reverse("adminui:mail_message", kwargs={"pk": record.pk})).content.decode()
    assert "Café order missing" in page  # the encoded subject header, decoded
    assert "My order 77 never arrived." in page
    assert "&lt;order-1@customer.test&gt;" in page
    raw = as_admin.get(reverse("adminui:mail_message_raw", kwargs={"pk": record.pk}))
    assert raw["Content-Type"] == "message/rfc822"
    assert raw["Content-Disposition"] == f'attachment; filename="message-{record.pk}.eml"'
    assert raw.content == RAW


def test_an_unparseable_message_shows_its_raw_start(as_admin):
    record = stored(Outcome.QUARANTINED, raw=b"   \r\n\r\n", reason="empty message")
    page = as_admin.get(reverse("adminui:mail_message", kwargs={"pk": record.pk})).content.decode()
    assert "It cannot be parsed (empty message)" in page


def test_retry_after_a_fix_opens_the_ticket_and_links_it(as_admin, mailbox):
    with override_settings(MAIL_MAX_BYTES=50):
        ingest(RAW, mailbox=mailbox)
    record = InboundMessage.objects.get()
    retried = as_admin.post(
        reverse("adminui:mail_message_retry", kwargs={"pk": record.pk}), follow=True
    )
    ticket = Ticket.objects.get()
    page = retried.content.decode()
    assert f"Retried: new ticket {ticket.number}." in page
    assert f'<a href="/agent/tickets/{ticket.number}/">Open ticket {ticket.number}</a>' in page
    assert "Nothing in quarantine." in page
    assert ticket.group == mailbox.group
    again = as_admin.post(reverse("adminui:mail_message_retry", kwargs={"pk": record.pk}))
    assert flash(again)[-1] == "That message is no longer in quarantine."
    assert Ticket.objects.count() == 1


def test_releasing_suspended_mail_makes_the_ticket(client, alice, mailbox):
    record = stored(Outcome.SUSPENDED, raw=RAW, mailbox=mailbox, subject="Café order missing")
    client.force_login(alice)
    listed = client.get(reverse("adminui:mail_suspended")).content.decode()
    assert "Café order missing" in listed and "spam flag set by the mail server" in listed
    released = client.post(
        reverse("adminui:mail_message_release", kwargs={"pk": record.pk}), follow=True
    )
    ticket = Ticket.objects.get()
    assert ticket.subject == "Café order missing"
    assert f"Released: new ticket {ticket.number}." in released.content.decode()
    assert "No suspended mail." in released.content.decode()
    record.refresh_from_db()
    assert (record.outcome, record.ticket_id) == (Outcome.NEW_TICKET, ticket.number)


def test_deleting_takes_a_message_off_its_list(client, alice, admin, mailbox):
    spam = stored(Outcome.SUSPENDED, mailbox=mailbox)
    broken = stored(Outcome.QUARANTINED, mailbox=mailbox)
    client.force_login(alice)
    gone = client.post(reverse("adminui:mail_message_delete", kwargs={"pk": spam.pk}), follow=True)
    assert "Deleted the message from ann@example.org." in gone.content.decode()
    assert "No suspended mail." in gone.content.decode()
    # An agent cannot touch the quarantine; an admin can.
    assert (
        client.post(reverse("adminui:mail_message_delete", kwargs={"pk": broken.pk})).status_code
        == 404
    )
    client.force_login(admin)
    client.post(reverse("adminui:mail_message_delete", kwargs={"pk": broken.pk}))
    assert not InboundMessage.objects.filter(
        outcome__in=[Outcome.SUSPENDED, Outcome.QUARANTINED]
    ).exists()
    assert not Ticket.objects.exists()


def test_block_the_sender_or_the_sender_s_domain(client, alice, mailbox):
    record = stored(Outcome.SUSPENDED, mailbox=mailbox, sender="Promo@Spam-Deals.test")
    client.force_login(alice)
    url = reverse("adminui:mail_message_block", kwargs={"pk": record.pk})
    page = client.get(reverse("adminui:mail_suspended")).content.decode()
    assert "Block all of @spam-deals.test" in page
    blocked = client.post(url, {"scope": "address"})
    assert flash(blocked)[-1] == "Blocked promo@spam-deals.test: their next mail goes to Suspended."
    client.post(url, {"scope": "domain"})
    assert set(BlockedSender.objects.values_list("pattern", flat=True)) == {
        "promo@spam-deals.test",
        "@spam-deals.test",
    }
    assert BlockedSender.objects.get(pattern="@spam-deals.test").created_by == alice
    nobody = stored(Outcome.SUSPENDED, sender="")
    refused = client.post(reverse("adminui:mail_message_block", kwargs={"pk": nobody.pk}))
    assert flash(refused)[-1] == "This message has no sender address to block."
    assert BlockedSender.objects.count() == 2


def test_the_block_list_adds_valid_patterns_and_removes_them(as_admin, admin):
    url = reverse("adminui:mail_blocked")
    for bad in ("nobody", "@", "a@b@c.test", "@exa mple.com", ""):
        response = as_admin.post(url, {"pattern": bad})
        assert response.status_code == 400, bad
    assert not BlockedSender.objects.exists()
    added = as_admin.post(url, {"pattern": "  Pest@Example.org "}, follow=True)
    assert "Blocked pest@example.org." in added.content.decode()
    as_admin.post(url, {"pattern": "@spam.test"})
    page = as_admin.get(url).content.decode()
    assert "pest@example.org" in page and "@spam.test" in page
    assert "every sender of the domain" in page
    removed = as_admin.post(reverse("adminui:mail_blocked_remove"), {"pattern": "@spam.test"})
    assert flash(removed)[-1] == "Removed @spam.test from the block list."
    assert list(BlockedSender.objects.values_list("pattern", flat=True)) == ["pest@example.org"]
    unknown = as_admin.post(reverse("adminui:mail_blocked_remove"), {"pattern": "@spam.test"})
    assert flash(unknown)[-1] == "@spam.test is not on the block list."
