"""Business-time arithmetic: how many business minutes lie between two instants, and when
a number of business minutes will have elapsed. Pure Python (stdlib + zoneinfo), no Django,
so SLA clocks, reports and benchmarks all share one definition.

A `Schedule` is a time zone, a weekly pattern of local wall-clock intervals and a set of
local holiday dates.

Rules:
- An interval belongs to the local date it STARTS on. An interval whose end is at or before
  its start runs overnight into the next day (22:00-06:00); an end of 24:00 is the midnight
  that ends the day. On a holiday no interval starts (an overnight shift that began the
  evening before still runs to its end).
- Intervals are measured in real elapsed time between their local start and end instants.
  A local wall time becomes the FIRST instant at which the clock shows that time or later:
  an ambiguous time (the repeated hour of a fall-back day) takes its first occurrence
  (fold=0); a time that does not exist (the gap of a spring-forward day) becomes the instant
  the clock jumps. So 09:00-17:00 is 8 hours on both transition days; 01:00-04:00 on
  Berlin's spring-forward day is 2 real hours and 00:00-04:00 on its fall-back day is 5;
  an interval lying wholly inside the gap is empty. This mapping never decreases, so
  intervals that do not overlap in wall-clock time never overlap in real time either.
- Answers are aware datetimes in UTC; inputs may be aware datetimes in any zone.

Speed: each local date's intervals are computed once as UTC epoch seconds and cached on
the schedule, and the loops do float arithmetic only (no datetimes), because the SLA engine
recomputes due times for many tickets at once. A 24/7 schedule skips all of it.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 1440
# A schedule with hours can still have none for a long stretch (every date a holiday);
# the search for the next opening gives up after this many quiet days instead of looping.
SEARCH_LIMIT_DAYS = 3 * 366
# Dates cached per schedule before the cache starts over; a year of dates is ~400 entries.
CACHE_LIMIT = 8192
_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|24:00")

Span = tuple[float, float]


class CalendarError(ValueError):
    """A calendar, schedule or business-time request that cannot be used; the message
    names the offending part (e.g. "hours.mon[0]: 25:00 is not a time HH:MM")."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """Business hours: a time zone, for each weekday (0=Monday) the local (start, end)
    minutes after midnight of its intervals (end > start; end > 1440 runs overnight), and
    the local holiday dates on which no interval starts. Build one with `from_spec` or
    `always`, which validate; the constructor trusts its input."""

    timezone: ZoneInfo
    week: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = frozenset()
    always_open: bool = field(init=False, compare=False)
    _days: dict[int, tuple[Span, ...]] = field(
        init=False, compare=False, repr=False, default_factory=dict
    )
    # The spans of a window of dates flattened, with running totals (see `_Flat`); a
    # one-element list so the frozen schedule can swap it for a wider window.
    _flat: list[_Flat] = field(init=False, compare=False, repr=False, default_factory=list)

    def __post_init__(self) -> None:
        # Midnight to midnight every day, with no holidays, is contiguous in real time
        # whatever DST does, so it is 24/7 and takes the fast path.
        full = all(day == ((0, MINUTES_PER_DAY),) for day in self.week)
        object.__setattr__(self, "always_open", full and not self.holidays)

    @classmethod
    def from_spec(
        cls,
        timezone: str,
        hours: Mapping[str, Any],
        holidays: Iterable[date | str] = (),
    ) -> Schedule:
        """A schedule from stored settings: an IANA time zone name, hours as
        {"mon": [["09:00", "17:00"]], ...} (missing days are closed) and holiday dates
        (dates or "YYYY-MM-DD"). Raises CalendarError naming what is wrong."""
        return cls(_parse_zone(timezone), _parse_week(hours), _parse_holidays(holidays))

    @classmethod
    def always(cls, timezone: str = "UTC") -> Schedule:
        """Open around the clock: business minutes are calendar minutes."""
        return cls(_parse_zone(timezone), tuple(((0, MINUTES_PER_DAY),) for _ in DAYS))

    def spans_of(self, ordinal: int) -> tuple[Span, ...]:
        """The intervals starting on the local date with this proleptic ordinal, as
        (start, end) UTC epoch seconds in order; empty on closed days and holidays."""
        spans = self._days.get(ordinal)
        if spans is None:
            spans = self._load(ordinal)
        return spans

    def _load(self, ordinal: int) -> tuple[Span, ...]:
        if len(self._days) >= CACHE_LIMIT:
            self._days.clear()
        try:
            day = date.fromordinal(ordinal)
        except (OverflowError, ValueError) as exc:
            raise CalendarError("business time beyond the supported range of dates") from exc
        spans: list[Span] = []
        if day not in self.holidays:
            midnight = datetime(day.year, day.month, day.day)
            for start, end in self.week[day.weekday()]:
                began = _wall_to_epoch(midnight + timedelta(minutes=start), self.timezone)
                ended = _wall_to_epoch(midnight + timedelta(minutes=end), self.timezone)
                if ended > began:  # an interval wholly inside a DST gap is empty
                    spans.append((began, ended))
        result = tuple(spans)
        self._days[ordinal] = result
        return result


def add_business_minutes(schedule: Schedule, start: datetime, minutes: float) -> datetime:
    """The earliest instant (aware, UTC) at which `minutes` business minutes have elapsed
    since `start`. Counting begins at the next opening when `start` is outside business
    hours; 0 minutes gives `start` itself. Negative minutes raise CalendarError."""
    return _to_utc(add_business_seconds(schedule, _epoch(start, "start"), _seconds(minutes)))


def business_minutes_between(schedule: Schedule, a: datetime, b: datetime) -> float:
    """Business minutes in [a, b); 0 when b is not after a."""
    return business_seconds_between(schedule, _epoch(a, "a"), _epoch(b, "b")) / 60.0


# The same two on UTC epoch seconds, unchecked, for callers that convert once and then do
# many computations (the SLA clocks of a batch of tickets). Both look up the flattened
# spans of a window of dates with binary search, so a sum over months costs what a sum
# over an hour does.


class _Flat:
    """The spans of the local dates [first, last), in order (they never overlap), with
    `before[i]`, the business seconds of the spans before span i."""

    __slots__ = ("before", "ends", "first", "last", "starts")

    def __init__(self, schedule: Schedule, first: int, last: int) -> None:
        self.first, self.last = first, last
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.before: list[float] = [0.0]
        total = 0.0
        for ordinal in range(first, last):
            for began, ended in schedule.spans_of(ordinal):
                self.starts.append(began)
                self.ends.append(ended)
                total += ended - began
                self.before.append(total)

    def elapsed(self, at: float) -> float:
        """Business seconds of the window's spans before `at`."""
        i = bisect_left(self.starts, at)  # spans starting before `at`
        if i == 0:
            return 0.0
        end = self.ends[i - 1]
        return self.before[i - 1] + (end if end < at else at) - self.starts[i - 1]

    def opening(self, at: float) -> float | None:
        """`at` when business hours run then, else the next start (None: not in the
        window)."""
        i = bisect_left(self.ends, at)
        while i < len(self.ends) and self.ends[i] <= at:
            i += 1
        if i >= len(self.starts):
            return None
        return at if self.starts[i] <= at else self.starts[i]

    def instant(self, elapsed: float) -> float | None:
        """The earliest instant by which `elapsed` (> 0) seconds have elapsed; None when
        the window ends first."""
        i = bisect_left(self.before, elapsed)
        if i >= len(self.before):
            return None
        return self.starts[i - 1] + elapsed - self.before[i - 1]


