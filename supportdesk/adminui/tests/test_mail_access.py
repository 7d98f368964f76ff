"""Who may open the e-mail admin pages (admins; agents also the suspended mail; light
agents 403, customers 404, visitors the login), CSRF on every action, empty states, a
hostile subject shown escaped, the badge in the navigation, and fixed query counts."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from supportdesk.mail.models import BlockedSender, InboundMessage, Mailbox, Outcome
from supportdesk.notify.models import MailStatus, OutgoingEmail

HOSTILE = '<script>alert("x")</script>'
_keys = itertools.count()


def stored(outcome: str, **fields: Any) -> InboundMessage:
    """A stored message as ingest leaves it (test data, not a code path of ours)."""
    values = {
        "key": f"<k{next(_keys)}@test>",
        "raw": b"From: ann@example.org\r\nSubject: Hi\r\n\r\nHello\r\n",
        "sender": "ann@example.org",
        "subject": "Hi",
        "reason": "spam flag set by the mail server" if outcome == Outcome.SUSPENDED else "boom",
        **fields,
    }
    return InboundMessage.objects.create(outcome=outcome, **values)


def failed(**fields: Any) -> OutgoingEmail:
    values = {
        "kind": "reply",
        "to": ["ann@example.org"],
        "subject": "Re: Hi",
        "body": "b",
        "status": MailStatus.FAILED,
        "attempts": 5,
        "last_error": "SMTPServerDisconnected: Connection unexpectedly closed",
    }
    return OutgoingEmail.objects.create(**{**values, **fields})


@pytest.fixture(autouse=True)
def fresh_badge() -> None:
    cache.clear()


@pytest.fixture
def world(db) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    mailbox = Mailbox.objects.create(address="support@example.com", name="Support")
    return {
        "mailbox": mailbox,
        "quarantined": stored(Outcome.QUARANTINED, mailbox=mailbox),
        "suspended": stored(Outcome.SUSPENDED, mailbox=mailbox),
        "failed": failed(),
    }


def admin_pages(world: dict[str, Any]) -> list[str]:
    pk = world["mailbox"].pk
    return [
        reverse("adminui:mailboxes"),
        reverse("adminui:mailbox_new"),
        reverse("adminui:mailbox", kwargs={"pk": pk}),
        reverse("adminui:mailbox_delete", kwargs={"pk": pk}),
        reverse("adminui:mail_quarantine"),
        reverse("adminui:mail_message", kwargs={"pk": world["quarantined"].pk}),
        reverse("adminui:mail_message_raw", kwargs={"pk": world["quarantined"].pk}),
        reverse("adminui:mail_blocked"),
        reverse("adminui:mail_templates"),
        reverse("adminui:mail_template", kwargs={"name": "acknowledgement"}),
        reverse("adminui:mail_failed"),
    ]


def agent_pages(world: dict[str, Any]) -> list[str]:
    pk = world["suspended"].pk
    return [
        reverse("adminui:mail_suspended"),
        reverse("adminui:mail_message", kwargs={"pk": pk}),
        reverse("adminui:mail_message_raw", kwargs={"pk": pk}),
    ]


def actions(world: dict[str, Any]) -> list[str]:
    mailbox, q, s = world["mailbox"].pk, world["quarantined"].pk, world["suspended"].pk
    return [
        reverse("adminui:mailbox_new"),
        reverse("adminui:mailbox", kwargs={"pk": mailbox}),
        reverse("adminui:mailbox_delete", kwargs={"pk": mailbox}),
        reverse("adminui:mailbox_secret", kwargs={"pk": mailbox}),
        reverse("adminui:mailbox_check", kwargs={"pk": mailbox, "kind": "imap"}),
        reverse("adminui:mail_message_retry", kwargs={"pk": q}),
        reverse("adminui:mail_message_delete", kwargs={"pk": q}),
        reverse("adminui:mail_message_release", kwargs={"pk": s}),
        reverse("adminui:mail_message_block", kwargs={"pk": s}),
        reverse("adminui:mail_blocked"),
        reverse("adminui:mail_blocked_remove"),
        reverse("adminui:mail_template", kwargs={"name": "acknowledgement"}),
        reverse("adminui:mail_failed_retry", kwargs={"pk": world["failed"].pk}),
    ]


def test_admins_open_every_page_under_the_e_mail_section(client, admin, world):
    client.force_login(admin)
    for url in admin_pages(world) + agent_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        if "/raw/" not in url:
            assert b'aria-label="Admin sections"' in response.content, url
            assert b'aria-label="E-mail"' in response.content, url


def test_agents_handle_suspended_mail_and_nothing_else(client, alice, world):
    client.force_login(alice)
    for url in agent_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'aria-label="Admin sections"' not in response.content, url
    for url in admin_pages(world):
        assert client.get(url).status_code in (403, 404), url
    # A quarantined message is not theirs to read, even by its number.
    quarantined = reverse("adminui:mail_message", kwargs={"pk": world["quarantined"].pk})
    assert client.get(quarantined).status_code == 404
    assert client.get(reverse("adminui:mail_quarantine")).status_code == 403
    # The rail shows them the way in.
    assert b"Suspended mail</a>" in client.get("/agent/views/open/").content


def test_light_agents_get_403_customers_404_and_visitors_the_login(client, lena, carol, world):
    for url in admin_pages(world) + agent_pages(world):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    client.force_login(lena)
    for url in agent_pages(world):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Agents and admins only" in response.content
    assert b"Suspended mail</a>" not in client.get("/agent/views/open/").content
    client.force_login(carol)
    for url in admin_pages(world) + agent_pages(world):
        assert client.get(url).status_code == 404, url


def test_every_action_needs_the_csrf_token(admin, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    for url in actions(world):
        assert (
            client.post(url, {"pattern": "x@example.com", "scope": "address"}).status_code == 403
        ), url
    assert Mailbox.objects.count() == 1
    assert not BlockedSender.objects.exists()
    assert InboundMessage.objects.filter(outcome=Outcome.QUARANTINED).count() == 1
    assert OutgoingEmail.objects.get().status == MailStatus.FAILED


def test_actions_refuse_get(client, admin, world):
    client.force_login(admin)
    mailbox, q, s, f = (world[k].pk for k in ("mailbox", "quarantined", "suspended", "failed"))
    post_only = [
        reverse("adminui:mailbox_secret", kwargs={"pk": mailbox}),
        reverse("adminui:mailbox_check", kwargs={"pk": mailbox, "kind": "smtp"}),
        reverse("adminui:mail_message_retry", kwargs={"pk": q}),
        reverse("adminui:mail_message_delete", kwargs={"pk": q}),
        reverse("adminui:mail_message_release", kwargs={"pk": s}),
        reverse("adminui:mail_message_block", kwargs={"pk": s}),
        reverse("adminui:mail_blocked_remove"),
        reverse("adminui:mail_failed_retry", kwargs={"pk": f}),
    ]
    for url in post_only:
        assert client.get(url).status_code == 405, url


def test_empty_lists_say_so(client, admin):
    client.force_login(admin)
    expected = {
        "adminui:mailboxes": "No mailboxes yet.",
        "adminui:mail_quarantine": "Nothing in quarantine.",
        "adminui:mail_suspended": "No suspended mail.",
        "adminui:mail_blocked": "Nobody is blocked.",
        "adminui:mail_failed": "No failed mail.",
    }
    for name, text in expected.items():
        assert text in client.get(reverse(name)).content.decode(), name


def test_a_hostile_subject_sender_and_error_are_shown_escaped(client, admin, world):
    client.force_login(admin)
    q = stored(Outcome.QUARANTINED, subject=HOSTILE, sender=f"{HOSTILE}@x", reason=HOSTILE)
    s = stored(
        Outcome.SUSPENDED,
        subject=HOSTILE,
        raw=f"From: a@b.test\r\nSubject: {HOSTILE}\r\n\r\n{HOSTILE}\r\n".encode(),
    )
    failed(subject=HOSTILE, last_error=HOSTILE, to=[f"{HOSTILE}@x"])
    for url in (
        reverse("adminui:mail_quarantine"),
        reverse("adminui:mail_suspended"),
        reverse("adminui:mail_message", kwargs={"pk": q.pk}),
        reverse("adminui:mail_message", kwargs={"pk": s.pk}),
        reverse("adminui:mail_failed"),
    ):
        page = client.get(url).content.decode()
        assert HOSTILE not in page, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page, url


def test_the_navigation_counts_quarantined_and_failed_mail(client, admin, world):
    client.force_login(admin)
    failed()
    page = client.get(reverse("adminui:index")).content.decode()
    assert '<span class="nav-badge" title="1 quarantined, 2 failed to send">3' in page
    assert '1 <span class="small muted">quarantined</span> · 2' in page


@pytest.mark.parametrize(
    "name", ["mailboxes", "mail_quarantine", "mail_suspended", "mail_blocked", "mail_failed"]
)
def test_lists_of_50_make_a_fixed_number_of_queries(
    client, admin, billing, name, django_assert_max_num_queries
):
    for i in range(50):
        mailbox = Mailbox.objects.create(address=f"box{i}@example.com", name=f"B{i}", group=billing)
        stored(Outcome.QUARANTINED, mailbox=mailbox)
        stored(Outcome.SUSPENDED, mailbox=mailbox)
        stored(Outcome.NEW_TICKET, mailbox=mailbox)
        BlockedSender.objects.create(pattern=f"@spam{i}.test", created_by=admin)
        failed(ticket=None)
    client.force_login(admin)
    # Session, user, the rail, the two badge counts and the page's own reads.
    with django_assert_max_num_queries(12):
        response = client.get(reverse(f"adminui:{name}"))
    assert response.status_code == 200
    assert response.content.count(b"<tr") >= 51
