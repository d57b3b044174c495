"""Years, months, days, headcounts and record ids are held to their bounds exactly: the last value allowed passes, the next is refused."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.record.values import MAX_HEADCOUNT, MAX_RECORD_ID, Headcount, HeadcountQualifier, PartialDate, Precision, record_id


@pytest.mark.parametrize("year", [1, 2, 9998, 9999])
def test_a_year_from_1_to_9999_is_a_date(year: int) -> None:
    assert PartialDate(year).year == year
    assert PartialDate.parse("announced", f"{year:04d}") == PartialDate(year)


@pytest.mark.parametrize("year", [0, -1, 10_000])
def test_a_year_outside_1_to_9999_is_refused(year: int) -> None:
    with pytest.raises(ValueError, match="year"):
        PartialDate(year)


def test_year_zero_is_refused_as_input_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        PartialDate.parse("announced", "0000")

    assert refused.value.field == "announced"


def test_the_first_and_last_days_that_can_be_written_span_their_years() -> None:
    assert (PartialDate(1).start, PartialDate(1).end) == (date(1, 1, 1), date(1, 12, 31))
    assert (PartialDate(9999).start, PartialDate(9999).end) == (date(9999, 1, 1), date(9999, 12, 31))


@pytest.mark.parametrize("month", [1, 12])
def test_months_1_and_12_are_months(month: int) -> None:
    assert PartialDate(2022, month).month == month


@pytest.mark.parametrize("month", [0, 13, -1])
def test_a_month_outside_1_to_12_is_refused(month: int) -> None:
    with pytest.raises(ValueError, match="month"):
        PartialDate(2022, month)


@pytest.mark.parametrize(("month", "last"), [(1, 31), (2, 28), (4, 30), (12, 31)])
def test_days_run_from_the_first_to_the_last_of_their_month(month: int, last: int) -> None:
    assert PartialDate(2023, month, 1).day == 1
    assert PartialDate(2023, month, last).day == last
    with pytest.raises(ValueError, match="day"):
        PartialDate(2023, month, last + 1)
    with pytest.raises(ValueError, match="day"):
        PartialDate(2023, month, 0)


def test_a_day_needs_a_month_even_on_the_first() -> None:
    with pytest.raises(ValueError, match="month"):
        PartialDate(2022, None, 1)


def test_the_end_of_a_month_date_is_its_last_day() -> None:
    assert PartialDate(2023, 12).end == date(2023, 12, 31)
    assert PartialDate(2023, 1).end == date(2023, 1, 31)
    assert PartialDate(2023, 11).end == date(2023, 11, 30)
    assert PartialDate(2023, 2, 14).end == date(2023, 2, 14)
    assert PartialDate(2023, 2, 14).start == date(2023, 2, 14)
    assert PartialDate(2023, 11).start == date(2023, 11, 1)


def test_the_precision_follows_the_last_part_known() -> None:
    assert [PartialDate(2022).precision, PartialDate(2022, 3).precision, PartialDate(2022, 3, 1).precision] == [
        Precision.YEAR,
        Precision.MONTH,
        Precision.DAY,
    ]


def test_a_date_is_written_with_zero_padded_parts() -> None:
    assert str(PartialDate(5, 1, 2)) == "0005-01-02"
    assert str(PartialDate(2022, 10)) == "2022-10"
    assert str(PartialDate(2022)) == "2022"


@pytest.mark.parametrize("text", ["2022-03-23", " 2022-03-23", "2022-03-23\n"])
def test_a_parsed_day_is_the_date_written(text: str) -> None:
    assert PartialDate.parse("announced", text) == PartialDate(2022, 3, 23)


@pytest.mark.parametrize("text", ["\u0662\u0660\u0662\u0662", "\uff12\uff10\uff12\uff12", "2022-0\uff13", "12022", "2022-03-23-01"])
def test_only_ascii_digits_in_the_three_forms_are_a_date(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        PartialDate.parse("announced", text)

    assert refused.value.field == "announced"


def test_certainly_before_compares_the_end_of_one_with_the_start_of_the_other() -> None:
    assert PartialDate(2022, 3, 31).certainly_before(PartialDate(2022, 4, 1))
    assert not PartialDate(2022, 4, 1).certainly_before(PartialDate(2022, 4, 1))
    assert PartialDate(2021).certainly_before(PartialDate(2022, 1))
    assert not PartialDate(2022).certainly_before(PartialDate(2022, 12, 31))


@pytest.mark.parametrize("qualifier", [HeadcountQualifier.EXACT, HeadcountQualifier.APPROXIMATE, HeadcountQualifier.AT_LEAST])
@pytest.mark.parametrize("value", [0, MAX_HEADCOUNT])
def test_every_known_qualifier_takes_both_bounds(qualifier: HeadcountQualifier, value: int) -> None:
    assert Headcount(qualifier, value).value == value


@pytest.mark.parametrize("qualifier", [HeadcountQualifier.EXACT, HeadcountQualifier.APPROXIMATE, HeadcountQualifier.AT_LEAST])
@pytest.mark.parametrize("value", [-1, MAX_HEADCOUNT + 1])
def test_every_known_qualifier_refuses_one_past_either_bound(qualifier: HeadcountQualifier, value: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        Headcount.build("headcount", qualifier, value)

    assert refused.value.field == "headcount"
    assert refused.value.message


def test_the_largest_headcount_is_a_hundred_thousand() -> None:
    assert MAX_HEADCOUNT == 100_000


def test_the_shorthands_build_what_they_say() -> None:
    assert Headcount.unknown() == Headcount(HeadcountQualifier.UNKNOWN, None)
    assert Headcount.exactly(0) == Headcount(HeadcountQualifier.EXACT, 0)
    assert Headcount.exactly(0).is_known
    assert Headcount.build("headcount", HeadcountQualifier.UNKNOWN, None) == Headcount.unknown()


def test_build_refuses_a_number_for_an_unknown_headcount_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        Headcount.build("reportedHeadcount", HeadcountQualifier.UNKNOWN, 3)

    assert refused.value.field == "reportedHeadcount"
    assert refused.value.message


@pytest.mark.parametrize(
    ("text", "id"),
    [("1", 1), ("42", 42), ("0000000001", 1), ("1000000000", 1_000_000_000), ("2147483647", MAX_RECORD_ID), ("007", 7)],
)
def test_a_record_id_is_written_in_at_most_ten_ascii_digits_up_to_the_largest_id(text: str, id: int) -> None:
    assert record_id(text) == id


@pytest.mark.parametrize(
    "text", ["0", "00", "2147483648", "9999999999", "00000000001", "", "-1", "+1", "1a", " 1", "1.0", "\u0663", "\uff11", "\u00b2"]
)
def test_anything_else_is_no_record_id(text: str) -> None:
    assert record_id(text) is None


def test_the_largest_record_id_is_the_largest_32_bit_integer() -> None:
    assert MAX_RECORD_ID == 2_147_483_647