WINDOW_MARGIN_DAYS = 31
WINDOW_LIMIT_DAYS = 20 * 366  # past this the window starts over around the request


def _window(schedule: Schedule, first: int, last: int) -> _Flat:
    """A flattened window that covers the local dates [first, last), widened with a
    margin when it must grow so that neighbouring requests reuse it."""
    flat = schedule._flat[0] if schedule._flat else None
    if flat is not None and flat.first <= first and last <= flat.last:
        return flat
    low, high = first - WINDOW_MARGIN_DAYS, last + WINDOW_MARGIN_DAYS
    if flat is not None and max(high, flat.last) - min(low, flat.first) < WINDOW_LIMIT_DAYS:
        low, high = min(low, flat.first), max(high, flat.last)
    flat = _Flat(schedule, low, high)
    schedule._flat[:] = [flat]
    return flat


def business_seconds_between(schedule: Schedule, low: float, high: float) -> float:
    """`business_minutes_between` on epoch seconds, in seconds."""
    if high <= low:
        return 0.0
    if schedule.always_open:
        return high - low
    # Dates before low's UTC date - 2 end before low; dates after high's + 1 start after
    # high (UTC offsets lie within -12 and +14 hours; an interval ends within two days).
    flat = _window(schedule, _utc_ordinal(low) - 2, _utc_ordinal(high) + 2)
    return flat.elapsed(high) - flat.elapsed(low)


