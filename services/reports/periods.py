"""Report periods: local days in the deployment's zone, weeks starting on Monday.

A period is a half-open range of local dates [start, end). A wish submitted at 23:30
Beijing time belongs to that Beijing day, whatever its UTC date.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.errors import InvalidInput

MAX_DAYS = 3 * 366  # a longer range is almost certainly a typing mistake
# Sandan's records start in this century; a date outside it is a typing mistake, and the first
# and last days Python knows cannot even be turned into UTC instants (OverflowError).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)

_WEEK = {"week", "thisweek", "本周", "这周"}
_MONTH = {"", "month", "thismonth", "本月", "这个月"}
_LAST_MONTH = {"lastmonth", "上月", "上个月"}
_YEAR = {"year", "thisyear", "今年", "本年"}
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR_RE = re.compile(r"^(\d{4})$")
_RANGE_RE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s*(?:\.\.|~|～|至|到|\s)\s*(\d{4}-\d{1,2}-\d{1,2})$")


@dataclass(frozen=True)
class Period:
    start: date  # first local day
    end: date  # the day after the last one

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        """2025-03-01 – 2025-03-31, or one date for a single day."""
        first, last = self.start.isoformat(), self.last.isoformat()
        return first if first == last else f"{first} – {last}"

    def utc_bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as aware UTC instants [from, to)."""
        return local_midnight(self.start, tz), local_midnight(self.end, tz)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which `day` begins in `tz`."""
    return datetime.combine(day, time(0), tz).astimezone(UTC)


def week_start(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


def month_period(year: int, month: int) -> Period:
    """One calendar month."""
    if not (1 <= month <= 12 and FIRST_DAY.year <= year <= LAST_DAY.year):
        raise InvalidInput("invalid.month")
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return Period(start, end)


def parse_month(text: str) -> Period:
    """YYYY-MM as a period; anything else is refused with invalid.month."""
    match = _MONTH_RE.match(text.strip())
    if not match:
        raise InvalidInput("invalid.month")
    return month_period(int(match[1]), int(match[2]))


def parse_period(text: str, *, today: date) -> Period:
    """A period from what staff type: 本周/本月/上月/今年 (week, month, lastmonth, year),
    YYYY, YYYY-MM, or a range YYYY-MM-DD..YYYY-MM-DD; nothing means this month."""
    raw = text.strip().lower()
    word = raw.replace(" ", "")
    if word in _WEEK:
        return Period(week_start(today), week_start(today) + timedelta(days=7))
    if word in _MONTH:
        return month_period(today.year, today.month)
    if word in _LAST_MONTH:
        first = today.replace(day=1) - timedelta(days=1)
        return month_period(first.year, first.month)
    if word in _YEAR:
        return Period(date(today.year, 1, 1), date(today.year + 1, 1, 1))
    if match := _YEAR_RE.match(word):
        year = int(match[1])
        if not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise InvalidInput("invalid.period")
        return Period(date(year, 1, 1), date(year + 1, 1, 1))
    if _MONTH_RE.match(word):
        try:
            return parse_month(word)
        except InvalidInput:
            raise InvalidInput("invalid.period") from None
    if match := _RANGE_RE.match(raw):
        try:
            first, last = date.fromisoformat(_pad(match[1])), date.fromisoformat(_pad(match[2]))
        except ValueError:
            raise InvalidInput("invalid.period") from None
        if last < first or (last - first).days >= MAX_DAYS or first < FIRST_DAY or last > LAST_DAY:
            raise InvalidInput("invalid.period")
        return Period(first, last + timedelta(days=1))
    raise InvalidInput("invalid.period")


def _pad(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"
