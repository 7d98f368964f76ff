"""SLA clocks over whole ticket histories (pure: no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from supportdesk.sla.businesstime import Schedule
from supportdesk.sla.clocks import History, Post, compute, next_due

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
ALWAYS = Schedule.always("UTC")
OFFICE = Schedule.from_spec(
    "UTC", {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def history(statuses=(), posts=()):  # type: ignore[no-untyped-def]
    return History(
        T0, [(T0, "new"), *[(at(m), s) for m, s in statuses]], [Post(at(m), a) for m, a in posts]
    )


def test_reply_within_target_is_achieved():
    h = history([(30, "open")], [(0, False), (30, True)])
    clocks = compute(ALWAYS, h, {"first_reply": 60}, ["pending"], now=at(90))
    first = clocks["first_reply"]
    assert first.state == "achieved" and first.achieved_at == at(30) and first.due_at == at(60)


def test_no_reply_past_target_is_breached_by_the_minutes_over():
    clocks = compute(ALWAYS, history(posts=[(0, False)]), {"first_reply": 60}, [], now=at(80))
    first = clocks["first_reply"]
    assert first.state == "breached" and first.due_at == at(60)
    assert round(first.breached_minutes) == 20
    assert next_due(clocks) == at(60)  # still owed, so it sorts first


def test_active_clock_counts_business_minutes_only():
    # Created Monday 16:30 in an office open 9-17: 60 minutes run out Tuesday 09:30.
    start = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)
    h = History(start, [(start, "new")], [Post(start, False)])
    clock = compute(OFFICE, h, {"first_reply": 60}, [], now=start + timedelta(minutes=10))
    assert clock["first_reply"].state == "active"
    assert clock["first_reply"].due_at == datetime(2026, 3, 3, 9, 30, tzinfo=UTC)


def test_pending_pauses_the_clock_and_moves_the_due_time():
    # Resolution 120: open 0-30, pending 30-90 (paused), open again from 90.
    h = history([(10, "open"), (30, "pending"), (90, "open")], [(0, False), (10, True)])
    clocks = compute(ALWAYS, h, {"resolution": 120}, ["pending"], now=at(100))
    res = clocks["resolution"]
    assert res.state == "active" and res.due_at == at(180)  # 60 minutes paused
    paused = compute(ALWAYS, h, {"resolution": 120}, ["pending"], now=at(60))["resolution"]
    assert paused.state == "paused" and round(paused.remaining_minutes) == 90


def test_solved_meets_resolution_and_reopening_owes_it_again():
    h = history([(10, "open"), (50, "solved")], [(0, False), (10, True)])
    solved = compute(ALWAYS, h, {"resolution": 120}, [], now=at(200))["resolution"]
    assert solved.state == "achieved" and solved.achieved_at == at(50)
    reopened = history([(10, "open"), (50, "solved"), (300, "open")], [(0, False), (10, True)])
    again = compute(ALWAYS, reopened, {"resolution": 120}, [], now=at(310))["resolution"]
    # 50 minutes before solving + 10 after reopening: 60 left, due at 370.
    assert again.state == "active" and again.due_at == at(370)


def test_next_reply_after_a_customer_message():
    posts = [(0, False), (20, True), (100, False), (130, True), (200, False)]
    h = history([(20, "open")], posts)
    clock = compute(ALWAYS, h, {"next_reply": 60}, [], now=at(230))["next_reply"]
    # The answered cycle (100 -> 130) was met; the new one from 200 is due at 260.
    assert clock.state == "active" and clock.due_at == at(260)
    assert [c.state for c in clock.cycles] == ["achieved", "active"]
    late = compute(ALWAYS, h, {"next_reply": 20}, [], now=at(230))["next_reply"]
    assert [c.state for c in late.cycles] == ["breached", "breached"]


def test_first_message_is_first_replys_not_next_replys():
    h = history(posts=[(0, False), (5, False)])
    clocks = compute(ALWAYS, h, {"first_reply": 60, "next_reply": 30}, [], now=at(10))
    assert "next_reply" not in clocks and clocks["first_reply"].state == "active"


def test_periodic_update_counts_from_the_last_agent_update():
    h = history([(5, "open")], [(0, False), (5, True), (40, True)])
    clock = compute(ALWAYS, h, {"periodic_update": 30}, [], now=at(50))["periodic_update"]
    assert clock.state == "active" and clock.due_at == at(70)


def test_solved_tickets_owe_nothing():
    h = history([(30, "solved")], [(0, False)])
    clocks = compute(ALWAYS, h, {"first_reply": 60}, [], now=at(500))
    assert clocks["first_reply"].state == "paused" and next_due(clocks) is None
