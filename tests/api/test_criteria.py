"""A list's filters are declared once: what reads the declaration refuses a table that misses a filter or names an unknown one."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from api.graphql.filtering import read_filter
from domain.errors import InvalidInput
from domain.read.criteria import arguments, check_covered, criteria, given
from domain.read.filters import DateRange, ExpulsionFilter, MissionFilter, StatementFilter
from domain.record.missions import Mission
from persistence.write.base import SqlRepository
from persistence.write.missions import SqlMissionRepository


async def _as_written(field: str, code: str | None, /, *, members: bool = False) -> str | None:
    return None if code is None else code.upper()


def test_a_repository_without_a_condition_for_a_declared_filter_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match=r"missing \['host_state'\]"):

        class Incomplete(SqlRepository[Mission, MissionFilter]):
            table = SqlMissionRepository.table

            def where_sending_state(self, code: str) -> Any:
                return self.table.c.sending_state == code


def test_a_handler_table_naming_an_undeclared_filter_is_refused() -> None:
    handled = dict.fromkeys([*criteria(MissionFilter), "flag_state"], None)

    with pytest.raises(TypeError, match=r"unknown \['flag_state'\]"):
        check_covered(MissionFilter, handled, "a table")


def test_the_declared_order_of_the_measures_filters_is_the_order_of_their_arguments() -> None:
    names = [argument.name for argument in arguments(ExpulsionFilter)]

    assert names[:6] == ["actor", "target", "party", "member_of", "target_member_of", "between"]
    assert names[-2:] == ["wave_id", "search"]
    assert "names_diplomat" not in names


async def test_arguments_are_read_into_the_filter_they_declare() -> None:
    read = await read_filter(
        ExpulsionFilter,
        _as_written,
        {"actor": ["pl", "PL", "de"], "between": ["ru", "us"], "announced_to": date(2022, 3, 31), "search": "spies"},
    )

    assert read == ExpulsionFilter(actor=("PL", "DE"), pair=("RU", "US"), announced=DateRange(end=date(2022, 3, 31)), search="spies")
    assert given(read) == {"actor": ("PL", "DE"), "pair": ("RU", "US"), "announced": DateRange(end=date(2022, 3, 31)), "search": "spies"}


async def test_a_blank_speaker_narrows_nothing_and_an_unknown_argument_is_a_fault() -> None:
    assert await read_filter(StatementFilter, _as_written, {"speaker": "   "}) == StatementFilter()
    with pytest.raises(TypeError, match="speakers"):
        await read_filter(StatementFilter, _as_written, {"speakers": "x"})


async def test_a_between_of_other_than_two_codes_is_refused_naming_the_argument() -> None:
    with pytest.raises(InvalidInput) as refused:
        await read_filter(ExpulsionFilter, _as_written, {"between": ["RU"]})

    assert refused.value.field == "between"
