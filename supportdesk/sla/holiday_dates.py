"""Public holidays of a country (and optionally a subdivision: a state, a province) from
the `holidays` package, as plain dates for a business-time `Schedule`. No Django."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays as holidays_package

from supportdesk.sla.businesstime import CalendarError

# Listing every subdivision in an error helps only while the list is short (Italy has 114).
_LIST_AT_MOST = 20


def validate_country(country: str, subdivision: str | None) -> tuple[str, str | None]:
    """Check a country code (ISO 3166, alpha-2 or alpha-3) and subdivision before a calendar
    is saved; returns them as the package spells them ("de", "be" -> "DE", "BE").
    Raises CalendarError naming the field."""
    supported = _supported()
    code = country.strip().upper() if isinstance(country, str) else ""
    if code not in supported:
        raise CalendarError(
            f"holidays.country: {country!r} is not a country code the holidays package knows"
        )
    if subdivision is None or subdivision == "":
        return code, None
    known = {name.upper(): name for name in supported[code]}
    wanted = subdivision.strip().upper() if isinstance(subdivision, str) else ""
    if wanted not in known:
        codes = supported[code]
        if not codes:
            hint = "it has none"
        elif len(codes) <= _LIST_AT_MOST:
            hint = "known: " + ", ".join(codes)
        else:
            hint = f"it has {len(codes)}, see the holidays package documentation"
        raise CalendarError(
            f"holidays.subdivision: {subdivision!r} is not a subdivision of {code} ({hint})"
        )
    return code, known[wanted]


def holiday_dates(country: str, subdivision: str | None, years: Iterable[int]) -> set[date]:
    """The public holidays (observed dates included) of `country`/`subdivision` in `years`."""
    code, subdiv = validate_country(country, subdivision)
    found: set[date] = set()
    for year in years:
        if not isinstance(year, int) or not 1 <= year <= 9999:
            raise CalendarError(f"holidays.years: {year!r} is not a year")
        found |= _of_year(code, subdiv, year)
    return found


@lru_cache(maxsize=1)
def _supported() -> dict[str, list[str]]:
    return holidays_package.list_supported_countries(include_aliases=True)


# Building a country's holidays takes about a millisecond; calendars ask for the same few
# (country, subdivision, year) triples again and again.
@lru_cache(maxsize=1024)
def _of_year(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    try:
        table = holidays_package.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError as exc:
        raise CalendarError(f"holidays: {exc}") from exc
    return frozenset(table)
