"""GET /api/v1/tickets?q=: ranked full-text search, visibility and offset cursors."""

from __future__ import annotations

from supportdesk.tickets.services import create_ticket, reply
from supportdesk.tickets.structure import trash_ticket


def _numbers(answer):  # type: ignore[no-untyped-def]
    assert answer.status_code == 200, answer.json()
    return [t["number"] for t in answer.json()["items"]]


def test_agent_search_ranks_subject_matches_first_and_skips_trash(as_user, alice, carol):
    body_only = create_ticket(by=carol, requester=carol, subject="Hello", body="the invoice")
    in_subject = create_ticket(by=carol, requester=carol, subject="Invoice wrong", body="x")
    trashed = create_ticket(by=carol, requester=carol, subject="Invoice old", body="x")
    trash_ticket(trashed, by=alice)
    found = _numbers(as_user(alice).get("/tickets", q="invoice"))
    assert found == [in_subject.pk, body_only.pk]
    assert _numbers(as_user(alice).get("/tickets", q="invoice", trashed="true")) == [trashed.pk]


def test_customer_search_never_matches_internal_notes_or_others_tickets(
    as_user, alice, carol, erin
):
    own = create_ticket(by=carol, requester=carol, subject="Login trouble", body="cannot log in")
    reply(own, author=alice, body="suspected fraudster zebra", public=False)
    create_ticket(by=erin, requester=erin, subject="Login trouble too", body="same")
    assert _numbers(as_user(carol).get("/tickets", q="login")) == [own.pk]
    assert _numbers(as_user(carol).get("/tickets", q="zebra")) == []
    assert _numbers(as_user(alice).get("/tickets", q="zebra")) == [own.pk]


def test_search_with_filters_searches_within_them(as_user, alice, carol, erin):
    create_ticket(by=carol, requester=carol, subject="Refund please", body="x")
    theirs = create_ticket(by=erin, requester=erin, subject="Refund too", body="x")
    found = _numbers(as_user(alice).get("/tickets", q="refund", requester=erin.email))
    assert found == [theirs.pk]


def test_search_pages_by_offset_cursor_without_repeats(as_user, alice, carol):
    made = {
        create_ticket(by=carol, requester=carol, subject=f"Printer jam {i}", body="x").pk
        for i in range(7)
    }
    api = as_user(alice)
    seen: list[int] = []
    cursor = None
    for _ in range(5):
        params = {"q": "printer", "limit": 3, **({"cursor": cursor} if cursor else {})}
        answer = api.get("/tickets", **params)
        seen += _numbers(answer)
        cursor = answer.json()["next"]
        if cursor is None:
            break
    assert cursor is None
    assert len(seen) == len(set(seen)) == 7 and set(seen) == made
    # A keyset cursor of the plain list is not an offset cursor.
    keyset = api.get("/tickets", limit=1).json()["next"]
    assert api.get("/tickets", q="printer", cursor=keyset).status_code == 400


def test_search_query_count_is_fixed(as_user, alice, carol, erin, django_assert_max_num_queries):
    for i in range(20):
        ticket = create_ticket(by=carol, requester=carol, subject=f"Modem {i}", body="x")
        reply(ticket, author=alice, body="answer")
    api = as_user(alice)
    api.get("/tickets", q="modem")
    # token, search, tickets, cc, followers
    with django_assert_max_num_queries(5):
        assert len(_numbers(api.get("/tickets", q="modem", limit=50))) == 20


def test_query_without_words_is_an_empty_result(as_user, alice, carol):
    create_ticket(by=carol, requester=carol, subject="Anything", body="x")
    assert _numbers(as_user(alice).get("/tickets", q="!!! ---")) == []


def test_filters_typed_into_q_narrow_the_search(as_user, alice, carol, billing):
    from supportdesk.tickets.services import create_ticket, update_ticket

    billed = create_ticket(by=carol, requester=carol, subject="Printer invoice", body="x")
    other = create_ticket(by=carol, requester=carol, subject="Printer jam", body="y")
    update_ticket(
        billed, by=alice, changes={"group": billing, "assignee": alice, "tags": ["refund"]}
    )
    client = as_user(alice)
    found = client.get("/tickets", q='printer group:"Billing" tag:refund').json()
    assert [t["number"] for t in found["items"]] == [billed.number]
    only_filters = client.get("/tickets", q="status:new").json()
    assert [t["number"] for t in only_filters["items"]] == [other.number]
    assert client.get("/tickets", q="status:bogus printer").status_code == 422
    assert client.get("/tickets", q="group:Nope").status_code == 400
    explicit = client.get("/tickets", q="status:open printer", status="new").json()
    assert [t["number"] for t in explicit["items"]] == [other.number]
