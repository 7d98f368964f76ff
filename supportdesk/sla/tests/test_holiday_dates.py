"""Public holidays from the `holidays` package, and the checks a calendar form relies on."""

from __future__ import annotations

from datetime import date

import pytest

from supportdesk.sla.businesstime import CalendarError
from supportdesk.sla.holiday_dates import holiday_dates, validate_country


def test_berlin_has_christmas_and_womens_day():
    dates = holiday_dates("DE", "BE", [2026])
    assert {date(2026, 12, 25), date(2026, 3, 8), date(2026, 10, 3)} <= dates
    # Women's Day is Berlin's own: Bavaria works on 8 March.
    assert date(2026, 3, 8) not in holiday_dates("DE", "BY", [2026])
    assert all(day.year == 2026 for day in dates)


def test_united_states_has_july_fourth_and_its_observed_day():
    dates = holiday_dates("US", None, range(2026, 2028))
    assert date(2026, 7, 4) in dates and date(2027, 7, 4) in dates
    assert date(2027, 7, 5) in dates  # July 4 2027 is a Sunday, observed on Monday


def test_codes_are_case_insensitive_and_come_back_as_the_package_spells_them():
    assert validate_country("de", "be") == ("DE", "BE")
    assert validate_country("US", "") == ("US", None)
    assert holiday_dates("de", "be", [2026]) == holiday_dates("DE", "BE", [2026])


@pytest.mark.parametrize(
    ("country", "subdivision", "message"),
    [
        ("XX", None, "holidays.country: 'XX' is not a country code the holidays package knows"),
        ("", None, "holidays.country: '' is not a country code"),
        ("DE", "ZZ", r"holidays.subdivision: 'ZZ' is not a subdivision of DE \(known: BB, BE,"),
        ("IT", "nowhere", r"'nowhere' is not a subdivision of IT \(it has \d+, see the holidays"),
    ],
)
def test_unknown_country_or_subdivision_is_a_calendar_error(country, subdivision, message):
    with pytest.raises(CalendarError, match=message):
        validate_country(country, subdivision)
    with pytest.raises(CalendarError, match=message):
        holiday_dates(country, subdivision, [2026])


def test_a_year_that_is_not_a_year_is_rejected():
    with pytest.raises(CalendarError, match="holidays.years: 'next' is not a year"):
        holiday_dates("DE", None, ["next"])
