"""A use case keeps all of its changes or none of them; the demo record loads once, whole."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from domain.errors import DomainError, InvalidInput, NotFound
from domain.read.filters import ExpulsionFilter, NoFilter, StatementFilter
from domain.read.pagination import PageRequest
from domain.use_cases import expulsions, statements
from persistence.exchange.demo import LoadReport, demo_record, load_record
from tests.fakes import FakeUnitOfWorkFactory
from tests.unit import drafts
from tests.unit.drafts import day


async def test_a_failed_use_case_leaves_the_record_unchanged(fake_units: FakeUnitOfWorkFactory) -> None:
    action = await drafts.stored_measure(fake_units, announced=day("2022-03"))
    reply = await drafts.stored_measure(fake_units, actor="RU", target="US", announced=day("2022-03"), answers=(action,))
    before, commits = fake_units.committed(), fake_units.commits

    with pytest.raises(InvalidInput, match="cycle"):
        await expulsions.link_answer(action, reply, uow=fake_units())

    assert fake_units.committed() == before
    assert fake_units.commits == commits


async def test_a_failure_after_a_write_in_the_same_unit_of_work_rolls_the_write_back(fake_units: FakeUnitOfWorkFactory) -> None:
    await drafts.stored_measure(fake_units)
    before = fake_units.committed()

    async def source_then_a_measure_by_an_unknown_actor() -> None:
        async with fake_units() as uow:
            await statements.sources.add(drafts.source(), uow)
            await expulsions.expulsions.add(drafts.measure(actor="ZZ"), uow)
            await uow.commit()

    with pytest.raises(NotFound):
        await source_then_a_measure_by_an_unknown_actor()

    assert fake_units.committed() == before
    async with fake_units() as uow:
        assert await uow.sources.count(NoFilter()) == 0
        assert await uow.expulsions.count(ExpulsionFilter()) == 1


async def test_changes_in_a_unit_of_work_left_without_commit_are_dropped(fake_units: FakeUnitOfWorkFactory) -> None:
    async with fake_units() as uow:
        wave = await uow.waves.add(drafts.wave())

    async with fake_units() as uow:
        assert await uow.waves.get(drafts.id_of(wave)) is None


async def test_a_unit_of_work_does_not_see_what_another_has_not_committed(fake_units: FakeUnitOfWorkFactory) -> None:
    async with fake_units() as writer:
        wave = await writer.waves.add(drafts.wave())
        async with fake_units() as reader:
            assert await reader.waves.get(drafts.id_of(wave)) is None
        await writer.commit()

    async with fake_units() as reader:
        assert await reader.waves.get(drafts.id_of(wave)) == wave


async def test_a_writer_that_would_overwrite_another_writers_commit_fails_loudly(fake_units: FakeUnitOfWorkFactory) -> None:
    async with fake_units() as first:
        await first.waves.add(drafts.wave(name="first"))
        async with fake_units() as second:
            await second.waves.add(drafts.wave(name="second"))
            await second.commit()
        with pytest.raises(RuntimeError, match="committed meanwhile"):
            await first.commit()

    async with fake_units() as uow:
        assert [wave.name for wave in (await uow.waves.list(NoFilter(), PageRequest())).items] == ["second"]


async def test_a_unit_of_work_is_entered_once_and_used_only_inside(fake_units: FakeUnitOfWorkFactory) -> None:
    uow = fake_units()
    with pytest.raises(RuntimeError, match="inside"):
        _ = uow.expulsions
    async with uow:
        pass
    with pytest.raises(RuntimeError, match="entered once"):
        await uow.__aenter__()
    with pytest.raises(RuntimeError, match="outside"):
        await uow.commit()


async def test_a_reader_never_commits(fake_units: FakeUnitOfWorkFactory) -> None:
    async with fake_units.reader() as uow:
        with pytest.raises(RuntimeError, match="read-only"):
            await uow.commit()


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
