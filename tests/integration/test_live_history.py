"""The live history (api/live/hub.py) on SQLite and PostgreSQL: replay then live with no gap and no duplicate, a bounded
queue, and a filter judged on one entry exactly as the history's listing judges it in SQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.live.hub import HistoryHub, Overflow
from domain.read.pagination import PageRequest
from domain.record.expulsions import Wave
from domain.record.history import Change, ChangeAction, HistoryFilter
from domain.use_cases import expulsions
from persistence.live.changes import ChangeSignal
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.drafts import id_of


@pytest.fixture
async def hub(engine: AsyncEngine) -> AsyncIterator[HistoryHub]:
    signal = ChangeSignal()
    running = HistoryHub(SqlUnitOfWorkFactory(engine, signal=signal), signal, queue=5, batch=3)
    await running.start()
    yield running
    await running.stop()


async def _waves(hub: HistoryHub, names: list[str]) -> None:
    for name in names:
        await expulsions.waves.create(Wave(name=name), uow=hub.uow_factory.acting_as("writer")())


async def _take(entries: AsyncIterator[Change], count: int) -> list[Change]:
    async with asyncio.timeout(10):
        return [await anext(entries) for _ in range(count)]


async def test_a_replay_from_after_joins_the_live_entries_with_no_gap_and_no_duplicate(hub: HistoryHub) -> None:
    await _waves(hub, ["seen"])
    async with hub.uow_factory.reader() as uow:
        seen = await uow.history.last_id()
    await _waves(hub, [f"missed {n}" for n in range(7)])  # more than a batch of 3, replayed in three reads
    entries = hub.entries(seen)
    replayed = await _take(entries, 4)
    await _waves(hub, ["live 1", "live 2"])  # committed while the replay is under way
    rest = await _take(entries, 5)
    names = [(change.after or {})["name"] for change in replayed + rest]
    assert names == [f"missed {n}" for n in range(7)] + ["live 1", "live 2"]
    ids = [id_of(change) for change in replayed + rest]
    assert ids == sorted(set(ids))
    await entries.aclose()
    assert hub.listeners == 0


async def test_without_after_only_later_entries_arrive(hub: HistoryHub) -> None:
    await _waves(hub, ["before"])
    entries = hub.entries(None)
    waiting = asyncio.ensure_future(_take(entries, 1))
    await asyncio.sleep(0.1)
    await _waves(hub, ["after"])
    [change] = await waiting
    assert (change.after or {})["name"] == "after"
    await entries.aclose()


async def test_a_listener_that_falls_a_queue_behind_overflows_naming_the_last_entry_it_took(hub: HistoryHub) -> None:
    entries = hub.entries(None)
    waiting = asyncio.ensure_future(_take(entries, 1))
    await asyncio.sleep(0.1)
    await _waves(hub, ["taken"])
    [taken] = await waiting
    await _waves(hub, [f"flood {n}" for n in range(7)])  # the queue holds 5
    async with hub.uow_factory.reader() as uow:
        flooded = await uow.history.last_id()
    async with asyncio.timeout(10):
        while hub.position < flooded:  # noqa: ASYNC110  (every entry handed out before the listener takes one; no event says so)
            await asyncio.sleep(0.01)
    with pytest.raises(Overflow) as overflowed:
        await _take(entries, 7)
    assert overflowed.value.after == taken.id
    assert hub.listeners == 0


async def test_a_filter_admits_one_entry_exactly_as_the_listing_selects_it(hub: HistoryHub) -> None:
    started = datetime.now(UTC) - timedelta(seconds=1)
    await _waves(hub, ["one", "two"])
    async with hub.uow_factory.reader() as uow:
        every = (await uow.history.list(HistoryFilter(since=started), PageRequest(first=100))).items
        filters = [
            HistoryFilter(author="writer"),
            HistoryFilter(author="nobody"),
            HistoryFilter(entity="Wave"),
            HistoryFilter(entity="Expulsion"),
            HistoryFilter(entity="Wave", record_id=every[0].record_id),
            HistoryFilter(actions=frozenset({ChangeAction.CREATE})),
            HistoryFilter(actions=frozenset({ChangeAction.DELETE})),
            HistoryFilter(until=started),
        ]
        for filter in filters:
            listed = (await uow.history.list(filter, PageRequest(first=100))).items
            assert [c.id for c in every if filter.admits(c)] == [c.id for c in listed if c.id in {e.id for e in every}], filter
