"""The SQL unit of work: one transaction that keeps everything on commit and nothing otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from domain.errors import StorageUnavailable
from domain.read.filters import NoFilter
from domain.read.pagination import PageRequest
from persistence.sql.engine import create_engine
from persistence.write.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.conftest import contract
from tests.integration import drafts
from tests.integration.conftest import Store

pytestmark = contract


async def wave_count(uow_factory: SqlUnitOfWorkFactory) -> int:
    async with uow_factory.reader() as uow:
        return await uow.waves.count(NoFilter())


async def test_committed_writes_are_seen_by_the_next_unit_of_work(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        stored = await uow.waves.add(drafts.wave())
        await uow.commit()
    async with uow_factory.reader() as uow:
        assert await uow.waves.get(stored.id or 0) == stored


async def test_writes_without_commit_are_discarded(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        stored = await uow.waves.add(drafts.wave())
        assert await uow.waves.get(stored.id or 0) == stored
    assert await wave_count(uow_factory) == 0


async def test_an_exception_inside_rolls_back_and_propagates_unchanged(uow_factory: SqlUnitOfWorkFactory, store: Store) -> None:
    class Interrupted(Exception):
        pass

    before = await store.row_counts()

    async def write_then_fail() -> None:
        async with uow_factory() as uow:
            await uow.waves.add(drafts.wave())
            await uow.sources.add(drafts.source())
            raise Interrupted

    with pytest.raises(Interrupted):
        await write_then_fail()
    assert await store.row_counts() == before


async def test_writes_after_commit_in_the_same_unit_of_work_are_not_kept(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.waves.add(drafts.wave("kept"))
        await uow.commit()
        await uow.waves.add(drafts.wave("discarded"))
    async with uow_factory.reader() as uow:
        page = await uow.waves.list(NoFilter(), PageRequest(first=10))
    assert [wave.name for wave in page.items] == ["kept"]


async def test_one_commit_keeps_writes_to_several_aggregates_together(uow_factory: SqlUnitOfWorkFactory, store: Store) -> None:
    async with uow_factory() as uow:
        measure = await uow.expulsions.add(drafts.measure())
        origin = await uow.sources.add(drafts.source())
        cited = await uow.citations.add(drafts.citation(source_id=origin.id, measure_id=measure.id))
        await uow.commit()
    assert await store.get(type(cited), cited.id or 0) == cited


async def test_a_reader_refuses_to_commit(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory.reader() as uow:
        await uow.waves.add(drafts.wave())
        with pytest.raises(RuntimeError, match="read-only"):
            await uow.commit()
    assert await wave_count(uow_factory) == 0


async def test_a_unit_of_work_cannot_be_entered_while_it_is_open(uow_factory: SqlUnitOfWorkFactory) -> None:
    uow = uow_factory()
    async with uow:
        with pytest.raises(RuntimeError, match="entered once"):
            await uow.__aenter__()


async def test_commit_outside_the_unit_of_work_is_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError, match="outside"):
        await uow_factory().commit()


@pytest.mark.usefixtures("sql_backend")
async def test_a_database_failure_that_is_no_conflict_becomes_storage_unavailable(uow_factory: SqlUnitOfWorkFactory) -> None:
    async def write_then_run_broken_sql() -> None:
        async with uow_factory() as uow:
            await uow.waves.add(drafts.wave())
            await uow.waves.connection.execute(text("SELECT no_such_column FROM wave"))

    with pytest.raises(StorageUnavailable):
        await write_then_run_broken_sql()
    assert await wave_count(uow_factory) == 0


async def test_an_unreachable_database_becomes_storage_unavailable(
    sql_backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    backend = sql_backend
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
