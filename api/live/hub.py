"""The live history: one reader per process follows the history and hands each new entry to every listener.

The reader wakes when the change signal moves (a commit here, or one heard from another process),
and every `POLL` seconds while the signal is not live, and reads the entries after the last one it
has read, a batch at a time. The history is append-only, and its readers read it only up to the safe
horizon (persistence/write/horizon.py; SQLite's writers take turns, so there every committed id is
below it): no entry can commit later below one already read, so "every entry after id N" is exact,
and a listener that starts from an entry it saw gets every later one once, replayed from the history
and then live, deduplicated by id at the seam.

A listener's queue is bounded: one that falls `queue` entries behind is dropped with `Overflow`
(saying the last entry it was given), so a slow listener costs neither memory nor the others' time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from domain.errors import DomainError
from domain.record.history import Change
from domain.store import Changes, RecordStore

if TYPE_CHECKING:
    from api.live.fanout import FanOut

log = logging.getLogger(__name__)

BATCH = 500
"""Entries read from the history per statement, live or replayed."""
POLL = 1.0
"""Seconds between reads of the history while the change signal is not live."""
HELD_FIRST, HELD_MOST = 0.01, 0.5
"""Seconds before the history is read again while committed entries wait beyond the horizon, doubling up to the most: the
transaction holding them back may end without a word (a rollback, or a transaction that writes no history)."""


class Overflow(Exception):
    """A listener fell too far behind and was dropped; `after` is the last entry it was given (0: none)."""

    def __init__(self, after: int) -> None:
        super().__init__(f"fell more than the queue's length behind the history after entry {after}")
        self.after = after


class _Listener:
    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[Change] = asyncio.Queue(size)
        self.overflowed = False
        self.woken = asyncio.Event()

    def offer(self, change: Change) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(change)
        except asyncio.QueueFull:
            self.overflowed = True
            while not self.queue.empty():  # its memory goes at once; it resumes from the history
                self.queue.get_nowait()
        self.woken.set()


@dataclass(eq=False)
class HistoryHub:
    """Follows the history for every subscriber of this process (see the module's docstring)."""

    uow_factory: RecordStore
    signal: Changes
    queue: int = field(kw_only=True)
    batch: int = field(default=BATCH, kw_only=True)
    poll: float = field(default=POLL, kw_only=True)
    position: int = field(default=0, init=False)
    """The last entry read and handed out."""
    _listeners: set[_Listener] = field(default_factory=set, init=False)
    _reader: asyncio.Task[None] | None = field(default=None, init=False)
    _latest: asyncio.Future[int] | None = field(default=None, init=False)
    """The read of `latest` the next callers share."""
    _reading: bool = field(default=False, init=False)
    _read_task: asyncio.Task[None] | None = field(default=None, init=False)

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    async def start(self) -> None:
        seen = self.signal.generation  # before the read: a change committed meanwhile wakes the reader at once
        async with self.uow_factory.reader() as uow:
            self.position = await uow.history.last_id()
        self._reader = asyncio.create_task(self._follow(seen), name="demarche-history-hub")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None

    async def _follow(self, seen: int) -> None:
        """Reads the history after each change heard (and every `poll` seconds while changes may go unheard, and sooner while
        committed entries wait beyond the horizon)."""
        held: float | None = None
        while True:
            wait = None if self.signal.live else self.poll
            if held is not None:
                wait = held if wait is None else min(wait, held)
            try:
                async with asyncio.timeout(wait):
                    seen = await self.signal.wait(seen)
            except TimeoutError:
                pass
            try:
                waiting = await self._read_new()
                held = (HELD_FIRST if held is None else min(held * 2, HELD_MOST)) if waiting else None
            except DomainError as error:  # the store is down: try again on the next change or poll
                log.warning("the live history could not read the history: %s", error)
            except Exception:  # never let one failure stop every subscription of the process
                log.exception("the live history failed to read the history; trying again")
                await asyncio.sleep(self.poll)

    async def _read_new(self) -> bool:
        """Hand out every entry up to the horizon; whether committed entries wait beyond it."""
        while True:
            async with self.uow_factory.reader() as uow:
                changes = await uow.history.since(self.position, self.batch)
                held = len(changes) < self.batch and await uow.history.held_back((changes[-1].id or 0) if changes else self.position)
            for change in changes:
                assert change.id is not None
                self.position = change.id
                for listener in list(self._listeners):
                    listener.offer(change)
            if len(changes) < self.batch:
                return held

    async def latest(self) -> int:
        """The newest entry's id below the horizon (every entry up to it has committed), which the reader may not have read yet.

        Callers share reads: one that asks while a read is under way waits for the next, begun once that one ends (so
        after it asked), and all who asked meanwhile share that next one. A thousand subscriptions starting at once cost
        two statements, not a thousand connections from the pool.
        """
        return await asyncio.shield(self._shared_latest())

    def _shared_latest(self) -> asyncio.Future[int]:
        shared = self._latest
        if shared is None:
            shared = self._latest = asyncio.get_running_loop().create_future()
            if not self._reading:
                self._read_latest()
        return shared

    def listen(self) -> Listening:
        """Start following now, before the subscription runs: every entry committed from here on reaches it, however
        long it waits for its turn to start (see `entries`). Close what this returns if `entries` is never called."""
        listener = _Listener(self.queue)
        self._listeners.add(listener)
        return Listening(self, listener, self._shared_latest())

    def _read_latest(self) -> None:
        future, self._latest = self._latest, None
        assert future is not None
        self._reading = True

        async def read() -> None:
            try:
                async with self.uow_factory.reader() as uow:
                    future.set_result(await uow.history.last_id())
            except Exception as error:  # every caller sharing the read gets its failure
                future.set_exception(error)
            finally:
                self._reading = False
                if self._latest is not None:
                    self._read_latest()

        self._read_task = asyncio.get_running_loop().create_task(read(), name="demarche-history-latest")

    async def entries(
        self,
        after: int | None,
        *,
        page: int | None = None,
        pay: Callable[[int], Awaitable[None]] | None = None,
        caught_up: Callable[[], None] | None = None,
        listening: Listening | None = None,
    ) -> AsyncGenerator[Change, None]:
        """Every entry after `after` (replayed from the history, then live), or, with None, every entry from now on.

        A replay reads `page` entries at a time (the hub's batch by default), awaits `pay` with the number read before
        handing them on (it raises to stop the replay), and yields to the event loop between pages; `caught_up` is called
        once the replay is over and the entries come live. Raises `Overflow` when the caller falls behind by more than the
        queue holds.
        """
        # Listening before the replay reads (or the latest entry is read): whatever commits meanwhile is in one or the other.
        listening = listening or self.listen()
        listener = listening.listener
        try:
            if after is None:  # from the latest committed entry when it began listening, which the reader may not have read yet
                last = await asyncio.shield(listening.began)
            else:
                last = after
            while after is not None:
                async with self.uow_factory.reader() as uow:
                    replayed = await uow.history.since(last, page or self.batch)
                if replayed and pay is not None:
                    await pay(len(replayed))
                for change in replayed:
                    assert change.id is not None
                    last = change.id
                    yield change
                if len(replayed) < (page or self.batch):
                    break
                await asyncio.sleep(0)  # one replay never holds the loop for more than a page
            if caught_up is not None:
                caught_up()
            while True:
                while listener.queue.empty():
                    if listener.overflowed:
                        raise Overflow(last)
                    listener.woken.clear()
                    await listener.woken.wait()
                if listener.overflowed:
                    raise Overflow(last)
                change = listener.queue.get_nowait()
                assert change.id is not None
                if change.id <= last:
                    continue  # replayed already
                last = change.id
                yield change
        finally:
            listening.close()


@dataclass(eq=False)
class Listening:
    """A listener registered with the hub, and the read of the latest entry begun once it was."""

    hub: HistoryHub
    listener: _Listener
    began: asyncio.Future[int]

    def close(self) -> None:
        self.hub._listeners.discard(self.listener)


class Unpaid(Exception):
    """A replay's caller has no points left for its next page; it may resume from the last entry it was sent."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"out of points for the next page of the replay; retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(slots=True)
class Following:
    """What a subscription's resolver shares with the socket that runs it: the hub, and the last entry handed on."""

    hub: HistoryHub
    fanout: FanOut
    entry: int = 0
    """The id of the history entry behind the latest event (0 before the first)."""
    started: int | None = None
    """The entry the subscription started after, as given in `after` (None: from now on)."""
    page: int | None = None
    """History entries a replay reads at once (None: the hub's batch)."""
    pay: Callable[[int], Awaitable[None]] | None = None
    """Spends the points of that many replayed entries, or raises `Unpaid`."""
    caught_up: Callable[[], None] | None = None
    """Called once the replay is over (or never started)."""
    stopped: Exception | None = None
    """Why the entries ended before the subscription did (`Overflow`, `Unpaid`), if they did."""
    listening: Listening | None = None
    """The hub's listener, registered when the subscription was asked for."""
    _release: Callable[[], None] | None = None

    async def take_turn(self) -> None:
        """Wait for the process's turn to shape the next event (see api/live/fanout.py); `release` ends it."""
        self.release()
        self._release = await self.fanout.take_turn()

    def release(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()
