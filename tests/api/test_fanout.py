"""The fan-out (api/live/fanout.py) against a store that fails on demand: one read per event for any number of
filters, reads tried again until the store answers (never an error for an event that exists), one turn at a time."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from api.live import fanout as fanout_module
from api.live.fanout import FanOut
from domain.errors import StorageUnavailable
from domain.read.filters import ExpulsionFilter
from domain.read.plans import Record

MEASURE = object()
"""Stands for the changed measure: the fan-out hands it on without looking inside."""


class Measures:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def matching(self, filter: ExpulsionFilter, ids: Sequence[int]) -> dict[int, Any]:
        self.store.reads += 1
        return {ids[0]: MEASURE}

    async def admitting(self, filters: Sequence[ExpulsionFilter], id: int) -> list[bool]:
        self.store.judged.append(len(filters))
        return [filter.headcount_min is None or filter.headcount_min <= 3 for filter in filters]


class Store:
    """Read sessions on a store that refuses the next `failures` reads."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.reads = 0
        self.judged: list[int] = []
        self.opened = 0
        self.closed = 0

    def open(self) -> Session:
        self.opened += 1
        return Session(self)


class Session:
    def __init__(self, store: Store) -> None:
        self.store = store

    @contextlib.asynccontextmanager
    async def use(self) -> AsyncIterator[Any]:
        await asyncio.sleep(0.001)
        if self.store.failures:
            self.store.failures -= 1
            raise StorageUnavailable("the database is unavailable")
        repositories = type("Repositories", (), {})()
        repositories.expulsions = Measures(self.store)
        yield repositories

    def relations(self, owner: Record) -> frozenset[str]:
        return frozenset()

    async def close(self) -> None:
        self.store.closed += 1


async def test_many_filters_asking_about_one_event_cost_one_read() -> None:
    store = Store()
    fanout = FanOut(store.open)
    filters = [ExpulsionFilter(headcount_min=-1 - n) for n in range(300)] + [ExpulsionFilter(headcount_min=5)]
    found = await asyncio.gather(*(fanout.admitted(7, 42, filter) for filter in filters))
    assert found == [MEASURE] * 300 + [None]
    assert store.reads == 1
    assert store.judged == [301]
    assert fanout.reads_made == 1
    # Another event is read afresh: the measure as it is then.
    assert await fanout.admitted(8, 42, ExpulsionFilter()) is MEASURE
    assert store.reads == 2
    await asyncio.sleep(0.01)
    assert store.closed >= 1  # idle, the fan-out holds no connection


async def test_a_refused_read_is_tried_again_on_a_fresh_session_until_the_store_answers(monkeypatch: Any) -> None:
    monkeypatch.setattr(fanout_module, "RETRY_FIRST", 0.001)
    store = Store(failures=3)
    fanout = FanOut(store.open)
    assert await fanout.admitted(1, 42, ExpulsionFilter()) is MEASURE
    assert store.reads == 1
    assert store.opened == 4  # the shared session was replaced after each refusal


async def test_turns_come_one_at_a_time_and_leave_the_loop_half_of_its_time() -> None:
    fanout = FanOut(Store().open)
    holding = 0
    most = 0

    async def shape() -> None:
        nonlocal holding, most
        release = await fanout.take_turn()
        holding += 1
        most = max(most, holding)
        await asyncio.sleep(0)
        busy = time.perf_counter() + 0.005  # 5 ms of work on the loop
        while time.perf_counter() < busy:
            pass
        holding -= 1
        release()

    started = time.perf_counter()
    await asyncio.gather(*(shape() for _ in range(40)))  # 200 ms of work
    took = time.perf_counter() - started
    assert most == 1
    assert took >= 0.2 / fanout_module.SHARE * 0.8, took  # the fan-out yielded the loop about half of the time
    await asyncio.sleep(0.01)
    assert fanout._busy == 0
