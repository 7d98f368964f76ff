"""The agent's notification pages: list, open, mark all read, bell, preferences."""

from __future__ import annotations

import re

import pytest

from supportdesk.notify import kinds
from supportdesk.notify.models import Notification, NotificationPreference
from supportdesk.notify.notifications import notify_agents

LIST = "/agent/notifications/"
OPEN = re.compile(r'href="/agent/notifications/\d+/open/"')
PREFS = "/agent/notifications/preferences/"
BELL = "/agent/notifications/bell/"


def _notify(user, ticket, n=1, text="Carol replied"):  # type: ignore[no-untyped-def]
    for i in range(n):
        notify_agents(
            kinds.CUSTOMER_REPLIED,
            users=[user],
            ticket=ticket,
            text=f"{text} {i}",
            email_subject="s",
            email_body="b",
        )
    return list(Notification.objects.filter(user=user).order_by("id"))


def test_list_shows_newest_first_with_unread_marked(client, bob, carol_ticket):
    first, second = _notify(bob, carol_ticket, 2)
    first.read_at = first.created_at
    first.save(update_fields=["read_at"])
    client.force_login(bob)
    page = client.get(LIST).content.decode()
    assert page.index("Carol replied 1") < page.index("Carol replied 0")
    assert page.count('class="unread"') == 1 and page.count('class="read"') == 1
    assert f'href="/agent/notifications/{second.pk}/open/"' in page
    assert 'href="/agent/notifications/preferences/"' in page
    assert 'id="bell"' in page and ">1</span>" in page


def test_list_pages_by_cursor_with_a_fixed_number_of_queries(
    client, bob, carol_ticket, django_assert_max_num_queries
):
    _notify(bob, carol_ticket, 3)
    client.force_login(bob)
    client.get(LIST)  # warm the rail's cache, like any visit after the first
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    _notify(bob, carol_ticket, 40, text="More")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(LIST)
    assert len(OPEN.findall(page.content.decode())) == 30
    cursor = page.context["next_cursor"]
    older = client.get(LIST, {"cursor": cursor}).content.decode()
    assert len(OPEN.findall(older)) == 13 and "Carol replied 0" in older
    bad = client.get(LIST, {"cursor": "nonsense!"})
    assert bad.status_code == 400 and b"not a cursor" in bad.content


def test_open_marks_read_and_goes_to_the_ticket_only_for_the_owner(
    client, alice, bob, carol_ticket
):
    [note] = _notify(bob, carol_ticket)
    client.force_login(alice)
    assert client.get(f"/agent/notifications/{note.pk}/open/").status_code == 404
    client.force_login(bob)
    response = client.get(f"/agent/notifications/{note.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == f"/agent/tickets/{carol_ticket.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_all_read_is_a_post_and_only_touches_mine(client, alice, bob, carol_ticket):
    _notify(bob, carol_ticket, 3)
    _notify(alice, carol_ticket, 1)
    client.force_login(bob)
    assert client.get("/agent/notifications/read-all/").status_code == 405
    response = client.post("/agent/notifications/read-all/", follow=True)
    assert b"3 notifications marked read." in response.content
    assert not Notification.objects.filter(user=bob, read_at=None).exists()
    assert Notification.objects.filter(user=alice, read_at=None).count() == 1


def test_bell_fragment_counts_unread_and_caps_at_99(
    client, bob, carol_ticket, django_assert_max_num_queries
):
    client.force_login(bob)
    empty = client.get(BELL).content.decode()
    assert 'id="bell"' in empty and "badge" not in empty
    _notify(bob, carol_ticket, 3)
    with django_assert_max_num_queries(3):  # session, user, count
        three = client.get(BELL).content.decode()
    assert ">3</span>" in three and "3 unread" in three and "<html" not in three
    Notification.objects.bulk_create(
        [Notification(user=bob, kind=kinds.MENTIONED, text="x") for _ in range(120)]
    )
    assert ">99+</span>" in client.get(BELL).content.decode()


def test_preferences_save_and_a_digest_without_email_is_refused(client, bob):
    client.force_login(bob)
    page = client.get(PREFS).content.decode()
    for kind in kinds.KINDS.values():
        assert kind.label in page
    assert 'name="mentioned__email" id="id_mentioned__email" checked' in page
    data = {"mentioned__in_app": "on", "assigned__in_app": "on", "assigned__email": "on"}
    data |= {"assigned__digest": "on", "customer_replied__digest": "on"}
    refused = client.post(PREFS, data)
    assert refused.status_code == 400 and b"tick E-mail too" in refused.content
    assert 'name="assigned__digest" id="id_assigned__digest" checked' in refused.content.decode()
    assert not NotificationPreference.objects.exists()
    del data["customer_replied__digest"]
    saved = client.post(PREFS, data, follow=True)
    assert b"preferences are saved" in saved.content
    prefs = {p.kind: (p.in_app, p.email, p.digest) for p in bob.notification_prefs.all()}
    # Kinds other apps register (SLA warnings...) were left unticked: off, too.
    unticked = {key: (False, False, False) for key in kinds.KINDS}
    assert prefs == unticked | {
        kinds.ASSIGNED: (True, True, True),
        kinds.MENTIONED: (True, False, False),
        kinds.CUSTOMER_REPLIED: (False, False, False),
        kinds.FOLLOWED_CHANGED: (False, False, False),
    }
    page = client.get(PREFS).content.decode()
    assert 'name="mentioned__email" id="id_mentioned__email" aria' in page  # unticked now


@pytest.mark.parametrize("url", [LIST, PREFS, BELL, "/agent/notifications/1/open/"])
def test_customers_are_sent_away_and_see_no_bell(client, carol, url):
    client.force_login(carol)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == "/"
    assert b'id="bell"' not in client.get("/requests/").content
    client.logout()
    assert "/login" in client.get(url)["Location"]
