"""Agents' notifications: which events cause which kind, preferences and the digest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail

from supportdesk.accounts.services import update_user
from supportdesk.notify import kinds
from supportdesk.notify.digest import send_digest, send_due_digests
from supportdesk.notify.models import DigestItem, Notification, OutgoingEmail
from supportdesk.notify.notifications import Delivery, notify_agents, save_preferences
from supportdesk.notify.services import muted
from supportdesk.tickets.services import create_ticket, reply, update_ticket


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run the on-commit work (subscribers, jobs) of the block, as a real commit would."""
    mail.outbox.clear()
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _notes(user, kind=None):  # type: ignore[no-untyped-def]
    qs = Notification.objects.filter(user=user)
    return list(qs.filter(kind=kind) if kind else qs)


def _mail_to(address):  # type: ignore[no-untyped-def]
    return [m for m in mail.outbox if address in m.to]


def test_assigning_notifies_the_new_assignee_but_not_when_taking_it_yourself(
    alice, bob, carol_ticket, on_commit
):
    with on_commit():
        update_ticket(carol_ticket, by=alice, changes={"assignee": bob})
    [note] = _notes(bob, kinds.ASSIGNED)
    assert note.actor == alice and note.ticket_id == carol_ticket.pk
    assert note.text == f"Alice Agent assigned you #{carol_ticket.pk} Invoice 1042 charged twice"
    [msg] = _mail_to("bob@example.test")
    assert msg.subject == f"[#{carol_ticket.pk}] Assigned to you: Invoice 1042 charged twice"
    assert f"/agent/tickets/{carol_ticket.pk}/" in msg.body
    with on_commit():
        update_ticket(carol_ticket, by=alice, changes={"assignee": alice})
    assert _notes(alice) == [] and _mail_to("alice@example.test") == []
    with on_commit():
        update_ticket(carol_ticket, by=alice, changes={"assignee": None})
    assert Notification.objects.count() == 1
    with on_commit():
        update_ticket(carol_ticket, by=None, changes={"assignee": bob})
    [_, by_system] = _notes(bob, kinds.ASSIGNED)
    assert by_system.actor is None and by_system.text.startswith(f"#{carol_ticket.pk} was assigned")


def test_customer_reply_notifies_the_assignee_but_a_new_ticket_does_not(
    alice, bob, carol, on_commit
):
    with on_commit():
        ticket = create_ticket(
            by=alice, requester=carol, subject="Login", body="Help", properties={"assignee": bob}
        )
    assert [n.kind for n in _notes(bob)] == [kinds.ASSIGNED]  # not customer_replied
    with on_commit():
        reply(ticket, author=alice, body="Try resetting it.")
    assert _notes(bob, kinds.CUSTOMER_REPLIED) == []  # an agent's reply is no news
    with on_commit():
        reply(ticket, author=carol, body="Still broken.")
    [note] = _notes(bob, kinds.CUSTOMER_REPLIED)
    assert note.actor == carol and note.text == f"Carol Customer replied on #{ticket.pk} Login"
    assert any("Still broken." in m.body for m in _mail_to("bob@example.test"))
    assert _notes(alice) == []


def test_mention_notifies_the_agent_once_even_when_following(
    alice, bob, lena, carol_ticket, on_commit
):
    with on_commit():
        update_ticket(carol_ticket, by=alice, changes={"followers": [bob, lena]})
    with on_commit():
        reply(
            carol_ticket,
            author=alice,
            body="@bob @alice look",
            public=False,
            metadata={"mentions": [bob.pk, alice.pk]},
        )
    assert [n.kind for n in _notes(bob)] == [kinds.MENTIONED]
    assert [n.kind for n in _notes(lena)] == [kinds.FOLLOWED_CHANGED]
    assert _notes(alice) == []  # never told of one's own note
    [to_bob] = _mail_to("bob@example.test")
    assert "mentioned you" in to_bob.subject
    [to_lena] = _mail_to("lena@example.test")
    assert to_lena.subject.startswith(f"[#{carol_ticket.pk}] New internal note")


def test_followers_hear_of_replies_and_notes_except_their_own(
    alice, bob, carol, carol_ticket, on_commit
):
    with on_commit():
        update_ticket(carol_ticket, by=alice, changes={"followers": [alice, bob]})
    with on_commit():
        reply(carol_ticket, author=bob, body="Looking", public=False)
    assert [n.text for n in _notes(alice)] == [
        f"Bob Agent added a note on #{carol_ticket.pk} Invoice 1042 charged twice"
    ]
    assert _notes(bob) == []
    with on_commit():
        reply(carol_ticket, author=carol, body="Any news?")
    assert len(_notes(bob, kinds.FOLLOWED_CHANGED)) == 1


