"""The condition language: saved conditions are checked, and the database filter and the
Python predicate agree on random conditions and tickets (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.conditions.compile import matches, to_q
from supportdesk.conditions.fields import OPERATORS, PYTHON_ONLY, REGISTRY
from supportdesk.conditions.validate import ConditionError, validate
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import create_ticket, reply, update_ticket

WORDS = ["invoice", "refund", "login", "Printer", "", "acme", "x"]
TAGS = ["vip", "refund", "outage", "billing"]
FIELDS = [
    "status",
    "priority",
    "type",
    "channel",
    "group",
    "assignee",
    "organization",
    "subject",
    "requester_email",
    "language",
    "tags",
    "body",
    "created_hours_ago",
]


@pytest.fixture
def tickets(carol, erin, alice, billing):  # type: ignore[no-untyped-def]
    made = []
    specs = [
        (carol, "Refund for invoice 7", {"tags": ["refund", "vip"], "priority": "high"}),
        (erin, "Cannot login", {"group": billing, "assignee": alice}),
        (carol, "Printer on fire", {"tags": ["outage"], "type": "incident"}),
        (erin, "acme invoice copy", {"priority": "urgent", "tags": ["billing"]}),
        (carol, "Question", {}),
    ]
    now = timezone.now()
    for i, (who, subject, props) in enumerate(specs):
        t = create_ticket(by=None, requester=who, subject=subject, body=f"Body {subject}")
        if props:
            update_ticket(t, by=alice, changes=props)
        Ticket.objects.filter(pk=t.pk).update(created_at=now - timedelta(hours=i * 5, minutes=30))
        made.append(t.pk)
    reply(Ticket.objects.get(pk=made[4]), author=alice, body="Try the refund form", public=False)
    return made


def _value(field_name: str, operator: str, ids: dict[str, list[int]]):  # type: ignore[no-untyped-def]
    field = REGISTRY[field_name]
    if operator == "is_empty":
        return st.none()
    if field.kind == "tags":
        return st.lists(st.sampled_from(TAGS), min_size=1, max_size=3)
    if field.hours_ago:
        return st.integers(0, 30)
    if field.kind == "choice":
        one = st.sampled_from(field.choices)
    elif field.kind == "ref":
        one = st.sampled_from(ids[field_name])
    else:
        one = st.sampled_from(WORDS + ["carol@acme.test", "erin@globex.test"])
    if operator in ("includes_any", "includes_none"):
        return st.lists(one, min_size=1, max_size=3)
    return one


@st.composite
def condition(draw, ids):  # type: ignore[no-untyped-def]
    name = draw(st.sampled_from(FIELDS))
    operator = draw(st.sampled_from(sorted(OPERATORS[REGISTRY[name].kind] - PYTHON_ONLY)))
    return {"field": name, "operator": operator, "value": draw(_value(name, operator, ids))}


def _ids(alice, billing, org_acme):  # type: ignore[no-untyped-def]
    return {"assignee": [alice.pk], "group": [billing.pk], "organization": [org_acme.pk]}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_database_filter_and_python_predicate_agree(data, tickets, alice, billing, org_acme):
    ids = _ids(alice, billing, org_acme)
    raw = {
        "all": data.draw(st.lists(condition(ids), max_size=3)),
        "any": data.draw(st.lists(condition(ids), max_size=2)),
    }
    conditions = validate(raw, context="filter")
    now = timezone.now()
    in_db = set(Ticket.objects.filter(to_q(conditions, now=now)).values_list("pk", flat=True))
    in_python = {
        t.pk for t in Ticket.objects.filter(pk__in=tickets) if matches(t, conditions, now=now)
    }
    assert in_db == in_python, conditions


def test_examples_from_the_design(tickets):
    conditions = validate(
        {
            "all": [
                {"field": "priority", "operator": "is", "value": "urgent"},
                {"field": "tags", "operator": "includes_any", "value": ["outage", "billing"]},
            ],
            "any": [{"field": "requester_email", "operator": "contains", "value": "@globex"}],
        },
        context="filter",
    )
    assert list(Ticket.objects.filter(to_q(conditions)).values_list("pk", flat=True)) == [
        tickets[3]
    ]


def test_event_operators_and_regex_run_in_python_only(tickets):
    rule = validate(
        {
            "all": [
                {"field": "priority", "operator": "changed_to", "value": "urgent"},
                {"field": "subject", "operator": "matches", "value": r"^acme\s+inv"},
            ]
        },
        context="event",
    )
    ticket = Ticket.objects.get(pk=tickets[3])
    assert matches(ticket, rule, changes={"priority": ("normal", "urgent")})
    assert not matches(ticket, rule, changes={"status": ("new", "open")})
    with pytest.raises(ConditionError, match="cannot select tickets"):
        validate(
            {"all": [{"field": "subject", "operator": "matches", "value": "a"}]}, context="filter"
        )
    with pytest.raises(ConditionError, match="operators"):
        validate(
            {"all": [{"field": "priority", "operator": "changed", "value": None}]}, context="policy"
        )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"all": [{"field": "colour", "operator": "is", "value": "red"}]}, "unknown field"),
        ({"all": [{"field": "status", "operator": "above", "value": "open"}]}, "operators"),
        ({"all": [{"field": "status", "operator": "is", "value": "closing"}]}, "one of"),
        ({"all": [{"field": "tags", "operator": "includes_any", "value": []}]}, "non-empty"),
        ({"all": [{"field": "subject", "operator": "matches", "value": "("}]}, "regular"),
        (
            {"all": [{"field": "created_hours_ago", "operator": "less_than", "value": "2"}]},
            "number",
        ),
        ({"all": [], "some": []}, "all"),
        ({"all": [{"field": "group", "operator": "is", "value": "Billing"}]}, "an id"),
        ({"all": [{"field": "group", "operator": "is", "value": 999_999}]}, "no group"),
    ],
)
def test_bad_conditions_are_refused_when_saved(db, bad, message):  # type: ignore[no-untyped-def]
    with pytest.raises(ConditionError, match=message):
        validate(bad, context="event")


def test_body_matches_any_message_including_notes(tickets):
    rule = validate(
        {"all": [{"field": "body", "operator": "matches", "value": r"refund\s+form"}]},
        context="policy",
    )
    assert [pk for pk in tickets if matches(Ticket.objects.get(pk=pk), rule)] == [tickets[4]]


def test_hours_ago_is_bounded_so_no_query_overflows(db):
    with pytest.raises(ConditionError, match="between 0 and"):
        validate(
            {"all": [{"field": "created_hours_ago", "operator": "greater_than", "value": 1e12}]},
            context="filter",
        )
