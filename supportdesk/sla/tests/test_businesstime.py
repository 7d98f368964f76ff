"""Business-time arithmetic: explicit cases (DST, overnight shifts, holidays, leap day) and
properties over random calendars, instants and amounts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from supportdesk.sla.businesstime import (
    CalendarError,
    Schedule,
    add_business_minutes,
    business_minutes_between,
    is_business_time,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def office(zone: str = "Europe/Berlin", holidays: tuple[date, ...] = ()) -> Schedule:
    return Schedule.from_spec(zone, {day: [["09:00", "17:00"]] for day in WEEKDAYS}, holidays)


def every_day(zone: str, start: str, end: str) -> Schedule:
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return Schedule.from_spec(zone, {day: [[start, end]] for day in days})


def minutes_on(schedule: Schedule, day: date, zone: ZoneInfo) -> float:
    """Business minutes from local midnight of `day` to local midnight of the next day."""
    begin = datetime(day.year, day.month, day.day, tzinfo=zone)
    return business_minutes_between(schedule, begin, begin + timedelta(days=1))


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)


# --- DST -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "spring", "fall"),
    [
        (BERLIN, date(2026, 3, 29), date(2026, 10, 25)),
        (NEW_YORK, date(2026, 3, 8), date(2026, 11, 1)),
    ],
)
def test_nine_to_five_is_eight_hours_on_both_dst_days(zone, spring, fall):
    schedule = every_day(zone.key, "09:00", "17:00")
    assert minutes_on(schedule, spring, zone) == 480
    assert minutes_on(schedule, fall, zone) == 480
    due = add_business_minutes(schedule, local(zone, spring.year, spring.month, spring.day, 9), 480)
    assert due.astimezone(zone) == local(zone, spring.year, spring.month, spring.day, 17)
    assert due.tzinfo is UTC


def test_interval_across_the_spring_gap_counts_real_time_in_berlin():
    # Clocks jump 02:00 -> 03:00: 01:00-04:00 lasts two real hours, 02:15-02:45 none.
    assert (
        minutes_on(every_day("Europe/Berlin", "01:00", "04:00"), date(2026, 3, 29), BERLIN) == 120
    )
    assert minutes_on(every_day("Europe/Berlin", "02:15", "02:45"), date(2026, 3, 29), BERLIN) == 0
    # A gap time begins when the clock jumps: 02:30-03:30 is the half hour from 03:00.
    half = every_day("Europe/Berlin", "02:30", "03:30")
    assert minutes_on(half, date(2026, 3, 29), BERLIN) == 30
    start = local(BERLIN, 2026, 3, 29, 1)
    assert add_business_minutes(half, start, 10) == datetime(2026, 3, 29, 1, 10, tzinfo=UTC)
    due = add_business_minutes(every_day("Europe/Berlin", "01:00", "04:00"), start, 90)
    assert due.astimezone(BERLIN) == local(BERLIN, 2026, 3, 29, 3, 30)


def test_interval_across_the_repeated_hour_counts_real_time_in_berlin():
    # Clocks go back 03:00 -> 02:00: 00:00-04:00 lasts five real hours.
    assert (
        minutes_on(every_day("Europe/Berlin", "00:00", "04:00"), date(2026, 10, 25), BERLIN) == 300
    )
    # An ambiguous start is the first 02:00 (fold=0), so 02:00-02:30 lasts 30 minutes.
    repeated = every_day("Europe/Berlin", "02:00", "02:30")
    assert minutes_on(repeated, date(2026, 10, 25), BERLIN) == 30
    due = add_business_minutes(repeated, local(BERLIN, 2026, 10, 25, 0), 30)
    assert due == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST


def test_intervals_across_both_transitions_in_new_york():
    early = every_day("America/New_York", "01:00", "03:00")
    assert minutes_on(early, date(2026, 3, 8), NEW_YORK) == 60  # 02:00 -> 03:00 jump
    assert minutes_on(early, date(2026, 11, 1), NEW_YORK) == 180  # 01:00-02:00 twice
    due = add_business_minutes(early, local(NEW_YORK, 2026, 11, 1, 1), 90)
    assert due == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # the second 01:30 (EST)


# --- shapes of schedules -----------------------------------------------------------------


def test_overnight_shift_runs_from_friday_night_into_saturday():
    nights = Schedule.from_spec("Europe/Berlin", {"fri": [["22:00", "06:00"]]})
    friday = local(BERLIN, 2026, 6, 5, 21)
    assert add_business_minutes(nights, friday, 480) == local(BERLIN, 2026, 6, 6, 6)
    # What does not fit waits for next Friday night.
    assert add_business_minutes(nights, friday, 600) == local(BERLIN, 2026, 6, 13, 0)
    assert add_business_minutes(nights, local(BERLIN, 2026, 6, 6, 3), 60) == local(
        BERLIN, 2026, 6, 6, 4
    )
    assert business_minutes_between(nights, friday, local(BERLIN, 2026, 6, 7)) == 480
    assert is_business_time(nights, local(BERLIN, 2026, 6, 6, 5, 59))
    assert not is_business_time(nights, local(BERLIN, 2026, 6, 6, 6))


def test_overnight_shift_belongs_to_the_date_it_starts_on():
    # A holiday on Saturday leaves Friday's night shift alone; one on Friday cancels it.
    hours = {"fri": [["22:00", "06:00"]]}
    friday = local(BERLIN, 2026, 6, 5, 23)
    saturday_off = Schedule.from_spec("Europe/Berlin", hours, [date(2026, 6, 6)])
    assert business_minutes_between(saturday_off, friday, local(BERLIN, 2026, 6, 6, 6)) == 420
    friday_off = Schedule.from_spec("Europe/Berlin", hours, ["2026-06-05"])
    assert business_minutes_between(friday_off, friday, local(BERLIN, 2026, 6, 6, 6)) == 0


def test_split_day_skips_the_lunch_break():
    split = Schedule.from_spec("Europe/Berlin", {"tue": [["13:00", "17:00"], ["09:00", "12:00"]]})
    start = local(BERLIN, 2026, 6, 2, 11)
    assert add_business_minutes(split, start, 90) == local(BERLIN, 2026, 6, 2, 13, 30)
    assert business_minutes_between(split, start, local(BERLIN, 2026, 6, 2, 14)) == 120


def test_holiday_on_friday_moves_the_due_time_to_monday():
    good_friday = office(holidays=(date(2026, 4, 3),))
    thursday = local(BERLIN, 2026, 4, 2, 16)
    assert add_business_minutes(good_friday, thursday, 120) == local(BERLIN, 2026, 4, 6, 10)
    assert add_business_minutes(office(), thursday, 120) == local(BERLIN, 2026, 4, 3, 10)


def test_start_on_a_holiday_or_outside_hours_counts_from_the_next_opening():
    monday_off = office(holidays=(date(2026, 6, 1),))
    assert add_business_minutes(monday_off, local(BERLIN, 2026, 6, 1, 10), 30) == local(
        BERLIN, 2026, 6, 2, 9, 30
    )
    saturday = local(BERLIN, 2026, 6, 6, 12)
    assert add_business_minutes(office(), saturday, 30) == local(BERLIN, 2026, 6, 8, 9, 30)
    evening = local(BERLIN, 2026, 6, 3, 18)
    assert add_business_minutes(office(), evening, 480) == local(BERLIN, 2026, 6, 4, 17)
    assert business_minutes_between(office(), saturday, local(BERLIN, 2026, 6, 8, 9)) == 0


def test_due_exactly_at_closing_is_closing_time():
    due = add_business_minutes(office(), local(BERLIN, 2026, 6, 3, 16), 60)
    assert due == local(BERLIN, 2026, 6, 3, 17)


def test_leap_day_is_a_business_day():
    start = local(BERLIN, 2028, 2, 28, 16)
    assert add_business_minutes(office(), start, 120) == local(BERLIN, 2028, 2, 29, 10)
    assert minutes_on(office(), date(2028, 2, 29), BERLIN) == 480


def test_always_open_counts_calendar_minutes_through_dst():
    always = Schedule.always("Europe/Berlin")
    assert always.always_open
    start = local(BERLIN, 2026, 3, 28, 12)
    # 24 real hours, not "the same wall time tomorrow", which is 23 hours later.
    assert add_business_minutes(always, start, 1440) == datetime(2026, 3, 29, 11, tzinfo=UTC)
    assert business_minutes_between(always, start, local(BERLIN, 2026, 3, 29, 12)) == 1380
    assert is_business_time(always, start)
    assert every_day("Europe/Berlin", "00:00", "24:00").always_open
    assert not Schedule.from_spec(
        "UTC", {day: [["00:00", "24:00"]] for day in WEEKDAYS}
    ).always_open


def test_zero_minutes_is_the_start_itself_in_utc():
    saturday = local(BERLIN, 2026, 6, 6, 12, 0)
    due = add_business_minutes(office(), saturday, 0)
    assert due == saturday and due.tzinfo is UTC


def test_same_instant_in_any_zone_gives_the_same_answer():
    instant = datetime(2026, 6, 3, 14, 30, tzinfo=UTC)
    dues = {add_business_minutes(office(), instant.astimezone(z), 500) for z in (BERLIN, NEW_YORK)}
    assert dues == {add_business_minutes(office(), instant, 500)}


def test_between_is_zero_when_b_is_not_after_a():
    a = local(BERLIN, 2026, 6, 3, 12)
    assert business_minutes_between(office(), a, a) == 0
    assert business_minutes_between(office(), a, a - timedelta(hours=1)) == 0


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timezone", "hours", "message"),
    [
        ("Europe/Berlin", {}, "hours: no business hours on any day"),
        ("Europe/Berlin", {"mon": [], "sat": []}, "hours: no business hours on any day"),
        ("Mars/Olympus", {"mon": [["09:00", "17:00"]]}, "timezone: 'Mars/Olympus' is not a known"),
        ("", {"mon": [["09:00", "17:00"]]}, "timezone: '' is not a time zone name"),
        ("UTC", {"monday": [["09:00", "17:00"]]}, "hours.monday: unknown day"),
        ("UTC", {"mon": [["25:00", "17:00"]]}, "hours.mon[0]: 25:00 is not a time HH:MM"),
        ("UTC", {"mon": [["9:00", "17:00"]]}, "hours.mon[0]: 9:00 is not a time HH:MM"),
        ("UTC", {"tue": [["09:00", "17:60"]]}, "hours.tue[0]: 17:60 is not a time HH:MM"),
        ("UTC", {"mon": [["24:00", "06:00"]]}, "hours.mon[0]: an interval cannot start at 24:00"),
        ("UTC", {"mon": [["09:00"]]}, "hours.mon[0]: expected [start, end]"),
        ("UTC", {"mon": "09:00-17:00"}, "hours.mon: expected a list"),
        ("UTC", [["09:00", "17:00"]], "hours: expected an object"),
        (
            "UTC",
            {"mon": [["09:00", "12:00"], ["11:30", "13:00"]]},
            "hours.mon[1]: 11:30-13:00 overlaps hours.mon[0] 09:00-12:00",
        ),
        (
            "UTC",
            {"sun": [["22:00", "06:00"]], "mon": [["05:00", "09:00"]]},
            "hours.mon[0]: 05:00-09:00 overlaps hours.sun[0] 22:00-06:00",
        ),
    ],
)
def test_bad_specs_are_rejected_with_a_message_naming_the_problem(timezone, hours, message):
    with pytest.raises(CalendarError, match="^" + message.replace("[", r"\[").replace("(", r"\(")):
        Schedule.from_spec(timezone, hours)


def test_bad_holidays_and_requests_are_rejected():
    with pytest.raises(CalendarError, match=r"holidays\[1\]: '2026-13-01' is not a date"):
        Schedule.from_spec("UTC", {"mon": [["09:00", "17:00"]]}, [date(2026, 1, 1), "2026-13-01"])
    start = local(BERLIN, 2026, 6, 3, 12)
    for minutes in (-1, float("nan"), float("inf")):
        with pytest.raises(CalendarError, match="minutes"):
            add_business_minutes(office(), start, minutes)
    with pytest.raises(CalendarError, match="start: 2026-06-03T12:00:00 has no time zone"):
        add_business_minutes(office(), datetime(2026, 6, 3, 12), 10)
    with pytest.raises(CalendarError, match="b: .* has no time zone"):
        business_minutes_between(office(), start, datetime(2026, 6, 3, 12))


def test_adjacent_intervals_are_not_an_overlap():
    hours = {"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"], ["06:00", "08:00"]]}
    schedule = Schedule.from_spec("UTC", hours)
    start = datetime(2026, 6, 1, 22, tzinfo=UTC)
    assert add_business_minutes(schedule, start, 600) == datetime(2026, 6, 2, 8, tzinfo=UTC)


def test_endless_holidays_stop_the_search_with_an_error():
    first = date(2026, 1, 1)
    holidays = [first + timedelta(days=i) for i in range(5 * 366)]
    schedule = office(holidays=tuple(holidays))
    with pytest.raises(CalendarError, match="no business hours within 3 years of"):
        add_business_minutes(schedule, local(BERLIN, 2026, 1, 1, 9), 1)
    # Far ahead amounts still work when hours exist: ten years of an office's minutes.
    far = add_business_minutes(office(), local(BERLIN, 2026, 1, 1), 10 * 52 * 5 * 480)
    assert far.year == 2035 or far.year == 2036


# --- properties -----------------------------------------------------------------------------

TEMPLATES = {
    "office Berlin": office("Europe/Berlin", (date(2026, 4, 3), date(2026, 12, 25))),
    "split New York": Schedule.from_spec(
        "America/New_York",
        {day: [["08:00", "12:00"], ["13:00", "17:30"]] for day in WEEKDAYS},
        [date(2026, 7, 3), date(2026, 11, 26)],
    ),
    "night shifts Berlin": every_day("Europe/Berlin", "22:00", "06:00"),
    "small hours Berlin": every_day("Europe/Berlin", "01:30", "03:30"),
    "small hours New York": every_day("America/New_York", "00:45", "02:30"),
    "weekend Sydney": Schedule.from_spec(
        "Australia/Sydney", {"sat": [["10:00", "24:00"]], "sun": [["00:00", "16:00"]]}
    ),
    "Kolkata": Schedule.from_spec("Asia/Kolkata", {d: [["09:30", "18:30"]] for d in WEEKDAYS}),
    "24/7": Schedule.always("Europe/Berlin"),
}
ZONES = [UTC, BERLIN, NEW_YORK, ZoneInfo("Asia/Kolkata"), ZoneInfo("Australia/Sydney")]
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
# Instants near the DST transitions of the templates' zones, where mistakes hide.
TRANSITIONS = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 4, 4, 16, tzinfo=UTC),
    datetime(2026, 10, 3, 16, tzinfo=UTC),
]

schedules = st.sampled_from(sorted(TEMPLATES)).map(TEMPLATES.__getitem__)
anywhere_in_year = st.integers(0, 365 * 86_400 * 10**6 - 1).map(
    lambda us: YEAR_START + timedelta(microseconds=us)
)
near_transition = st.builds(
    lambda at, us: at + timedelta(microseconds=us),
    st.sampled_from(TRANSITIONS),
    st.integers(-3 * 86_400 * 10**6, 3 * 86_400 * 10**6),
)
instants = st.builds(
    lambda instant, zone: instant.astimezone(zone),
    st.one_of(anywhere_in_year, near_transition),
    st.sampled_from(ZONES),
)
amounts = st.one_of(
    st.integers(0, 20_000).map(float),
    st.floats(0, 20_000, allow_nan=False, allow_infinity=False),
)
EPSILON = timedelta(microseconds=2)  # answers are rounded to the microsecond


@settings(deadline=None, max_examples=300)
@given(schedules, instants, amounts)
def test_between_start_and_due_is_the_minutes_added(schedule, start, minutes):
    due = add_business_minutes(schedule, start, minutes)
    assert due >= start
    assert business_minutes_between(schedule, start, due) == pytest.approx(minutes, abs=1e-6)


@settings(deadline=None)
@given(schedules, instants, amounts, amounts)
def test_more_minutes_are_never_due_earlier(schedule, start, m1, m2):
    low, high = sorted((m1, m2))
    assert add_business_minutes(schedule, start, low) <= add_business_minutes(schedule, start, high)


@settings(deadline=None, max_examples=300)
@given(schedules, instants, amounts, amounts)
def test_adding_in_two_steps_equals_adding_once(schedule, start, m1, m2):
    # A step too small to change m1 in floating point (480 + 1e-311 == 480) is not a
    # step at all for the one-step side, while the two-step side still has to wait for
    # the next opening: skip those.
    assume(m2 == 0 or m1 + m2 != m1)
    stepped = add_business_minutes(schedule, add_business_minutes(schedule, start, m1), m2)
    assert abs(stepped - add_business_minutes(schedule, start, m1 + m2)) <= EPSILON


@settings(deadline=None)
@given(schedules, instants, amounts, st.sampled_from(ZONES))
def test_the_zone_an_instant_is_written_in_does_not_matter(schedule, start, minutes, zone):
    due = add_business_minutes(schedule, start, minutes)
    assert add_business_minutes(schedule, start.astimezone(zone), minutes) == due
    assert add_business_minutes(schedule, start.astimezone(UTC), minutes) == due
    later = start + timedelta(minutes=minutes)
    assert business_minutes_between(
        schedule, start.astimezone(zone), later.astimezone(NEW_YORK)
    ) == business_minutes_between(schedule, start, later)


@settings(deadline=None)
@given(schedules, instants, st.integers(0, 14 * 86_400), st.integers(0, 14 * 86_400))
def test_between_adds_up_over_a_split_point(schedule, a, first, second):
    # Real-time steps: an aware datetime plus a timedelta moves the wall clock instead.
    b = (a.astimezone(UTC) + timedelta(seconds=first)).astimezone(BERLIN)
    c = b.astimezone(UTC) + timedelta(seconds=second)
    whole = business_minutes_between(schedule, a, c)
    parts = business_minutes_between(schedule, a, b) + business_minutes_between(schedule, b, c)
    assert whole == pytest.approx(parts, abs=1e-6)
    assert whole <= (c - a.astimezone(UTC)).total_seconds() / 60 + 1e-9


def reference_minutes(schedule: Schedule, a: datetime, b: datetime) -> int:
    """Business minutes in [a, b) (whole minutes) counted one minute at a time, from the
    rule itself rather than the module's arithmetic: a wall time W is reached at the first
    instant the clock shows W or later, so minute u is open when the highest wall time shown
    so far lies inside an interval [D + start, D + end) of a working date D."""
    zone = schedule.timezone
    u = a - timedelta(days=2)
    highest = datetime.min
    count = 0
    while u < b:
        highest = max(highest, u.astimezone(zone).replace(tzinfo=None))
        if u >= a:
            for back in (0, 1):
                day = highest.date() - timedelta(days=back)
                if day in schedule.holidays:
                    continue
                midnight = datetime(day.year, day.month, day.day)
                if any(
                    midnight + timedelta(minutes=s) <= highest < midnight + timedelta(minutes=e)
                    for s, e in schedule.week[day.weekday()]
                ):
                    count += 1
                    break
        u += timedelta(minutes=1)
    return count


whole_minutes = st.builds(
    lambda at, minutes: at + timedelta(minutes=minutes),
    st.sampled_from(TRANSITIONS + [datetime(2026, 4, 2, 12, tzinfo=UTC)]),
    st.integers(-3 * 1440, 3 * 1440),
)


@settings(deadline=None, max_examples=60)
@given(schedules, whole_minutes, st.integers(0, 3 * 1440))
def test_matches_a_minute_by_minute_reference(schedule, a, length):
    b = a + timedelta(minutes=length)
    expected = reference_minutes(schedule, a, b)
    assert business_minutes_between(schedule, a, b) == pytest.approx(expected, abs=1e-6)
    if expected:
        assert add_business_minutes(schedule, a, expected) <= b