def test_email_only_preference_sends_mail_and_keeps_no_row(alice, bob, carol_ticket, on_commit):
    save_preferences(
        bob, choices={kinds.ASSIGNED: Delivery(in_app=False, email=True, digest=False)}
    )
    with on_commit():
        update_ticket(carol_ticket, by=alice, changes={"assignee": bob})
    assert _notes(bob) == []
    assert len(_mail_to("bob@example.test")) == 1


def test_in_app_only_preference_keeps_a_row_and_sends_no_mail(alice, bob, carol_ticket, on_commit):
    save_preferences(
        bob, choices={kinds.ASSIGNED: Delivery(in_app=True, email=False, digest=False)}
    )
    with on_commit():
        update_ticket(carol_ticket, by=alice, changes={"assignee": bob})
    assert len(_notes(bob)) == 1
    assert _mail_to("bob@example.test") == []


def test_digest_waits_for_the_daily_mail_even_with_in_app_off(
    alice, bob, carol, carol_ticket, on_commit
):
    digest_only = Delivery(in_app=False, email=True, digest=True)
    save_preferences(
        bob, choices={kinds.ASSIGNED: digest_only, kinds.CUSTOMER_REPLIED: digest_only}
    )
    with on_commit():
        update_ticket(carol_ticket, by=alice, changes={"assignee": bob})
    with on_commit():
        reply(carol_ticket, author=carol, body="Hello?")
    assert _notes(bob) == [] and _mail_to("bob@example.test") == []
    assert DigestItem.objects.filter(user=bob, sent_at=None).count() == 2
    with on_commit():
        assert send_digest(bob) is True
    [digest] = _mail_to("bob@example.test")
    assert digest.subject == "Your daily digest: 2 notifications"
    assert f"Alice Agent assigned you #{carol_ticket.pk}" in digest.body
    assert f"Carol Customer replied on #{carol_ticket.pk}" in digest.body
    assert OutgoingEmail.objects.get(kind="digest").to == ["bob@example.test"]
    with on_commit():
        assert send_digest(bob) is False  # each item goes out once
    assert len(_mail_to("bob@example.test")) == 1


def test_digest_goes_out_at_eight_in_the_agents_time_zone(alice, bob, carol_ticket, on_commit):
    save_preferences(bob, choices={kinds.ASSIGNED: Delivery(in_app=True, email=True, digest=True)})
    update_user(bob, by=bob, time_zone="America/New_York")
    with on_commit():
        update_ticket(carol_ticket, by=alice, changes={"assignee": bob})
    assert len(_notes(bob)) == 1 and _mail_to("bob@example.test") == []
    with on_commit():
        assert send_due_digests(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)) == 0  # 3:00 there
    with on_commit():
        assert send_due_digests(datetime(2026, 3, 2, 13, 0, tzinfo=UTC)) == 1  # 8:00 there
    [digest] = _mail_to("bob@example.test")
    assert "Your daily digest: 1 notification" == digest.subject


def test_preferences_reject_a_digest_without_email(bob):
    from supportdesk.lib.errors import DomainError

    with pytest.raises(DomainError, match="tick E-mail"):
        save_preferences(
            bob, choices={kinds.MENTIONED: Delivery(in_app=True, email=False, digest=True)}
        )


def test_customers_inactive_people_and_the_actor_are_never_notified(
    admin, alice, bob, carol, carol_ticket
):
    update_user(bob, by=admin, is_active=False)
    made = notify_agents(
        kinds.MENTIONED,
        users=[alice, bob, carol],
        ticket=carol_ticket,
        text="x",
        actor=alice,
        email_subject="s",
        email_body="b",
    )
    assert made == [] and Notification.objects.count() == 0 and mail.outbox == []


def test_customer_mail_ignores_agent_preferences_and_muted_sends_nothing(
    alice, bob, carol, carol_ticket, on_commit
):
    off = Delivery(in_app=False, email=False, digest=False)
    save_preferences(bob, choices={k: off for k in kinds.KINDS})
    with on_commit():
        update_ticket(carol_ticket, by=alice, changes={"followers": [bob]})
    with on_commit():
        reply(carol_ticket, author=alice, body="We refunded it.")
    assert [m.subject for m in mail.outbox] == [f"[#{carol_ticket.pk}] Re: {carol_ticket.subject}"]
    assert Notification.objects.count() == 0
    with muted(), on_commit():
        update_ticket(carol_ticket, by=alice, changes={"assignee": alice})
        update_ticket(carol_ticket, by=bob, changes={"assignee": alice})
    assert Notification.objects.count() == 0


def test_notification_ids_increase_for_the_live_tail(alice, bob, carol_ticket, on_commit):
    for _ in range(3):
        with on_commit():
            reply(
                carol_ticket,
                author=alice,
                body="@bob",
                public=False,
                metadata={"mentions": [bob.pk]},
            )
    ids = [n.pk for n in Notification.objects.filter(user=bob).order_by("created_at", "id")]
    assert ids == sorted(ids) and len(ids) == 3
