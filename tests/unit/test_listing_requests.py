"""Page requests, filters and the lag between a measure and its answer refuse or report nonsense plainly."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.errors import InvalidInput
from domain.read.analysis import DayLag, HeadcountTally, ThreadLink, lag
from domain.read.filters import DateRange, ExpulsionFilter
from domain.read.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageRequest
from domain.record.sources import figures
from domain.record.values import Headcount, HeadcountQualifier
from tests import drafts
from tests.drafts import day


def test_a_page_request_asks_for_first_or_last_not_both() -> None:
    with pytest.raises(InvalidInput) as refused:
        PageRequest(first=2, last=2)

    assert refused.value.field == "first"


@pytest.mark.parametrize(
    ("changes", "field"), [({"first": -1}, "first"), ({"last": MAX_PAGE_SIZE + 1}, "last"), ({"first": 11, "limit": 10}, "first")]
)
def test_a_page_size_outside_zero_and_the_limit_is_refused(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        PageRequest(**changes)

    assert refused.value.field == field


def test_a_page_request_without_a_size_asks_for_the_default_within_the_limit() -> None:
    assert PageRequest().size == DEFAULT_PAGE_SIZE
    assert PageRequest(limit=5).size == 5
    assert PageRequest(last=3).backward
    assert not PageRequest(first=3).backward


def test_a_plain_id_cursor_is_a_one_value_key() -> None:
    assert PageRequest.as_key(7) == (7,)
    assert PageRequest.as_key(("2022-03-01", 7)) == ("2022-03-01", 7)
    assert PageRequest.as_key(None) is None


def test_a_date_range_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        DateRange(start=date(2022, 4, 1), end=date(2022, 3, 31))

    assert refused.value.field == "to"


def test_a_one_day_date_range_is_accepted() -> None:
    assert DateRange(start=date(2022, 3, 23), end=date(2022, 3, 23)).start == date(2022, 3, 23)


def test_a_headcount_maximum_below_the_minimum_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        ExpulsionFilter(headcount_min=10, headcount_max=5)

    assert refused.value.field == "headcountMax"


@pytest.mark.parametrize(
    ("earlier", "later", "days"),
    [
        ("2022-03-10", "2022-03-23", DayLag(13, 13)),
        ("2022-03", "2022-03-23", DayLag(0, 22)),
        ("2022-03-23", "2022-03", DayLag(0, 8)),
        ("2022-03", "2022-04", DayLag(1, 60)),
        ("2022-03-23", "2022-03-23", DayLag(0, 0)),
    ],
)
def test_the_lag_to_an_answer_spans_the_partial_dates(earlier: str, later: str, days: DayLag) -> None:
    action = drafts.measure(announced=day(earlier))
    answer = drafts.measure(actor="RU", target="US", announced=day(later))

    assert lag(action, answer) == days
    assert ThreadLink(later=answer, earlier=action).lag == days


def test_the_least_number_of_people_counts_floors_but_never_unknown_measures() -> None:
    tally = HeadcountTally(measures=4, known_headcount=57, lower_bound_measures=1, lower_bound_headcount=25, unknown_measures=2)

    assert tally.minimum_headcount == 82
    assert HeadcountTally(measures=3, unknown_measures=3).minimum_headcount == 0


def test_a_tally_has_no_upper_bound_while_any_figure_is_unknown_or_at_least() -> None:
    assert HeadcountTally(measures=2, known_headcount=57, approximate_measures=1).maximum_headcount == 57
    assert HeadcountTally(measures=2, known_headcount=12, unknown_measures=1).maximum_headcount is None
    floor = HeadcountTally(measures=2, known_headcount=12, lower_bound_measures=1, lower_bound_headcount=14)
    assert (floor.minimum_headcount, floor.maximum_headcount) == (26, None)
    assert HeadcountTally().maximum_headcount == 0


def test_figures_range_from_the_lowest_to_the_highest_and_agree_only_on_one_figure() -> None:
    at_least, exactly = Headcount(HeadcountQualifier.AT_LEAST, 14), Headcount.exactly(17)
    found = figures([exactly, None, Headcount.unknown(), at_least, exactly])
    assert found is not None
    assert (found.lowest, found.highest, found.given, found.distinct, found.agree) == (at_least, exactly, 3, 2, False)
    same = figures([Headcount.exactly(3), Headcount.exactly(3)])
    assert same is not None
    assert same.agree
    assert figures([None, Headcount.unknown()]) is None
    approximately = figures([Headcount(HeadcountQualifier.APPROXIMATE, 40), Headcount.exactly(40)])
    assert approximately is not None
    assert not approximately.agree


def test_a_lag_is_certainly_within_days_only_on_its_longest_reading() -> None:
    assert DayLag(min_days=0, max_days=22).certainly_within(22)
    assert not DayLag(min_days=0, max_days=22).certainly_within(21)
    with pytest.raises(InvalidInput) as refused:
        ExpulsionFilter(answered_within_days=-1)
    assert refused.value.field == "answeredWithinDays"
