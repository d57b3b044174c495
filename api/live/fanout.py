"""Fan-out: what one history entry costs the process, however many subscriptions follow it.

- Every subscription of the process reads on one shared read session: fan-out holds one pooled
  connection at most (handed back whenever no event is being worked on), so it never takes the pool
  from requests.
- A changed measure is read once per entry, and the filters of every subscription that asks within
  one turn of the event loop are judged on it together, a few hundred per statement
  (`FilteredExpulsions.admitting`), not one read per subscription.
- Selections are shaped one subscription at a time (a turn, see `take_turn`) on loaders shared by
  every subscription for that entry, so a related record is read once per entry, and the event loop
  serves requests between turns instead of after the whole fan-out.
- A read the store refuses (down, or no connection in time) is tried again until it works: an event
  that exists is delivered late, never replaced by UNAVAILABLE.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from strawberry.dataloader import DataLoader

from api.graphql.loading.loaders import Loaders
from domain.errors import StorageUnavailable
from domain.read.filters import ExpulsionFilter
from domain.read.plans import Record
from domain.record.expulsions import Expulsion
from domain.store import ReadRepositories, ReadSession

log = logging.getLogger(__name__)

T = TypeVar("T")
EVERY = ExpulsionFilter()
ENTRIES_KEPT = 8
"""Entries whose shared loaders and verdicts are kept, for subscriptions a few entries behind the others."""
WINDOW, SHARE = 0.05, 0.5
"""Fan-out shapes events for at most half of every 50 ms of the event loop's time."""
RETRY_FIRST, RETRY_MOST = 0.05, 2.0
"""Seconds before a refused fan-out read is tried again, doubling up to the most."""


class SharedReads:
    """One read session for every subscription of the process (a `ReadSession`); a session whose connection was lost is
    replaced by a fresh one, since the shared session outlives any one outage. `close` is the fan-out's to call (`hand_back`)."""

    def __init__(self, open: Callable[[], ReadSession]) -> None:
        self._open = open
        self._session = open()

    @contextlib.asynccontextmanager
    async def use(self) -> AsyncIterator[ReadRepositories]:
        session = self._session
        try:
            async with session.use() as repositories:
                yield repositories
        except StorageUnavailable:
            if self._session is session:
                self._session = self._open()
                with contextlib.suppress(Exception):  # the old one is gone already; closing it is a courtesy
                    await session.close()
            raise

    def relations(self, owner: Record) -> frozenset[str]:
        return self._session.relations(owner)

    async def close(self) -> None:
        """A subscription's context hands its reads back after each event: the shared session stays with the fan-out."""

    async def hand_back(self) -> None:
        await self._session.close()


class FanOut:
    """The process's shared reads, per-entry loaders and verdicts, and the turn that shapes one event at a time."""

    def __init__(self, open: Callable[[], ReadSession]) -> None:
        self.reads = SharedReads(open)
        self._turnstile = asyncio.Semaphore(1)
        self._busy = 0
        self._window = 0.0
        self._spent = 0.0
        self._entries: OrderedDict[int, tuple[Loaders, DataLoader[tuple[int, ExpulsionFilter], Expulsion | None]]] = OrderedDict()
        self._closing: asyncio.Task[None] | None = None
        self.reads_made = 0
        """Statement groups the fan-out has run (one per changed measure judged), for the tests and the curious."""

    def _for(self, entry: int) -> tuple[Loaders, DataLoader[tuple[int, ExpulsionFilter], Expulsion | None]]:
        found = self._entries.get(entry)
        if found is None:
            found = self._entries[entry] = (Loaders(self.reads), DataLoader(load_fn=self._judge))
            while len(self._entries) > ENTRIES_KEPT:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(entry)
        return found

    def loaders_for(self, entry: int) -> Loaders:
        """Loaders every subscription shapes entry `entry` with: a related record is read once for all of them."""
        return self._for(entry)[0]

    async def admitted(self, entry: int, record: int, filter: ExpulsionFilter) -> Expulsion | None:
        """The measure `record` as it is now, if `filter` keeps it (None: filtered out, or deleted since)."""
        return await self._for(entry)[1].load((record, filter))

    async def take_turn(self) -> Callable[[], None]:
        """Wait for this process's turn to shape one event; call what it returns once the event is shaped.

        Turns take at most `SHARE` of each `WINDOW` of the event loop's time: past it, the next turn waits for the window
        to end, leaving the loop (and the threads that answer SQLite's reads) to requests meanwhile. A fan-out to a
        thousand subscriptions then takes longer, and no one else waits for it.
        """
        self._enter()
        acquired = False
        try:
            acquired = await self._turnstile.acquire()
            now = time.perf_counter()
            if now - self._window >= WINDOW:
                self._window, self._spent = now, 0.0
            elif self._spent >= WINDOW * SHARE:
                await asyncio.sleep(self._window + WINDOW - now)
                self._window, self._spent = time.perf_counter(), 0.0
        except BaseException:
            if acquired:
                self._turnstile.release()
            self._leave()
            raise
        began = time.perf_counter()
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._spent += time.perf_counter() - began
                self._turnstile.release()
                self._leave()

        return release

    def _enter(self) -> None:
        self._busy += 1

    def _leave(self) -> None:
        self._busy -= 1
        if self._busy == 0 and (self._closing is None or self._closing.done()):
            self._closing = asyncio.get_running_loop().create_task(self._hand_back_if_idle(), name="demarche-fanout-idle")

    async def _hand_back_if_idle(self) -> None:
        await asyncio.sleep(0)  # the next event's work usually starts at once: keep the connection for it
        if self._busy == 0:
            with contextlib.suppress(Exception):
                await self.reads.hand_back()

    async def _judge(self, keys: list[tuple[int, ExpulsionFilter]]) -> list[Expulsion | None]:
        """Every (measure, filter) asked about in one turn of the loop: each measure read once, its filters judged together."""
        asked: dict[int, list[ExpulsionFilter]] = {}
        for record, filter in keys:
            asked.setdefault(record, []).append(filter)
        verdicts: dict[tuple[int, ExpulsionFilter], Expulsion | None] = {}
        self._enter()
        try:
            for record, filters in asked.items():
                distinct = list(dict.fromkeys(filters))

                async def read(
                    uow: ReadRepositories, record: int = record, distinct: list[ExpulsionFilter] = distinct
                ) -> tuple[Expulsion | None, list[bool]]:
                    found = await uow.expulsions.matching(EVERY, [record])
                    return found.get(record), await uow.expulsions.admitting(distinct, record)

                measure, kept = await self.retrying(read)
                self.reads_made += 1
                for filter, keep in zip(distinct, kept, strict=True):
                    verdicts[(record, filter)] = measure if keep else None
        finally:
            self._leave()
        return [verdicts[key] for key in keys]

    async def retrying(self, work: Callable[[ReadRepositories], Awaitable[T]]) -> T:
        """`work` on the shared reads, tried again after each refusal of the store until it is done."""
        delay = RETRY_FIRST
        while True:
            try:
                async with self.reads.use() as uow:
                    return await work(uow)
            except StorageUnavailable as error:
                log.warning("a subscription's event could not be read yet (%s); trying again in %.2f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MOST)
