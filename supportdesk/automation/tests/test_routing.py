"""Agent routing: each strategy among the agents who are online, on shift and under
capacity; the events that say why; the sweep of waiting tickets; tickets returned when
their agent goes offline; the settings' validation.

Tickets are made with notifications and rules muted, so that the trigger engine does not
route them before the test does (one test checks that it does, on creation).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from supportdesk.accounts.models import Role, User
from supportdesk.accounts.services import save_group, update_user
from supportdesk.automation.models import AgentProfile, GroupRouting, Strategy
from supportdesk.automation.routing import (
    agent_went_offline,
    route,
    route_if_needed,
    route_waiting,
)
from supportdesk.automation.routing_settings import (
    save_agent_profile,
    save_group_routing,
)
from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.notify.services import muted
from supportdesk.sla.services import save_calendar, set_group_calendar
from supportdesk.tickets.models import EventKind, Status, Ticket, TicketEvent
from supportdesk.tickets.services import create_ticket, reply, update_ticket
from supportdesk.tickets.setup import save_custom_field
from supportdesk.tickets.structure import trash_ticket

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def online(*people: User) -> None:
    for person in people:
        update_user(person, by=person, availability="online")


def ticket_in(group: Any, requester: User, **properties: Any) -> Ticket:
    with muted():
        return create_ticket(
            by=None,
            requester=requester,
            subject="My invoice is wrong",
            body="Please look at invoice 1042.",
            properties={"group": group, **properties},
        )


def load(agent: User, group: Any, requester: User, n: int, **properties: Any) -> None:
    """Give `agent` n open tickets in `group`."""
    for _ in range(n):
        ticket_in(group, requester, assignee=agent, **properties)


def routing_texts(ticket: Ticket) -> list[str]:
    events = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.AUTOMATION).order_by("id")
    return [e.new["text"] for e in events]


def assignee_events(ticket: Ticket) -> list[tuple[Any, Any, str]]:
    events = TicketEvent.objects.filter(ticket=ticket, field="assignee").order_by("id")
    return [(e.old, e.new, e.rule) for e in events]


def routed(group: Any, admin: User, strategy: str, **settings: Any) -> None:
    save_group_routing(
        group,
        by=admin,
        strategy=strategy,
        skill_fields=settings.get("skill_fields", []),
        return_when_offline=settings.get("return_when_offline", False),
    )


@pytest.fixture
def charlie(admin: User, billing: Any) -> User:
    user = User.objects.create_user("charlie@example.test", "pw", role=Role.AGENT, name="Charlie")
    save_group(by=admin, group=billing, members=[*billing.members.all(), user])
    return user


# Least loaded ---------------------------------------------------------------------------


def test_least_loaded_picks_fewest_open_tickets_for_capacity_and_says_why(
    admin, alice, bob, billing, carol
):
    routed(billing, admin, Strategy.LEAST_LOADED)
    online(alice, bob)
    load(alice, billing, carol, 2)
    load(bob, billing, carol, 1)
    # Pending, solved and trashed tickets do not count against a capacity.
    load(bob, billing, carol, 2, status=Status.PENDING)
    trash_ticket(ticket_in(billing, carol, assignee=bob), by=admin)
    ticket = ticket_in(billing, carol)
    assert route(ticket) == bob
    ticket.refresh_from_db()
    assert ticket.assignee == bob and ticket.status == Status.OPEN
    assert routing_texts(ticket) == ["Routed to Bob Agent (least loaded: 1 open, no limit)"]
    assert assignee_events(ticket) == [(None, bob.pk, "routing")]

    # With different capacities the ratio decides: 2 of 10 is lighter than 2 of 3.
    save_agent_profile(alice, by=admin, capacity=10, skills=[])
    save_agent_profile(bob, by=admin, capacity=3, skills=[])
    second = ticket_in(billing, carol)
    assert route(second, rule="Route billing") == alice
    assert routing_texts(second) == ["Routed to Alice Agent (least loaded: 2 of 10 open)"]
    assert assignee_events(second) == [(None, alice.pk, "Route billing")]


# Availability, capacity, shift, roles ---------------------------------------------------


@pytest.mark.parametrize("strategy", [Strategy.ROUND_ROBIN, Strategy.LEAST_LOADED, Strategy.SKILLS])
def test_every_strategy_skips_away_offline_and_full_agents(
    strategy, admin, alice, bob, billing, carol, charlie
):
    routed(billing, admin, strategy)
    online(alice, bob, charlie)
    update_user(alice, by=alice, availability="away")
    save_agent_profile(charlie, by=admin, capacity=1, skills=[])
    load(charlie, billing, carol, 1)
    ticket = ticket_in(billing, carol)
    assert route(ticket) == bob

    update_user(bob, by=bob, availability="offline")
    nobody = ticket_in(billing, carol)
    assert route(nobody) is None
    assert Ticket.objects.get(pk=nobody.pk).assignee is None
    assert routing_texts(nobody) == [
        "No agent available in Billing: 1 offline, 1 away, 1 at capacity"
    ]


def test_capacity_zero_takes_nothing_and_a_full_group_waits(admin, alice, bob, billing, carol):
    routed(billing, admin, Strategy.LEAST_LOADED)
    online(alice, bob)
    save_agent_profile(alice, by=admin, capacity=0, skills=[])
    save_agent_profile(bob, by=admin, capacity=2, skills=[])
    assert [route(ticket_in(billing, carol)) for _ in range(2)] == [bob, bob]
    third = ticket_in(billing, carol)
    assert route(third) is None
    assert routing_texts(third) == ["No agent available in Billing: 2 at capacity"]


def _calendar(admin: User, name: str, days: list[str]) -> Any:
    return save_calendar(
        by=admin,
        name=name,
        timezone_name="UTC",
        hours={day: [["00:00", "24:00"]] for day in days},
    )


def test_a_group_off_shift_gets_no_agent_until_its_calendar_opens(
    admin, alice, bob, billing, technical, carol
):
    routed(billing, admin, Strategy.ROUND_ROBIN)
    routed(technical, admin, Strategy.ROUND_ROBIN)
    online(alice, bob)
    today = timezone.now().weekday()
    # Open only three days from now: closed today whatever the hour.
    closed = _calendar(admin, "Weekend crew", [DAYS[(today + 3) % 7]])
    set_group_calendar(billing, closed, by=admin)
    ticket = ticket_in(billing, carol)
    assert route(ticket) is None
    assert routing_texts(ticket) == [
        "No agent available in Billing: off shift now (calendar Weekend crew)"
    ]
    # Another group of the same agent, on shift by its own calendar, still routes to her.
    # Open today and tomorrow, so that midnight during the test changes nothing.
    open_now = _calendar(admin, "Today", [DAYS[today], DAYS[(today + 1) % 7]])
    set_group_calendar(technical, open_now, by=admin)
    assert route(ticket_in(technical, carol)) == alice

    set_group_calendar(billing, _calendar(admin, "All week", list(DAYS)), by=admin)
    assert route(ticket) == alice


def test_light_agents_and_deactivated_agents_are_never_routed(
    admin, alice, bob, lena, billing, carol
):
    routed(billing, admin, Strategy.LEAST_LOADED)
    save_group(by=admin, group=billing, members=[alice, bob, lena])
    online(alice, bob, lena)
    update_user(bob, by=admin, is_active=False)
    load(alice, billing, carol, 3)
    assert route(ticket_in(billing, carol)) == alice


# Round-robin -----------------------------------------------------------------------------


def test_round_robin_goes_in_id_order_wraps_around_and_skips_who_is_offline(
    admin, alice, bob, charlie, billing, carol
):
    routed(billing, admin, Strategy.ROUND_ROBIN)
    online(alice, bob, charlie)
    load(alice, billing, carol, 5)  # load does not matter to round-robin
    tickets = [ticket_in(billing, carol) for _ in range(4)]
    assert [route(t) for t in tickets] == [alice, bob, charlie, alice]
    assert routing_texts(tickets[0]) == ["Routed to Alice Agent (round-robin: next in turn)"]
    assert routing_texts(tickets[1]) == [
        "Routed to Bob Agent (round-robin: next in turn after Alice Agent)"
    ]
    assert routing_texts(tickets[3]) == [
        "Routed to Alice Agent (round-robin: next in turn after Charlie)"
    ]
    assert GroupRouting.objects.get(group=billing).last_assigned == alice

    update_user(bob, by=bob, availability="offline")
    assert route(ticket_in(billing, carol)) == charlie
    assert route(ticket_in(billing, carol)) == alice


def test_a_rule_may_ask_for_round_robin_in_a_manual_group(admin, alice, bob, billing, carol):
    online(alice, bob)
    ticket = ticket_in(billing, carol)
    assert route(ticket) is None  # manual: nobody, and nothing to say
    assert routing_texts(ticket) == []
    assert route(ticket, strategy=Strategy.ROUND_ROBIN, rule="Spread") == alice
    assert route(ticket_in(billing, carol), strategy=Strategy.ROUND_ROBIN) == bob
    assert GroupRouting.objects.get(group=billing).strategy == Strategy.MANUAL
    with pytest.raises(DomainError, match="strategy"):
        route(ticket, strategy="random")


# Skills -----------------------------------------------------------------------------------


@pytest.fixture
def product(admin: User) -> Any:
    return save_custom_field(
        by=admin, key="product", label="Product", type="dropdown", options=["Billing", "Mobile App"]
    )


def test_skills_come_from_language_tags_and_fields(
    admin, alice, bob, charlie, billing, carol, product
):
    routed(billing, admin, Strategy.SKILLS, skill_fields=["product"])
    online(alice, bob, charlie)
    save_agent_profile(alice, by=admin, capacity=None, skills=["language:en", "product:billing"])
    save_agent_profile(bob, by=admin, capacity=None, skills=["Language:DE", "product:mobile_app"])
    save_agent_profile(charlie, by=admin, capacity=None, skills=["language:de", "vip"])
    update_user(carol, by=carol, language="de")

    # "refund" is nobody's skill, so it is not needed.
    mobile = ticket_in(billing, carol, custom_fields={"product": "Mobile App"}, tags=["refund"])
    assert route(mobile) == bob
    assert routing_texts(mobile) == [
        "Routed to Bob Agent (skills language:de, product:mobile_app; least loaded: "
        "0 open, no limit)"
    ]
    assert route(ticket_in(billing, carol, tags=["vip"])) == charlie

    # Of the two German speakers, the less loaded one.
    load(charlie, billing, carol, 2)
    assert route(ticket_in(billing, carol)) == bob

    nobody = ticket_in(billing, carol, tags=["vip"], custom_fields={"product": "Billing"})
    assert route(nobody) is None
    assert routing_texts(nobody) == [
        "No agent available in Billing has the skills vip, language:de, product:billing "
        "(3 available agents lack them)"
    ]
    assert Ticket.objects.get(pk=nobody.pk).assignee is None


def test_a_regional_language_is_met_by_the_bare_language(admin, alice, bob, billing, carol):
    routed(billing, admin, Strategy.SKILLS)
    online(alice, bob)
    save_agent_profile(alice, by=admin, capacity=None, skills=["language:en"])
    save_agent_profile(bob, by=admin, capacity=None, skills=["language:pt"])
    update_user(carol, by=carol, language="pt-BR")
    ticket = ticket_in(billing, carol)
    assert route(ticket) == bob
    assert "skills language:pt-br;" in routing_texts(ticket)[0]


def test_without_language_skills_in_the_group_the_language_is_not_needed(
    admin, alice, bob, billing, carol
):
    routed(billing, admin, Strategy.SKILLS)
    online(alice)
    update_user(carol, by=carol, language="fi")
    ticket = ticket_in(billing, carol)
    assert route(ticket) == alice
    assert routing_texts(ticket) == [
        "Routed to Alice Agent (skills: none needed; least loaded: 0 open, no limit)"
    ]


# Who routes when ----------------------------------------------------------------------------


def test_nobody_available_is_said_once_however_often_the_sweep_retries(
    admin, alice, bob, billing, carol
):
    routed(billing, admin, Strategy.LEAST_LOADED)
    ticket = ticket_in(billing, carol)
    for _ in range(3):
        assert route_if_needed(ticket) is None
    assert routing_texts(ticket) == ["No agent available in Billing: 2 offline"]
    update_user(alice, by=alice, availability="away")
    route_if_needed(ticket)
    assert routing_texts(ticket)[-1] == "No agent available in Billing: 1 offline, 1 away"


def test_route_if_needed_leaves_assigned_solved_trashed_manual_and_groupless_tickets(
    admin, alice, bob, billing, technical, carol
):
    routed(billing, admin, Strategy.LEAST_LOADED)
    online(alice, bob)
    assigned = ticket_in(billing, carol, assignee=bob)
    solved = ticket_in(billing, carol, status=Status.SOLVED)
    trashed = ticket_in(billing, carol)
    trash_ticket(trashed, by=admin)
    manual = ticket_in(technical, carol)
    groupless = ticket_in(None, carol)
    for ticket in (assigned, solved, trashed, manual, groupless):
        assert route_if_needed(ticket) is None
        assert routing_texts(ticket) == []
    assert Ticket.objects.get(pk=assigned.pk).assignee == bob
    # A stale copy does not fool it: the row decides.
    stale = Ticket.objects.get(pk=ticket_in(billing, carol).pk)
    update_ticket(stale, by=admin, changes={"assignee": bob})
    stale.assignee = None
    assert route_if_needed(stale) is None
    assert route_if_needed(ticket_in(billing, carol)) == alice


def test_a_new_ticket_in_a_routed_group_gets_an_agent_on_creation(
    admin, alice, bob, billing, carol
):
    routed(billing, admin, Strategy.LEAST_LOADED)
    online(bob)
    ticket = create_ticket(
        by=None, requester=carol, subject="Refund", body="b", properties={"group": billing}
    )
    assert Ticket.objects.get(pk=ticket.pk).assignee == bob
    # Other rules (the acknowledgement) may add their own events.
    assert "Routed to Bob Agent (least loaded: 0 open, no limit)" in routing_texts(ticket)


def test_the_sweep_routes_waiting_tickets_oldest_first_once_someone_is_free(
    admin, alice, bob, billing, technical, carol
):
    routed(billing, admin, Strategy.LEAST_LOADED)
    save_agent_profile(alice, by=admin, capacity=2, skills=[])
    waiting = [ticket_in(billing, carol) for _ in range(3)]
    manual = ticket_in(technical, carol)
    assert route_waiting() == 0
    online(alice)
    assert route_waiting() == 2
    assignees = [Ticket.objects.get(pk=t.pk).assignee for t in waiting]
    assert assignees == [alice, alice, None]
    assert Ticket.objects.get(pk=manual.pk).assignee is None
    online(bob)
    assert route_waiting(limit=10) == 1
    assert Ticket.objects.get(pk=waiting[2].pk).assignee == bob
    assert route_waiting() == 0


# Going offline ---------------------------------------------------------------------------


def test_going_offline_returns_untouched_tickets_and_routes_them_again(
    admin, alice, bob, billing, technical, carol, django_capture_on_commit_callbacks
):
    routed(billing, admin, Strategy.LEAST_LOADED, return_when_offline=True)
    routed(technical, admin, Strategy.LEAST_LOADED)
    online(alice, bob)
    untouched = ticket_in(billing, carol, assignee=alice)
    answered = ticket_in(billing, carol, assignee=alice)
    reply(answered, author=alice, body="On it.")
    noted = ticket_in(billing, carol, assignee=alice)
    reply(noted, author=alice, body="Checking with finance.", public=False)
    on_hold = ticket_in(billing, carol, assignee=alice, status=Status.ON_HOLD)
    elsewhere = ticket_in(technical, carol, assignee=alice)

    with django_capture_on_commit_callbacks(execute=True):
        update_user(alice, by=alice, availability="offline")

    assert Ticket.objects.get(pk=untouched.pk).assignee == bob
    assert routing_texts(untouched) == [
        "Returned to the queue: Alice Agent went offline before working on it",
        "Routed to Bob Agent (least loaded: 0 open, no limit)",
    ]
    assert assignee_events(untouched)[-2:] == [
        (alice.pk, None, "routing"),
        (None, bob.pk, "routing"),
    ]
    for kept in (answered, noted, on_hold, elsewhere):
        assert Ticket.objects.get(pk=kept.pk).assignee == alice
        assert routing_texts(kept) == []
    # Going offline again finds nothing more to return; away returns nothing.
    assert agent_went_offline(alice) == 0


def test_a_returned_ticket_waits_when_nobody_else_is_available(
    admin, alice, bob, billing, carol, django_capture_on_commit_callbacks
):
    routed(billing, admin, Strategy.ROUND_ROBIN, return_when_offline=True)
    online(alice)
    ticket = ticket_in(billing, carol, assignee=alice)
    with django_capture_on_commit_callbacks(execute=True):
        update_user(alice, by=alice, availability="away")
    assert Ticket.objects.get(pk=ticket.pk).assignee == alice
    with django_capture_on_commit_callbacks(execute=True):
        update_user(alice, by=alice, availability="offline")
    assert Ticket.objects.get(pk=ticket.pk).assignee is None
    assert routing_texts(ticket) == [
        "Returned to the queue: Alice Agent went offline before working on it",
        "No agent available in Billing: 2 offline",
    ]


# Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("agents", [3, 30])
@pytest.mark.parametrize("strategy", [Strategy.ROUND_ROBIN, Strategy.SKILLS])
def test_route_makes_a_fixed_number_of_queries(
    strategy, agents, admin, billing, carol, django_assert_max_num_queries
):
    team = [
        User.objects.create_user(f"a{i}@example.test", "pw", role=Role.AGENT, name=f"A{i}")
        for i in range(agents)
    ]
    save_group(by=admin, group=billing, members=team)
    routed(billing, admin, strategy)
    for i, agent in enumerate(team):
        online(agent)
        save_agent_profile(agent, by=admin, capacity=50, skills=["language:de", f"p:{i}"])
        load(agent, billing, carol, 2)
    update_user(carol, by=carol, language="de")
    ticket = Ticket.objects.get(pk=ticket_in(billing, carol, tags=["p:1"]).pk)
    # Ticket lock, routing lock, calendar, members, counts, then update_ticket, the
    # round-robin turn and the event: about 20 whatever the size of the team.
    with django_assert_max_num_queries(20):
        assert route(ticket) is not None


# Settings ------------------------------------------------------------------------------------


def test_routing_settings_are_checked_and_admin_only(admin, alice, billing, carol, product):
    saved = save_group_routing(
        billing,
        by=admin,
        strategy=Strategy.SKILLS,
        skill_fields=["product", "product"],
        return_when_offline=True,
    )
    assert (saved.strategy, saved.skill_fields, saved.return_when_offline) == (
        "skills",
        ["product"],
        True,
    )
    bad_group = [
        ({"strategy": "random"}, "strategy: one of manual, round_robin"),
        ({"skill_fields": ["nope"]}, "skill_fields: no custom field with the key 'nope'"),
        ({"skill_fields": "product"}, "skill_fields: a list"),
    ]
    for change, message in bad_group:
        values = {"strategy": "skills", "skill_fields": [], "return_when_offline": False}
        with pytest.raises(DomainError, match=message):
            save_group_routing(billing, by=admin, **{**values, **change})
    with pytest.raises(PermissionDenied):
        save_group_routing(
            billing, by=alice, strategy="manual", skill_fields=[], return_when_offline=False
        )

    profile = save_agent_profile(
        alice, by=admin, capacity=5, skills=[" Language:DE ", "tier:2", "tier:2", "vip"]
    )
    assert (profile.capacity, profile.skills) == (5, ["language:de", "tier:2", "vip"])
    bad_profile = [
        ({"capacity": -1}, "capacity: a number of tickets from 0 to 1000"),
        ({"capacity": 1001}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"skills": ["two words"]}, "skills: 'two words' is not a skill"),
        ({"skills": ["a:b:c"]}, "is not a skill"),
        ({"skills": [f"s{i}" for i in range(51)]}, "skills: at most 50"),
        ({"skills": "vip"}, "skills: a list"),
    ]
    for change, message in bad_profile:
        values = {"capacity": None, "skills": []}
        with pytest.raises(DomainError, match=message):
            save_agent_profile(alice, by=admin, **{**values, **change})
    with pytest.raises(PermissionDenied):
        save_agent_profile(alice, by=alice, capacity=None, skills=[])
    with pytest.raises(DomainError, match="not on the team"):
        save_agent_profile(carol, by=admin, capacity=None, skills=[])
    alice.refresh_from_db()
    assert (alice.routing_profile.capacity, alice.routing_profile.skills) == (
        5,
        ["language:de", "tier:2", "vip"],
    )


def test_defaults_keep_no_rows(admin, alice, billing):
    save_group_routing(
        billing, by=admin, strategy="manual", skill_fields=[], return_when_offline=False
    )
    save_agent_profile(alice, by=admin, capacity=None, skills=[])
    assert not GroupRouting.objects.exists()
    assert not AgentProfile.objects.exists()
