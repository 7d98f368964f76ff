"""Pages show times in the signed-in agent's own time zone (their profile)."""

from __future__ import annotations

from datetime import UTC, datetime

from supportdesk.tickets.models import Message
from supportdesk.tickets.services import create_ticket

WRITTEN = datetime(2026, 3, 2, 13, 5, tzinfo=UTC)  # 22:05 in Tokyo, 08:05 in New York


def _page_of(client, agent, carol, zone):  # type: ignore[no-untyped-def]
    agent.time_zone = zone
    agent.save(update_fields=["time_zone"])
    ticket = create_ticket(by=carol, requester=carol, subject="Printer on fire", body="Help")
    Message.objects.filter(ticket=ticket).update(created_at=WRITTEN)
    client.force_login(agent)
    return client.get(f"/agent/tickets/{ticket.number}/").content.decode()


def test_message_times_are_in_the_agents_zone(client, alice, carol):  # type: ignore[no-untyped-def]
    assert "Mar 2, 22:05" in _page_of(client, alice, carol, "Asia/Tokyo")


def test_no_zone_is_the_sites_and_a_bad_one_breaks_nothing(client, alice, carol):  # type: ignore[no-untyped-def]
    assert "Mar 2, 13:05" in _page_of(client, alice, carol, "")
    assert "Mar 2, 13:05" in _page_of(client, alice, carol, "Mars/Olympus_Mons")
