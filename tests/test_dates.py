"""Partial dates and periods: precision kept as printed, real dates only, overlap."""

from __future__ import annotations

import datetime as dt

import pytest

from corridor_cli.dates import DateError, PartialDate, Period

D = dt.date


@pytest.mark.parametrize(
    ("text", "precision", "first", "last"),
    [
        ("2018", "year", D(2018, 1, 1), D(2018, 12, 31)),
        ("2018-07", "month", D(2018, 7, 1), D(2018, 7, 31)),
        ("2018-07-15", "day", D(2018, 7, 15), D(2018, 7, 15)),
        ("2023-02", "month", D(2023, 2, 1), D(2023, 2, 28)),
        ("2024-02", "month", D(2024, 2, 1), D(2024, 2, 29)),  # leap year
        ("2018-04", "month", D(2018, 4, 1), D(2018, 4, 30)),
    ],
)
def test_partial_date_keeps_its_precision(text, precision, first, last):
    date = PartialDate.parse(text)
    assert date.precision == precision
    assert str(date) == text  # printed back exactly as written, no invented month or day
    assert date.first_day() == first
    assert date.last_day() == last


def test_partial_date_fields():
    assert PartialDate.parse("2018") == PartialDate(2018, None, None)
    assert PartialDate.parse("2018-07") == PartialDate(2018, 7, None)
    assert PartialDate.parse("2018-07-15") == PartialDate(2018, 7, 15)


def test_partial_dates_of_different_precision_are_different():
    assert PartialDate.parse("2018") != PartialDate.parse("2018-01")
    assert PartialDate.parse("2018-01") != PartialDate.parse("2018-01-01")


def test_leap_day_is_a_real_date():
    assert PartialDate.parse("2024-02-29").last_day() == D(2024, 2, 29)


@pytest.mark.parametrize(
    "text",
    ["2023-02-30", "2023-02-29", "2018-13", "2018-04-31", "2018-07-32", "0000"],
)
def test_impossible_dates_are_rejected(text):
    with pytest.raises(DateError, match="real date"):
        PartialDate.parse(text)


@pytest.mark.parametrize("text", ["2018-00", "2018-07-00", "2018-00-15"])
def test_zero_month_or_day_is_rejected(text):
    with pytest.raises(DateError):
        PartialDate.parse(text)


@pytest.mark.parametrize(
    "text",
    ["", "18", "2018-7", "2018/07", "2018-07-1", "July 2018", "2018-07-15T00:00", "20180715", "abcd"],
)
def test_malformed_dates_are_rejected(text):
    with pytest.raises(DateError):
        PartialDate.parse(text)


@pytest.mark.parametrize("value", [2018, None, 2018.0, ["2018"]])
def test_non_string_dates_are_rejected(value):
    with pytest.raises(DateError):
        PartialDate.parse(value)


def test_date_error_is_a_value_error():
    assert issubclass(DateError, ValueError)


# ---------------------------------------------------------------- periods
def test_span_period():
    period = Period.parse("2023-01..2023-05")
    assert not period.is_point
    assert period.start == PartialDate(2023, 1)
    assert period.end == PartialDate(2023, 5)
    assert period.first_day() == D(2023, 1, 1)
    assert period.last_day() == D(2023, 5, 31)
    assert str(period) == "2023-01..2023-05"


def test_span_of_mixed_precision():
    period = Period.parse("2021..2023-06-30")
    assert period.first_day() == D(2021, 1, 1)
    assert period.last_day() == D(2023, 6, 30)


def test_single_date_period_is_a_span_of_itself():
    period = Period.parse("2022")
    assert period.start == period.end == PartialDate(2022)
    assert (period.first_day(), period.last_day()) == (D(2022, 1, 1), D(2022, 12, 31))
    assert str(period) == "2022"


@pytest.mark.parametrize("text", ["2023-05..2023-01", "2024..2023"])
def test_span_ending_before_it_starts_is_rejected(text):
    with pytest.raises(DateError, match="ends before it starts"):
        Period.parse(text)


@pytest.mark.parametrize("text", ["2023-01..2023-02-30", "..2023", "2023..", "2023-01...2023-05"])
def test_span_with_a_bad_end_is_rejected(text):
    with pytest.raises(DateError):
        Period.parse(text)


