"""LISTEN/NOTIFY on a real PostgreSQL: a committed write notifies, a rolled-back one does not, and a listener whose
backend is terminated goes deaf and comes back by itself."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.record.sources import Source, SourceKind
from domain.use_cases.statements import sources
from persistence.live.changes import ChangeSignal
from persistence.live.listener import APPLICATION_NAME, Backoff, ChangeListener, asyncpg_connector
from persistence.write.unit_of_work import CHANGES_CHANNEL, SqlUnitOfWorkFactory

POSTGRES_ONLY = pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)


async def eventually(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait until `condition` holds (checked every few milliseconds), failing after `seconds`."""
    async with asyncio.timeout(seconds):
        while True:
            if condition():
                return
            await asyncio.sleep(0.01)


async def add_source(uow_factory: SqlUnitOfWorkFactory, *, commit: bool) -> None:
    async with uow_factory() as uow:
        await sources.add(Source(publisher="Agency", title="Report", kind=SourceKind.WIRE_AGENCY), uow)
        if commit:
            await uow.commit()


@POSTGRES_ONLY
async def test_a_committed_write_notifies_with_a_small_payload_and_a_rolled_back_one_does_not(
    engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory, database_url: str
) -> None:
    payloads: list[str] = []
    watcher = await asyncpg.connect(database_url.replace("postgresql://", "postgres://"))
    try:
        await watcher.add_listener(CHANGES_CHANNEL, lambda *args: payloads.append(args[3]))
        await add_source(uow_factory, commit=False)
        await add_source(uow_factory, commit=True)
        await eventually(lambda: len(payloads) == 1)
        await asyncio.sleep(0.2)  # the rolled-back write's notification, had there been one, would have come first
        assert len(payloads) == 1
        payload = json.loads(payloads[0])
        assert payload["writer"].endswith(f":{os.getpid()}")
        assert set(payload) == {"writer", "entry"}  # no record version: on PostgreSQL it is derived from the history
        assert isinstance(payload["entry"], int)
        assert len(payloads[0].encode()) < 200
    finally:
        await watcher.close()


@POSTGRES_ONLY
async def test_a_listener_hears_another_writers_commit_and_recovers_when_its_backend_is_terminated(
    engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory, database_url: str
) -> None:
    signal = ChangeSignal()
    name = f"test-{os.getpid()}"
    listener = ChangeListener(
        asyncpg_connector(database_url, timeout=5, process=name), signal, backoff=Backoff(first=0.05, most=0.5, jitter=0)
    )
    await listener.start(wait=5)
    admin = await asyncpg.connect(database_url.replace("postgresql://", "postgres://"))
    try:
        assert signal.live
        before = signal.generation
        await add_source(uow_factory, commit=True)  # `units` has no signal of its own: only the notification can move this one
        await eventually(lambda: signal.generation > before)
        terminated = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", f"{APPLICATION_NAME}:{name}"
        )
        assert terminated == 1
        await eventually(lambda: listener.reconnections == 1 and signal.live)
        before = signal.generation
        await add_source(uow_factory, commit=True)
        await eventually(lambda: signal.generation > before)
    finally:
        await admin.close()
        await listener.stop()
