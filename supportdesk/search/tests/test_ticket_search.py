"""Full-text ticket search on the engine in use (FTS5 on SQLite, tsvector on PostgreSQL)."""

from __future__ import annotations

import pytest

from supportdesk.search.backends import search_ticket_numbers
from supportdesk.search.indexer import reindex_all
from supportdesk.search.models import TicketDocument
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import create_ticket, reply, update_ticket


def find(query, *, user=None, public_only=False):  # type: ignore[no-untyped-def]
    within = Ticket.objects.visible_to(user) if user is not None else None
    return search_ticket_numbers(query, public_only=public_only, within=within, limit=20, offset=0)


@pytest.fixture
def tickets(carol, erin, alice):  # type: ignore[no-untyped-def]
    a = create_ticket(
        by=carol,
        requester=carol,
        subject="Refund for invoice 1042",
        body="I was charged twice for my subscription.",
    )
    b = create_ticket(
        by=erin,
        requester=erin,
        subject="Cannot log in",
        body="The password reset e-mail never arrives. Refund me if not fixed.",
    )
    c = create_ticket(
        by=erin,
        requester=erin,
        subject="Export my data",
        body="Please send a GDPR export of my account.",
    )
    reply(c, author=alice, body="Escalated to the zebrafish team", public=False)
    return a, b, c


def test_search_ranks_subject_matches_first_and_uses_prefixes_and_stems(tickets):
    a, b, c = tickets
    assert find("refund") == [a.pk, b.pk]
    assert find("refu") == [a.pk, b.pk]  # prefix on the last word
    assert find("charges") == [a.pk]  # stemming: charges ~ charged
    assert find("invoice refund") == [a.pk]  # every word must match
    assert find("nothing-like-this") == []


def test_when_no_ticket_holds_every_word_any_word_ranks(tickets, carol, erin):
    a, b, c = tickets
    assert sorted(find("refund zebrafish")) == [a.pk, b.pk, c.pk]  # ranked by the engine
    assert find("refund zebrafish", public_only=True) == [a.pk, b.pk]  # never a note
    assert find("refund zebrafish", user=carol, public_only=True) == [a.pk]
    assert find("invoice refund") == [a.pk]  # all words found: no others
    page_two = search_ticket_numbers("invoice refund", public_only=False, within=None,
                                     limit=1, offset=1)  # fmt: skip
    assert page_two == []  # past the last ticket with every word: not the any-word list


def test_internal_note_text_is_only_found_by_agents(tickets, erin):
    _, _, c = tickets
    assert find("zebrafish") == [c.pk]
    assert find("zebrafish", public_only=True) == []
    assert find("zebrafish", user=erin, public_only=True) == []


def test_search_is_scoped_to_what_the_user_may_see(tickets, carol, erin):
    a, b, _ = tickets
    assert find("refund", user=carol, public_only=True) == [a.pk]
    assert find("refund", user=erin, public_only=True) == [b.pk]


def test_query_syntax_in_user_input_is_inert(tickets):
    for hostile in ['"', "refund OR", "NEAR(a b)", "subject:refund", "*", "a' OR 1=1 --", "(("]:
        find(hostile)  # no error from the engine's query parser
    assert find("") == []


def test_index_follows_subject_changes_and_reindex_rebuilds(tickets, alice):
    a, _, _ = tickets
    update_ticket(a, by=alice, changes={"subject": "Duplicate payment"})
    assert find("duplicate") == [a.pk]
    TicketDocument.objects.all().delete()
    assert find("duplicate") == []
    assert reindex_all() == 3
    assert find("duplicate") == [a.pk]


def test_order_numbers_with_hyphens_are_found_by_their_parts(carol):
    ticket = create_ticket(
        by=carol, requester=carol, subject="Where is SO-732893?", body="Order INV-2024-0042"
    )
    assert find("732893") == [ticket.pk]
    assert find("SO-732893") == [ticket.pk]
    assert find("inv 2024 0042") == [ticket.pk]


def test_ranking_covers_the_newest_matches_within_what_the_user_sees(carol, erin, monkeypatch):
    from supportdesk.search import backends

    old = create_ticket(by=carol, requester=carol, subject="Printer jam", body="Paper stuck")
    newer = [
        create_ticket(by=erin, requester=erin, subject=f"Printer jam {i}", body="Paper")
        for i in range(3)
    ]
    monkeypatch.setattr(backends, "RANK_WINDOW", 2)
    assert sorted(find("printer")) == sorted(t.pk for t in newer[-2:])
    # The window is taken among Carol's own matches, so her older ticket is still found.
    assert find("printer", user=carol, public_only=True) == [old.pk]
