"""The SQL unit of work: one transaction that keeps everything on commit and nothing otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from domain.errors import StorageUnavailable
from domain.filters import NoFilter
from domain.pagination import PageRequest
from persistence.engine import create_engine
from persistence.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.integration import drafts
from tests.integration.conftest import Store


async def wave_count(units: SqlUnitOfWorkFactory) -> int:
    async with units.reader() as uow:
        return await uow.waves.count(NoFilter())


async def test_committed_writes_are_seen_by_the_next_unit_of_work(units: SqlUnitOfWorkFactory) -> None:
    async with units() as uow:
        stored = await uow.waves.add(drafts.wave())
        await uow.commit()
    async with units.reader() as uow:
        assert await uow.waves.get(stored.id or 0) == stored


async def test_writes_without_commit_are_discarded(units: SqlUnitOfWorkFactory) -> None:
    async with units() as uow:
        stored = await uow.waves.add(drafts.wave())
        assert await uow.waves.get(stored.id or 0) == stored
    assert await wave_count(units) == 0


async def test_an_exception_inside_rolls_back_and_propagates_unchanged(units: SqlUnitOfWorkFactory, store: Store) -> None:
    class Interrupted(Exception):
        pass

    before = await store.row_counts()

    async def write_then_fail() -> None:
        async with units() as uow:
            await uow.waves.add(drafts.wave())
            await uow.sources.add(drafts.source())
            raise Interrupted

    with pytest.raises(Interrupted):
        await write_then_fail()
    assert await store.row_counts() == before


async def test_writes_after_commit_in_the_same_unit_of_work_are_not_kept(units: SqlUnitOfWorkFactory) -> None:
    async with units() as uow:
        await uow.waves.add(drafts.wave("kept"))
        await uow.commit()
        await uow.waves.add(drafts.wave("discarded"))
    async with units.reader() as uow:
        page = await uow.waves.list(NoFilter(), PageRequest(first=10))
    assert [wave.name for wave in page.items] == ["kept"]


async def test_one_commit_keeps_writes_to_several_aggregates_together(units: SqlUnitOfWorkFactory, store: Store) -> None:
    async with units() as uow:
        measure = await uow.expulsions.add(drafts.measure())
        origin = await uow.sources.add(drafts.source())
        cited = await uow.citations.add(drafts.citation(source_id=origin.id, measure_id=measure.id))
        await uow.commit()
    assert await store.get(type(cited), cited.id or 0) == cited


async def test_a_reader_refuses_to_commit(units: SqlUnitOfWorkFactory) -> None:
    async with units.reader() as uow:
        await uow.waves.add(drafts.wave())
        with pytest.raises(RuntimeError, match="read-only"):
            await uow.commit()
    assert await wave_count(units) == 0


async def test_a_unit_of_work_cannot_be_entered_while_it_is_open(units: SqlUnitOfWorkFactory) -> None:
    uow = units()
    async with uow:
        with pytest.raises(RuntimeError, match="entered once"):
            await uow.__aenter__()


async def test_commit_outside_the_unit_of_work_is_refused(units: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError, match="outside"):
        await units().commit()


async def test_a_database_failure_that_is_no_conflict_becomes_storage_unavailable(units: SqlUnitOfWorkFactory) -> None:
    async def write_then_run_broken_sql() -> None:
        async with units() as uow:
            await uow.waves.add(drafts.wave())
            await uow.waves.connection.execute(text("SELECT no_such_column FROM wave"))

    with pytest.raises(StorageUnavailable):
        await write_then_run_broken_sql()
    assert await wave_count(units) == 0


async def test_an_unreachable_database_becomes_storage_unavailable(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'no-such-directory' / 'demarche.db'}"
    else:
        server, _, _ = str(request.getfixturevalue("postgres_database")).rpartition("/")
        url = f"{server}/demarche_no_such_database"
    engine = create_engine(url)
    try:
        with pytest.raises(StorageUnavailable):
            async with SqlUnitOfWork(engine, writing=False):
                pass
    finally:
        await engine.dispose()
