"""How a process hears the writes other processes commit: PostgreSQL's LISTEN on one connection of its own.

Every unit of work that commits on PostgreSQL sends a notification in its transaction (see
`notify_change` in persistence/write/unit_of_work.py). Each server process keeps one connection, outside
its pools, that LISTENs on that channel and raises the process's `ChangeSignal` on each notification,
its own included (it raised the signal itself already; once more costs a cache miss, never a stale answer).
With a replica, the listener first takes the primary's WAL position on its own connection (one
statement per batch of notifications, none per request): a notification arrives after its commit,
so that position is past it, and reads then wait for the replica to replay that far.

While that connection is down, notifications are lost, so the signal is marked deaf at once: whatever
relies on it (the response cache) must not trust that nothing changed. The listener reconnects by
itself, waiting longer after each failed attempt, and marks the signal hearing once it LISTENs again.
A connection that died without a word (a network gone quiet) is found by a ping every few seconds.

SQLite has no listener: one process is all it serves, and that process raises its own signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg  # type: ignore[import-untyped]  # no stubs

from persistence.live.changes import ChangeSignal
from persistence.live.replica import lsn_number
from persistence.sql.engine import async_url
from persistence.write.unit_of_work import CHANGES_CHANNEL

log = logging.getLogger(__name__)

APPLICATION_NAME = "demarche-listener"
"""The listening connection's `application_name` in pg_stat_activity, followed by the process id."""


class ListeningConnection(Protocol):
    """What the listener needs of a connection; asyncpg's `Connection` has it."""

    async def add_listener(self, channel: str, callback: Callable[[Any, int, str, str], None]) -> None: ...

    def add_termination_listener(self, callback: Callable[[Any], None]) -> None: ...

    async def fetchval(self, query: str) -> Any: ...

    def terminate(self) -> None: ...


