"""The demo record (an adapter's data file) loads through the use cases once, whole, or not at all."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from domain.errors import DomainError, InvalidInput
from domain.read.filters import ExpulsionFilter, StatementFilter
from domain.read.pagination import PageRequest
from persistence.exchange.demo import LoadReport, demo_record, load_record
from tests.fakes import FakeUnitOfWorkFactory


async def test_the_demo_record_loads_four_measures_and_seven_statements(fake_units: FakeUnitOfWorkFactory) -> None:
    report = await load_record(demo_record(), uow=fake_units())

    assert report == LoadReport(measures=4, statements=7, sources=4, citations=16)
    async with fake_units() as uow:
        assert await uow.expulsions.count(ExpulsionFilter()) == 4
        assert await uow.statements.count(StatementFilter()) == 7


async def test_loading_the_demo_record_twice_loads_nothing_the_second_time(fake_units: FakeUnitOfWorkFactory) -> None:
    await load_record(demo_record(), uow=fake_units())
    after_first = fake_units.committed()

    assert await load_record(demo_record(), uow=fake_units()) is None
    assert fake_units.committed() == after_first


async def test_the_demo_record_keeps_russias_answer_to_the_us_expulsion(fake_units: FakeUnitOfWorkFactory) -> None:
    await load_record(demo_record(), uow=fake_units())

    async with fake_units() as uow:
        (us,) = (await uow.expulsions.list(ExpulsionFilter(actor=("US",)), PageRequest(first=5))).items
        (ru,) = (await uow.expulsions.list(ExpulsionFilter(actor=("RU",)), PageRequest(first=5))).items

    assert ru.answers == (us.id,)
    assert us.headcount.value == 12
    assert not ru.headcount.is_known


def _broken(record: dict[str, Any], where: str, **changes: Any) -> dict[str, Any]:
    broken = copy.deepcopy(record)
    section, index = where.split(".")
    broken[section][int(index)].update(changes)
    return broken


@pytest.mark.parametrize(
    ("where", "changes"),
    [("measures.3", {"actor": "ZZ"}), ("statements.6", {"quote_language": "English"}), ("measures.2", {"announced": "2022-02-30"})],
)
async def test_a_record_that_fails_part_way_stores_nothing(fake_units: FakeUnitOfWorkFactory, where: str, changes: dict[str, Any]) -> None:
    before = fake_units.committed()

    with pytest.raises(DomainError):
        await load_record(_broken(demo_record(), where, **changes), uow=fake_units())

    assert fake_units.committed() == before


async def test_a_file_of_another_format_is_refused_naming_the_format(fake_units: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(InvalidInput) as refused:
        await load_record({**demo_record(), "format": "something-else/2"}, uow=fake_units())

    assert refused.value.field == "format"
