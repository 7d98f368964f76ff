"""/requests/: the customer's requests, their organization's when it shares, search over
them, pages of 25, and a fixed number of queries."""

from __future__ import annotations

import re

from supportdesk.tickets.services import create_ticket, reply, update_ticket


def _file(person, subject: str, body: str = "Details."):  # type: ignore[no-untyped-def]
    return create_ticket(by=person, requester=person, subject=subject, body=body)


def _numbers(content: bytes) -> list[int]:
    return [int(n) for n in re.findall(rb'<td class="num">(\d+)</td>', content)]


def test_an_empty_list_invites_a_first_request(client, carol):
    client.force_login(carol)
    page = client.get("/requests/")
    assert b"You have no requests yet." in page.content
    assert b'href="/requests/new/"' in page.content


def test_lists_own_and_cc_requests_latest_activity_first_in_customer_words(
    client, carol, dave, erin, alice
):
    first = _file(carol, "Printer jam")
    second = _file(carol, "Refund please")
    cc_me = _file(dave, "Shared with Carol")
    update_ticket(cc_me, by=alice, changes={"cc": [carol]})
    _file(dave, "Dave's own")
    _file(erin, "Globex matter")
    reply(first, author=alice, body="Which model is it?", status="pending")

    client.force_login(carol)
    page = client.get("/requests/")
    assert _numbers(page.content) == [first.pk, cc_me.pk, second.pk]
    text = page.content.decode()
    assert "Awaiting your reply" in text and "Awaiting our reply" in text
    assert "Dave&#x27;s own" not in text and "Globex" not in text
    assert 'class="scope"' not in text  # Acme does not share: no organization tab


def test_shared_organization_adds_a_tab_with_colleagues_requests(client, carol, dave, acme_shares):
    mine = _file(carol, "Carol's printer")
    theirs = _file(dave, "Dave's laptop")
    client.force_login(carol)
    assert _numbers(client.get("/requests/").content) == [mine.pk]
    org = client.get("/requests/?scope=org")
    assert _numbers(org.content) == [theirs.pk, mine.pk]
    assert b"Dave Customer" in org.content  # the requester column
    # An unknown scope is read as "mine", never as everything.
    assert _numbers(client.get("/requests/?scope=all").content) == [mine.pk]


def test_pages_of_25_follow_a_cursor_and_a_forged_cursor_is_a_clear_400(client, carol):
    numbers = [_file(carol, f"Request {i}").pk for i in range(27)]
    client.force_login(carol)
    first = client.get("/requests/")
    assert _numbers(first.content) == numbers[::-1][:25]
    next_url = re.search(rb'href="(/requests/\?cursor=[^"]+)" rel="next"', first.content)
    assert next_url
    second = client.get(next_url.group(1).decode().replace("&amp;", "&"))
    assert _numbers(second.content) == numbers[::-1][25:]
    assert b"First page" in second.content and b'rel="next"' not in second.content

    forged = client.get("/requests/?cursor=bm90LWpzb24")
    assert forged.status_code == 400
    assert b"out of date" in forged.content


def test_search_finds_only_own_requests_in_public_text(client, carol, erin, alice):
    mine = _file(carol, "Printer jam", "The tray squeaks loudly.")
    _file(erin, "Printer on fire", "The tray squeaks too.")
    other = _file(carol, "Invoice question")
    reply(other, author=alice, body="Customer mentioned squeaks on the phone", public=False)

    client.force_login(carol)
    found = client.get("/requests/?q=squeaks")
    assert _numbers(found.content) == [mine.pk]
    assert _numbers(client.get("/requests/?q=printer").content) == [mine.pk]
    none = client.get("/requests/?q=zzzunknown")
    assert b"No requests match" in none.content


def test_search_as_you_type_gets_only_the_results_part(client, carol):
    _file(carol, "Printer jam")
    client.force_login(carol)
    part = client.get("/requests/?q=printer", headers={"HX-Request": "true"})
    assert part.content.lstrip().startswith(b'<div id="results">')
    assert b"<html" not in part.content
    restore = client.get(
        "/requests/?q=printer",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert b"<html" in restore.content


def test_subjects_are_escaped(client, carol):
    _file(carol, "<script>alert(1)</script> broken")
    client.force_login(carol)
    page = client.get("/requests/")
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt; broken" in page.content


def test_the_list_takes_the_same_queries_for_3_and_30_requests(
    client, carol, alice, django_assert_max_num_queries
):
    for i in range(3):
        reply(_file(carol, f"Early {i}"), author=alice, body="Hello")
    client.force_login(carol)
    with django_assert_max_num_queries(5):
        small = client.get("/requests/")
    for i in range(27):
        reply(_file(carol, f"Later {i}"), author=alice, body="Hello")
    with django_assert_max_num_queries(5):
        big = client.get("/requests/")
    with django_assert_max_num_queries(5):
        client.get("/requests/?q=later")
    assert len(_numbers(small.content)) == 3 and len(_numbers(big.content)) == 25