Connect = Callable[[], Awaitable[ListeningConnection]]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Seconds between reconnection attempts: `first`, doubling after each failure up to `most`, with some jitter."""

    first: float = 0.1
    most: float = 5.0
    jitter: float = 0.2
    """The fraction of each wait drawn at random, so that many processes do not all reconnect at the same instant."""

    def delay(self, failures: int) -> float:
        """The wait before the next attempt, after `failures` attempts in a row failed (0: a connection that held was lost)."""
        base = min(self.most, self.first * 2.0 ** min(max(failures - 1, 0), 30))
        return base * (1 - self.jitter * random.random())  # jitter, not secrecy


def asyncpg_connector(database_url: str, *, timeout: float, process: str) -> Connect:
    """Opens a plain asyncpg connection to the database of `database_url`, named for pg_stat_activity."""
    url = async_url(database_url).set(drivername="postgresql")
    dsn = url.render_as_string(hide_password=False)

    async def connect() -> ListeningConnection:
        connection: ListeningConnection = await asyncpg.connect(
            dsn, timeout=timeout, server_settings={"application_name": f"{APPLICATION_NAME}:{process}"}
        )
        return connection

    return connect


class ChangeListener:
    """Keeps one LISTEN connection up for as long as it runs, and says through `signal` whether it is."""

    def __init__(
        self,
        connect: Connect,
        signal: ChangeSignal,
        *,
        backoff: Backoff | None = None,
        ping_every: float = 5.0,
        ping_timeout: float = 2.0,
        reported: Callable[[bool], None] = lambda _up: None,
        written: Callable[[int], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._connect = connect
        self._signal = signal
        self._backoff = backoff or Backoff()
        self._ping_every = ping_every
        self._ping_timeout = ping_timeout
        self._reported = reported
        """Told True each time the connection LISTENs, False each time it is lost or cannot be made."""
        self._written = written
        """With a replica: told where the primary's WAL stands before the signal moves, so that the reads the move
        sets off wait for the replica to replay the writes it announces (see persistence/live/replica.py)."""
        self._sleep = sleep
        self._wake = asyncio.Event()
        self._unsettled = False
        """Notifications arrived that the signal does not show yet (only while the primary's position is taken first)."""
        self._task: asyncio.Task[None] | None = None
        self._up = asyncio.Event()
        self._lost: asyncio.Event | None = None
        self._listening: ListeningConnection | None = None
        self.problem: str | None = "not started"
        """Why the listener is not hearing changes now, or None while it is."""
        self.heard = 0
        """Notifications heard."""
        self.reconnections = 0
        """Times the connection was made again after being lost or failing."""

    async def start(self, wait: float) -> None:
        """Start listening in the background; return once it listens, or after `wait` seconds (it keeps trying)."""
        if self._task is not None:
            raise RuntimeError("a listener is started once")
        self._signal.deaf()
        self.problem = "connecting"
        self._task = asyncio.create_task(self._run(), name="demarche-change-listener")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._up.wait(), wait)

    async def stop(self) -> None:
        """Stop listening and close the connection."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self._signal.deaf()
        self.problem = "stopped"

    async def probe(self) -> str | None:
        """For /ready: None while changes are heard, else why not."""
        return self.problem

    def _heard(self, _connection: Any, _pid: int, _channel: str, _payload: str) -> None:
        self.heard += 1
        if self._written is None:
            self._signal.changed()
            return
        self._unsettled = True
        self._wake.set()

    def _dropped(self, connection: Any) -> None:
        """The connection is gone (asyncpg calls this as soon as it knows): stop trusting the signal at once."""
        if connection is not self._listening:
            return  # an earlier connection, already given up, whose end asyncpg reports late
        if self._lost is not None and not self._lost.is_set():
            self._lost.set()
            self._wake.set()
            self._went_deaf("the listening connection was lost; reconnecting")

    def _went_deaf(self, problem: str) -> None:
        self.problem = problem
        if self._signal.live:
            self._signal.deaf()
            self._reported(False)

    async def _run(self) -> None:
        failures = 0
        first = True
        while True:
            if not first:
                await self._sleep(self._backoff.delay(failures))
            first = False
            try:
                connection = await self._connect()
            except Exception as error:  # any failure to connect is retried; the reason is logged and shown in /ready
                failures += 1
                log.warning("the change listener could not connect (attempt %d): %s", failures, error)
                self._went_deaf(f"cannot connect to the database: {type(error).__name__}")
                continue
            since = time.monotonic()
            try:
                await self._listen(connection)
            except Exception as error:  # a failure on a connection that was made: drop it, reconnect
                log.warning("the change listener lost its connection: %s", error)
            finally:
                self._lost = self._listening = None
                self._went_deaf("the listening connection was lost; reconnecting")
                connection.terminate()
            # A connection that stayed up a while starts the count afresh; one that keeps failing at once backs off.
            failures = 0 if time.monotonic() - since >= self._backoff.most else failures + 1
            self.reconnections += 1

    async def _listen(self, connection: ListeningConnection) -> None:
        """LISTEN on `connection` and return once it is lost."""
        lost = self._lost = asyncio.Event()
        self._listening = connection
        self._wake.clear()
        self._unsettled = False
        connection.add_termination_listener(self._dropped)
        await connection.add_listener(CHANGES_CHANNEL, self._heard)
        await self._settle(connection)
        if lost.is_set():
            return
        # Whatever was written while nobody listened is unknown: `hearing` counts as a change.
        self.problem = None
        self._signal.hearing()
        self._reported(True)
        self._up.set()
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self._ping_every)
            except TimeoutError:
                async with asyncio.timeout(self._ping_timeout):
                    await connection.fetchval("SELECT 1")
                continue
            self._wake.clear()
            if lost.is_set():
                return
            if self._unsettled:
                self._unsettled = False
                await self._settle(connection)
                self._signal.changed()

    async def _settle(self, connection: ListeningConnection) -> None:
        """With a replica, tell it where the primary's WAL stands now: past every commit notified so far."""
        if self._written is None:
            return
        async with asyncio.timeout(self._ping_timeout):
            position = await connection.fetchval("SELECT pg_current_wal_lsn()::text")
        self._written(lsn_number(str(position)))
