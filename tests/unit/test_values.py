"""Partial dates stand for their whole span; headcounts never turn "unknown" into 0."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.record.values import MAX_HEADCOUNT, Headcount, HeadcountQualifier, PartialDate, Precision


@pytest.mark.parametrize(
    ("text", "parts", "precision"),
    [
        ("2022", (2022, None, None), Precision.YEAR),
        ("2022-03", (2022, 3, None), Precision.MONTH),
        ("2022-03-23", (2022, 3, 23), Precision.DAY),
    ],
)
def test_parse_reads_year_month_and_day_forms_with_their_precision(
    text: str, parts: tuple[int, int | None, int | None], precision: Precision
) -> None:
    parsed = PartialDate.parse("announced", text)

    assert (parsed.year, parsed.month, parsed.day) == parts
    assert parsed.precision is precision
    assert str(parsed) == text


def test_parse_ignores_surrounding_blanks() -> None:
    assert PartialDate.parse("announced", "  2022-03 \n") == PartialDate(2022, 3)


@pytest.mark.parametrize(
    "text",
    ["", "22", "2022-3", "2022-03-1", "2022/03/01", "23.03.2022", "March 2022", "2022-03-01T10:00", "2022-03-", "-2022", "2022 03"],
)
def test_parse_refuses_other_forms_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        PartialDate.parse("deadline", text)

    assert refused.value.field == "deadline"
    assert "YYYY" in refused.value.message


@pytest.mark.parametrize("text", ["2022-02-30", "2022-04-31", "2022-13", "2022-00", "2022-03-00", "2022-03-32", "0000"])
def test_parse_refuses_dates_that_do_not_exist(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        PartialDate.parse("notified", text)

    assert refused.value.field == "notified"
    assert "not a real date" in refused.value.message


@pytest.mark.parametrize("year", [2024, 2000, 1600])
def test_february_29th_exists_in_leap_years(year: int) -> None:
    assert PartialDate.parse("said_on", f"{year}-02-29").end == date(year, 2, 29)


@pytest.mark.parametrize("year", [2023, 1900, 2100])
def test_february_29th_is_refused_outside_leap_years(year: int) -> None:
    with pytest.raises(InvalidInput):
        PartialDate.parse("said_on", f"{year}-02-29")


def test_a_day_without_a_month_is_refused() -> None:
    with pytest.raises(ValueError, match="a day needs a month"):
        PartialDate(2022, None, 5)


def test_a_year_is_written_with_four_digits() -> None:
    assert str(PartialDate(987)) == "0987"
    assert PartialDate.parse("published", "0987") == PartialDate(987)


def test_of_a_calendar_date_is_known_to_the_day() -> None:
    known = PartialDate.of(date(2022, 3, 23))

    assert known == PartialDate(2022, 3, 23)
    assert known.precision is Precision.DAY


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2022", date(2022, 1, 1), date(2022, 12, 31)),
        ("2022-03", date(2022, 3, 1), date(2022, 3, 31)),
        ("2022-04", date(2022, 4, 1), date(2022, 4, 30)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2022-03-23", date(2022, 3, 23), date(2022, 3, 23)),
    ],
)
def test_a_partial_date_spans_its_whole_year_month_or_day(text: str, start: date, end: date) -> None:
    span = PartialDate.parse("announced", text)

    assert (span.start, span.end) == (start, end)


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("2022-03-22", "2022-03-23"),
        ("2022-02", "2022-03-01"),
        ("2022-03-31", "2022-04"),
        ("2021", "2022-01-01"),
        ("2022-12", "2023"),
    ],
)
def test_certainly_before_when_every_day_precedes_every_day_of_the_other(earlier: str, later: str) -> None:
    first, second = PartialDate.parse("a", earlier), PartialDate.parse("b", later)

    assert first.certainly_before(second)
    assert not second.certainly_before(first)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("2022-03", "2022-03-15"),
        ("2022-03", "2022-03-01"),
        ("2022-03", "2022-03-31"),
        ("2022", "2022-07"),
        ("2022-03-23", "2022-03-23"),
    ],
)
def test_overlapping_spans_are_not_certainly_before_each_other(one: str, other: str) -> None:
    first, second = PartialDate.parse("a", one), PartialDate.parse("b", other)

    assert not first.certainly_before(second)
    assert not second.certainly_before(first)


def test_an_unknown_headcount_has_no_number() -> None:
    unknown = Headcount.unknown()

    assert unknown.value is None
    assert not unknown.is_known
    assert unknown != Headcount.exactly(0)


def test_an_unknown_headcount_refuses_a_number_even_zero() -> None:
    with pytest.raises(ValueError, match="no number"):
        Headcount(HeadcountQualifier.UNKNOWN, 0)


@pytest.mark.parametrize("qualifier", [HeadcountQualifier.EXACT, HeadcountQualifier.APPROXIMATE, HeadcountQualifier.AT_LEAST])
def test_a_qualified_headcount_needs_a_number(qualifier: HeadcountQualifier) -> None:
    with pytest.raises(ValueError, match="needs a number"):
        Headcount(qualifier)


@pytest.mark.parametrize("value", [0, 1, 25, MAX_HEADCOUNT])
def test_headcounts_from_zero_to_the_upper_bound_are_accepted(value: int) -> None:
    counted = Headcount(HeadcountQualifier.AT_LEAST, value)

    assert counted.value == value
    assert counted.is_known


@pytest.mark.parametrize("value", [-1, MAX_HEADCOUNT + 1])
def test_headcounts_outside_the_bounds_are_refused(value: int) -> None:
    with pytest.raises(ValueError, match="lies between"):
        Headcount.exactly(value)


@pytest.mark.parametrize("value", [True, False, 12.0, "12"])
def test_a_headcount_is_a_whole_number_not_a_bool_float_or_text(value: object) -> None:
    with pytest.raises(ValueError, match="whole number"):
        Headcount(HeadcountQualifier.APPROXIMATE, value)  # type: ignore[arg-type]


def test_build_reports_a_broken_headcount_as_invalid_input_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        Headcount.build("headcount", HeadcountQualifier.EXACT, -3)

    assert refused.value.field == "headcount"


def test_build_makes_a_valid_headcount() -> None:
    assert Headcount.build("headcount", HeadcountQualifier.APPROXIMATE, 25) == Headcount(HeadcountQualifier.APPROXIMATE, 25)
