"""Partial dates and periods, kept at the precision the source printed."""

from __future__ import annotations

import datetime as dt
import re

from corridor_cli.fastclass import record

_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class DateError(ValueError):
    """A string that is not a partial date or period."""


@record
class PartialDate:
    """A date known to the year, the month or the day: 2018, 2018-07, 2018-07-15."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        m = _DATE_RE.fullmatch(text.strip()) if isinstance(text, str) else None
        if not m:
            raise DateError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g else None for g in m.groups())
        try:
            dt.date(year, 1 if month is None else month, 1 if day is None else day)
        except ValueError as exc:
            raise DateError(f"{text!r} is not a real date ({exc})") from None
        return cls(year, month, day)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def sort_key(self) -> tuple[dt.date, int]:
        """Chronological order; a year before the months in it, a month before its days."""
        return self.first_day(), ("year", "month", "day").index(self.precision)

    def __lt__(self, other: PartialDate) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        if self.day:
            return dt.date(self.year, self.month, self.day)
        if self.month and self.month < 12:  # the day before the next month's first
            return dt.date(self.year, self.month + 1, 1) - dt.timedelta(days=1)
        return dt.date(self.year, 12, 31)

    def __str__(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"


@record
class Period:
    """What a figure covers.

    Either a span ``start..end`` (a single year, month or day is a span whose
    start and end are the same partial date) or, for a level, a point in time
    ``as of end`` (``start`` is None). A point printed at month or year
    precision is known only to lie somewhere in that month or year: as_of
    2023-06 is some day of June 2023, so its interval is the whole month.
    """

    start: PartialDate | None
    end: PartialDate

    @classmethod
    def parse(cls, text: str) -> Period:
        if not isinstance(text, str):
            raise DateError(f"{text!r} is not a period")
        if ".." in text:
            left, _, right = text.partition("..")
            start, end = PartialDate.parse(left), PartialDate.parse(right)
            if start.first_day() > end.last_day():
                raise DateError(f"{text!r} ends before it starts")
            return cls(start, end)
        date = PartialDate.parse(text)
        return cls(date, date)

    @classmethod
    def as_of(cls, text: str) -> Period:
        return cls(None, PartialDate.parse(text))

    @property
    def is_point(self) -> bool:
        return self.start is None

    @property
    def kind(self) -> str:
        """year, month or day (one calendar unit), span (start..end), or as_of (a point)."""
        if self.start is None:
            return "as_of"
        if self.start == self.end:
            return self.end.precision
        return "span"

    def first_day(self) -> dt.date:
        """The first day the period (or, for a point, the day it might be) can fall on."""
        return self.end.first_day() if self.start is None else self.start.first_day()

    def last_day(self) -> dt.date:
        return self.end.last_day()

    def longer_than_a_year(self) -> bool:
        """Whether the days covered are more than one year: 2022 and 2022-06-15..2023-06-14
        are not, 2022-01-15..2023-01-15 and 2016..2020 are."""
        first, last = self.first_day(), self.last_day()
        try:
            year_later = first.replace(year=first.year + 1)
        except ValueError:  # 29 February: a year later is 1 March
            year_later = dt.date(first.year + 1, 3, 1)
        return last >= year_later

    def overlaps(self, lo: dt.date | None, hi: dt.date | None) -> bool:
        """True when the period shares at least one day with [lo, hi]; a point printed
        at month or year precision overlaps when any day it might be falls inside."""
        return (lo is None or self.last_day() >= lo) and (hi is None or self.first_day() <= hi)

    def sort_key(self) -> tuple[dt.date, dt.date, int]:
        """Chronological: by first possible day, then last, a point before a span alike."""
        return self.first_day(), self.last_day(), 0 if self.start is None else 1

    def __str__(self) -> str:
        if self.start is None:
            return f"as of {self.end}"
        if self.start == self.end:
            return str(self.end)
        return f"{self.start}..{self.end}"