def add_business_seconds(schedule: Schedule, now: float, remaining: float) -> float:
    """`add_business_minutes` on epoch seconds; `remaining` must be finite and >= 0."""
    if remaining == 0.0 or schedule.always_open:
        return now + remaining
    first = _utc_ordinal(now) - 2
    last = first + 32
    while True:
        flat = _window(schedule, first, last)
        found = flat.instant(flat.elapsed(now) + remaining)
        if found is not None and found < now:
            # `remaining` too small to change the running total: the next opening.
            found = flat.opening(now)
        if found is not None and found - now <= QUIET_LIMIT:
            return found
        # Far away or beyond the window (rare): refuse a search across years of nothing.
        quiet = _quiet_since(flat, now, found)
        if quiet is not None:
            since = datetime.fromtimestamp(quiet, UTC).date().isoformat()
            raise CalendarError(f"no business hours within 3 years of {since}")
        if found is not None:
            return found
        last = flat.last + 4 * (flat.last - first)


QUIET_LIMIT = SEARCH_LIMIT_DAYS * 86_400.0


def _quiet_since(flat: _Flat, now: float, found: float | None) -> float | None:
    """The start of a stretch of more than 3 years without business hours between `now`
    and `found` (or the window's end), if there is one."""
    i = bisect_left(flat.ends, now)  # the first span that ends after `now`
    previous = now
    for k in range(i, len(flat.starts)):
        if flat.starts[k] - previous > QUIET_LIMIT:
            return previous
        if found is not None and flat.ends[k] >= found:
            return None
        previous = flat.ends[k]
    window_end = float((flat.last - _UNIX_EPOCH_ORDINAL) * 86_400)
    return previous if window_end - previous > QUIET_LIMIT else None


def is_business_time(schedule: Schedule, at: datetime) -> bool:
    """Whether `at` lies inside an interval (start included, end excluded)."""
    now = _epoch(at, "at")
    if schedule.always_open:
        return True
    ordinal = _utc_ordinal(now)
    return any(
        began <= now < ended
        for day in range(ordinal - 2, ordinal + 2)
        for began, ended in schedule.spans_of(day)
    )