def test_as_of_period_is_a_point_somewhere_in_its_printed_date():
    period = Period.as_of("2023-05")
    assert period.is_point
    assert period.start is None
    assert (period.first_day(), period.last_day()) == (D(2023, 5, 1), D(2023, 5, 31))
    assert str(period) == "as of 2023-05" and period.kind == "as_of"
    assert (Period.as_of("2023").first_day(), Period.as_of("2023").last_day()) == \
        (D(2023, 1, 1), D(2023, 12, 31))
    assert Period.as_of("2023-05-15").first_day() == Period.as_of("2023-05-15").last_day() \
        == D(2023, 5, 15)


@pytest.mark.parametrize(("text", "lo", "hi", "inside"), [
    ("2023", None, D(2023, 6, 30), True),  # some time in 2023 may be before July
    ("2023", D(2023, 7, 1), None, True),
    ("2023-06", None, D(2023, 6, 30), True),
    ("2023-06", None, D(2023, 5, 31), False),
    ("2023-06", D(2023, 7, 1), None, False),
    ("2023-06-15", D(2023, 6, 16), None, False),
    ("2023-06-15", D(2023, 6, 15), D(2023, 6, 15), True),
])
def test_as_of_overlaps_a_window_when_any_day_it_may_be_falls_inside(text, lo, hi, inside):
    assert Period.as_of(text).overlaps(lo, hi) is inside


@pytest.mark.parametrize(("text", "kind", "longer"), [
    ("2022", "year", False), ("2022-03", "month", False), ("2022-03-05", "day", False),
    ("2023-01..2023-05", "span", False), ("2016..2020", "span", True),
    ("2022-11..2023-02", "span", False), ("2022-06-15..2023-06-14", "span", False),
    ("2022-06-15..2023-06-15", "span", True), ("2022-01-15..2023-01-14", "span", False),
    ("2020-02-29..2021-02-28", "span", False), ("2020-02-29..2021-03-01", "span", True),
])
def test_period_kind_and_length(text, kind, longer):
    period = Period.parse(text)
    assert (period.kind, period.longer_than_a_year()) == (kind, longer)


def test_as_of_rejects_an_impossible_date():
    with pytest.raises(DateError):
        Period.as_of("2023-02-30")


# ---------------------------------------------------------------- overlap
Y2023 = (D(2023, 1, 1), D(2023, 12, 31))


@pytest.mark.parametrize(
    ("period", "overlaps_2023"),
    [
        (Period.parse("2023"), True),
        (Period.parse("2022"), False),
        (Period.parse("2024"), False),
        (Period.parse("2023-01..2023-05"), True),
        (Period.parse("2022-11..2023-02"), True),  # straddles the new year
        (Period.parse("2021..2025"), True),  # covers the whole year
        (Period.parse("2022-12-31"), False),  # the day before
        (Period.parse("2023-12-31"), True),  # the last day
        (Period.parse("2024-01-01"), False),  # the day after
        (Period.as_of("2023-05"), True),
        (Period.as_of("2022-12"), False),  # a stock at the end of 2022 is not a 2023 figure
        (Period.as_of("2023"), True),
    ],
)
def test_overlap_with_a_year(period, overlaps_2023):
    assert period.overlaps(*Y2023) is overlaps_2023


def test_overlap_with_open_ends():
    period = Period.parse("2019-07")
    assert period.overlaps(None, None)
    assert period.overlaps(D(2019, 7, 31), None)
    assert not period.overlaps(D(2019, 8, 1), None)
    assert period.overlaps(None, D(2019, 7, 1))
    assert not period.overlaps(None, D(2019, 6, 30))


def test_partial_dates_of_mixed_precision_can_be_ordered():
    texts = ["2018-07-15", "2019", "2018-07", "2018", "2018-07-01", "2017-12-31"]
    ordered = sorted(PartialDate.parse(t) for t in texts)
    # chronological; a year before the months in it, a month before its days
    assert [str(d) for d in ordered] == ["2017-12-31", "2018", "2018-07", "2018-07-01",
                                         "2018-07-15", "2019"]


@pytest.mark.parametrize("year", [1900, 2000, 2023, 2024, 2100, 9999])
def test_a_month_ends_on_its_last_day_in_every_month_and_leap_year(year):
    import calendar

    for month in range(1, 13):
        last = PartialDate(year, month).last_day()
        assert last == dt.date(year, month, calendar.monthrange(year, month)[1])
        if (year, month) != (9999, 12):  # the day after the last date Python has
            assert (last + dt.timedelta(days=1)).day == 1
