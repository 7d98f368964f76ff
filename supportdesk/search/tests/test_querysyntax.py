"""Field filters in a search query."""

from __future__ import annotations

from supportdesk.search.querysyntax import parse


def test_filters_are_split_from_the_words():
    parsed = parse('status:open,pending tag:refund printer requester:"ann@acme.com" jam')
    assert parsed.text == "printer jam"
    assert parsed.filters == {
        "status": "open,pending",
        "tag": "refund",
        "requester": "ann@acme.com",
    }


def test_unknown_keys_empty_values_and_broken_quotes_stay_text():
    assert parse("http://x.test 10:30 colour:red").filters == {}
    assert parse("http://x.test 10:30 colour:red").text == "http://x.test 10:30 colour:red"
    assert parse("status: open").filters == {}
    broken = parse('group:"second line printer')
    assert broken.filters == {"group": "second"}
    assert broken.text == "line printer"


def test_quoted_group_names_and_case_of_keys():
    parsed = parse('Group:"Second line" Assignee:alice@example.test')
    assert parsed.filters == {"group": "Second line", "assignee": "alice@example.test"}
    assert parsed.text == ""
