"""Database faults become the port's errors: a value the store cannot hold is the caller's invalid input,
and a store that does not answer in time is unavailable, on a read session and in a unit of work."""

from __future__ import annotations

import asyncio
from typing import cast

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import InvalidInput, StorageUnavailable
from persistence.write.read_session import SqlReadSession
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.integration import drafts
from tests.integration.test_unit_of_work import wave_count

TOO_BIG = {"sqlite": 2**70, "postgresql": 2**31}
"""An id past what the database's integer holds (SQLite: 64 bits; PostgreSQL's id columns: 32)."""


async def test_an_id_past_the_databases_integers_is_invalid_input_not_an_outage(uow_factory: SqlUnitOfWorkFactory, backend: str) -> None:
    with pytest.raises(InvalidInput):
        async with uow_factory.reader() as uow:
            await uow.waves.get(TOO_BIG[backend])
    session = uow_factory.read_session()
    with pytest.raises(InvalidInput):
        async with session.use() as repositories:
            await repositories.waves.get(TOO_BIG[backend])
    async with session.use() as repositories:  # the session is still usable
        assert await repositories.waves.get(1) is None
    await session.close()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_a_nul_character_is_invalid_input_and_nothing_is_written(uow_factory: SqlUnitOfWorkFactory) -> None:
    async def write() -> None:
        async with uow_factory() as uow:
            await uow.waves.add(drafts.wave(name="Before\x00after"))
            await uow.commit()

    with pytest.raises(InvalidInput):
        await write()
    assert await wave_count(uow_factory) == 0


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_a_statement_past_the_statement_timeout_is_unavailable_and_the_store_recovers(database_url: str, engine: AsyncEngine) -> None:
    from persistence.sql.engine import create_engine

    quick = create_engine(database_url, statement_timeout=0.2, connect_timeout=2, pool_timeout=2)
    uow_factory = SqlUnitOfWorkFactory(quick)
    try:
        started = asyncio.get_running_loop().time()
        with pytest.raises(StorageUnavailable):
            async with uow_factory() as uow:
                await uow.waves.connection.exec_driver_sql("SELECT pg_sleep(5)")
        assert asyncio.get_running_loop().time() - started < 2
        async with uow_factory() as uow:
            await uow.waves.add(drafts.wave())
            await uow.commit()
        assert await wave_count(uow_factory) == 1
    finally:
        await quick.dispose()


class UnansweringEngine:
    """Stands in for an engine whose database does not answer: every connection attempt times out."""

    def __init__(self) -> None:
        self.attempts = 0

    async def connect(self) -> None:
        self.attempts += 1
        raise TimeoutError


async def test_a_read_session_that_lost_the_store_fails_at_once_for_the_rest_of_its_request() -> None:
    engine = UnansweringEngine()
    session = SqlReadSession(cast(AsyncEngine, engine))
    for _ in range(3):
        with pytest.raises(StorageUnavailable):
            async with session.use():
                pass
    assert engine.attempts == 1
