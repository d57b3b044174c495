"""A use case keeps all of its changes or none of them, and a unit of work is used as the port says."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput, NotFound
from domain.read.filters import ExpulsionFilter, NoFilter
from domain.read.pagination import PageRequest
from domain.use_cases import expulsions, statements
from tests import drafts
from tests.drafts import day
from tests.fakes import FakeUnitOfWorkFactory


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
