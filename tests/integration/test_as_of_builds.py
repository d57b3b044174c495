"""The record at past instants is built one snapshot at a time, and a request does not wait long for it.

A caller asking a new instant each time would otherwise queue every other `asOf` request behind its copies of the
record: a request that would wait longer than the snapshots' bound is refused as unavailable, and one asking an
instant already built answers at once, whatever is being built.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import StorageUnavailable
from domain.use_cases.missions import diplomats
from persistence.read.as_of import Snapshots
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.integration import drafts


async def _instant() -> datetime:
    await asyncio.sleep(0.01)
    at = datetime.now(UTC)
    await asyncio.sleep(0.01)
    return at


async def test_a_request_waiting_too_long_for_a_snapshot_is_refused_and_a_kept_one_never_waits(
    uow_factory: SqlUnitOfWorkFactory, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = await diplomats.create(drafts.diplomat(name="First Name"), uow=uow_factory.acting_as("alice")())
    assert created.id is not None
    first = await _instant()
    await diplomats.update(created.id, {"name": "Second Name"}, uow=uow_factory.acting_as("alice")())
    second = await _instant()
    await diplomats.update(created.id, {"name": "Third Name"}, uow=uow_factory.acting_as("alice")())

    snapshots = Snapshots(engine, wait=0.2)
    try:
        kept, _ = await snapshots.at(first, personal=True)
        assert kept is not None

        building, release = asyncio.Event(), asyncio.Event()
        build = snapshots._build

        async def slow_build(at: datetime, personal: bool) -> Any:
            building.set()
            await release.wait()
            return await build(at, personal)

        monkeypatch.setattr(snapshots, "_build", slow_build)
        slow = asyncio.create_task(snapshots.at(second, personal=True))
        await asyncio.wait_for(building.wait(), 10)

        started = asyncio.get_running_loop().time()
        with pytest.raises(StorageUnavailable, match="being built for other requests"):
            await snapshots.at(second, personal=False)
        waited = asyncio.get_running_loop().time() - started
        assert 0.2 <= waited < 5, waited

        again, _ = await asyncio.wait_for(snapshots.at(first, personal=True), 1)
        assert again is kept

        release.set()
        built, instant = await asyncio.wait_for(slow, 30)
        assert built is not None
        assert built is not kept
        assert instant.at == second
        monkeypatch.undo()
        # The waiter's instant can be asked again once the build before it is done.
        other, _ = await asyncio.wait_for(snapshots.at(second, personal=False), 30)
        assert other is not None
    finally:
        await snapshots.close()