def _utc_ordinal(epoch: float) -> int:
    """The UTC date of an instant as an ordinal. The local date is at most one day off,
    since UTC offsets lie within -12 and +14 hours; cheaper than asking zoneinfo."""
    return int(epoch // 86_400) + _UNIX_EPOCH_ORDINAL


def _epoch(moment: datetime, name: str) -> float:
    if not isinstance(moment, datetime):
        raise CalendarError(f"{name}: expected a datetime, got {type(moment).__name__}")
    if moment.utcoffset() is None:
        raise CalendarError(f"{name}: {moment.isoformat()} has no time zone")
    return moment.timestamp()


def _seconds(minutes: float) -> float:
    try:
        value = float(minutes)
    except (TypeError, ValueError) as exc:
        raise CalendarError(f"minutes: {minutes!r} is not a number") from exc
    if not math.isfinite(value) or value < 0:
        raise CalendarError(f"minutes: {minutes!r} must be a finite number >= 0")
    return value * 60.0


def _to_utc(epoch: float) -> datetime:
    try:
        return datetime.fromtimestamp(epoch, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise CalendarError("business time beyond the supported range of dates") from exc


def _wall_to_epoch(wall: datetime, zone: ZoneInfo) -> float:
    """The first instant at which the clock in `zone` shows `wall` (naive) or later."""
    # fold=0 is the first occurrence of an ambiguous time, and for a time in a gap the
    # offset from before the jump, which lands after the jump.
    later = wall.replace(tzinfo=zone, fold=0).timestamp()
    if datetime.fromtimestamp(later, zone).replace(tzinfo=None) == wall:
        return later
    # `wall` does not exist: find the jump, between the fold=1 reading (before it, shows
    # an earlier time) and the fold=0 one (after it). Offsets change on whole seconds.
    low = math.floor(wall.replace(tzinfo=zone, fold=1).timestamp())
    high = math.ceil(later)
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return float(high)


def _parse_zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise CalendarError(f"timezone: {name!r} is not a time zone name like Europe/Berlin")
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError) as exc:
        raise CalendarError(f"timezone: {name!r} is not a known time zone") from exc


def _parse_time(text: object, where: str, *, end: bool) -> int:
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise CalendarError(f"{where}: {text} is not a time HH:MM")
    if text == "24:00":
        if not end:
            raise CalendarError(f"{where}: an interval cannot start at 24:00, use 00:00")
        return MINUTES_PER_DAY
    hour, minute = text.split(":")
    return int(hour) * 60 + int(minute)


def _parse_day(key: str, intervals: object) -> list[tuple[int, int, str]]:
    if not isinstance(intervals, list | tuple):
        raise CalendarError(f"hours.{key}: expected a list of [start, end] pairs")
    parsed = []
    for index, pair in enumerate(intervals):
        where = f"hours.{key}[{index}]"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise CalendarError(f"{where}: expected [start, end] like ['09:00', '17:00']")
        start = _parse_time(pair[0], where, end=False)
        end = _parse_time(pair[1], where, end=True)
        if end <= start:
            end += MINUTES_PER_DAY  # overnight into the next day
        parsed.append((start, end, f"{where} {pair[0]}-{pair[1]}"))
    return parsed


def _parse_week(hours: object) -> tuple[tuple[tuple[int, int], ...], ...]:
    if not isinstance(hours, Mapping):
        raise CalendarError("hours: expected an object with keys mon..sun")
    week: list[list[tuple[int, int, str]]] = [[] for _ in DAYS]
    for key, intervals in hours.items():
        if key not in DAYS:
            raise CalendarError(f"hours.{key}: unknown day, use one of {', '.join(DAYS)}")
        week[DAYS.index(key)] = _parse_day(key, intervals)
    _check_overlaps(week)
    if not any(week):
        raise CalendarError("hours: no business hours on any day")
    return tuple(tuple(sorted((s, e) for s, e, _ in day)) for day in week)


def _check_overlaps(week: list[list[tuple[int, int, str]]]) -> None:
    """Reject intervals that overlap in wall-clock time, on one day or through an
    overnight interval into the next (Sunday night wraps to Monday)."""
    spread = sorted(
        (day * MINUTES_PER_DAY + s, day * MINUTES_PER_DAY + e, where)
        for day, intervals in enumerate(week)
        for s, e, where in intervals
    )
    week_minutes = len(DAYS) * MINUTES_PER_DAY
    wrapped = [(s + week_minutes, e + week_minutes, w) for s, e, w in spread[:1]]
    for (_, prev_end, prev), (start, _, where) in zip(spread, spread[1:] + wrapped, strict=False):
        if start < prev_end:
            place, times = where.split(" ", 1)
            raise CalendarError(f"{place}: {times} overlaps {prev}")


def _parse_holidays(values: Iterable[date | str]) -> frozenset[date]:
    dates = set()
    for index, value in enumerate(values):
        if isinstance(value, datetime):
            dates.add(value.date())
        elif isinstance(value, date):
            dates.add(value)
        else:
            try:
                dates.add(date.fromisoformat(str(value)))
            except ValueError as exc:
                raise CalendarError(
                    f"holidays[{index}]: {value!r} is not a date YYYY-MM-DD"
                ) from exc
    return frozenset(dates)
