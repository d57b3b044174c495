"""The change listener: it hears notifications, goes deaf at once when its connection drops, and comes back by itself."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from persistence.live.changes import ChangeSignal
from persistence.live.listener import Backoff, ChangeListener, ListeningConnection
from persistence.write.unit_of_work import CHANGES_CHANNEL

QUICK = Backoff(first=0.01, most=0.04, jitter=0)


class FakeConnection:
    """Stands for asyncpg's connection: records what the listener asked, and lets a test notify or drop it."""

    def __init__(self) -> None:
        self.channels: list[str] = []
        self.notified: Callable[[Any, int, str, str], None] | None = None
        self.dropped: Callable[[Any], None] | None = None
        self.terminated = False
        self.pings = 0
        self.silent = False
        """When true, a ping never answers (a network gone quiet)."""
        self.wal = 0x1000
        """The primary's WAL position, which moves on as it is asked."""

    async def add_listener(self, channel: str, callback: Callable[[Any, int, str, str], None]) -> None:
        self.channels.append(channel)
        self.notified = callback

    def add_termination_listener(self, callback: Callable[[Any], None]) -> None:
        self.dropped = callback

    async def fetchval(self, query: str) -> Any:
        if query == "SELECT pg_current_wal_lsn()::text":
            self.wal += 0x100
            return f"0/{self.wal:X}"
        assert query == "SELECT 1"
        self.pings += 1
        if self.silent:
            await asyncio.sleep(3600)
        return 1

    def terminate(self) -> None:
        self.terminated = True

    def notify(self, payload: str = '{"writer": "elsewhere:1", "version": 2, "entry": 7}') -> None:
        assert self.notified is not None
        self.notified(self, 4242, CHANGES_CHANNEL, payload)

    def drop(self) -> None:
        """asyncpg's way of saying the server ended the connection: its termination listeners run."""
        assert self.dropped is not None
        self.dropped(self)


class Database:
    """Hands out fake connections; refuses `refusals` attempts first (the database is down)."""

    def __init__(self, refusals: int = 0) -> None:
        self.refusals = refusals
        self.attempts = 0
        self.connections: list[FakeConnection] = []

    async def connect(self) -> ListeningConnection:
        self.attempts += 1
        if self.refusals > 0:
            self.refusals -= 1
            raise ConnectionRefusedError("the database is down")
        connection = FakeConnection()
        self.connections.append(connection)
        return connection


async def eventually(condition: Callable[[], bool], seconds: float = 2.0) -> None:
    """Wait until `condition` holds (checked every few milliseconds), failing after `seconds`."""
    async with asyncio.timeout(seconds):
        while True:
            if condition():
                return
            await asyncio.sleep(0.005)


async def test_it_listens_on_the_changes_channel_and_each_notification_moves_the_signal() -> None:
    signal, database = ChangeSignal(), Database()
    listener = ChangeListener(database.connect, signal, backoff=QUICK)
    await listener.start(wait=1)
    try:
        assert signal.live
        assert listener.problem is None
        assert database.connections[0].channels == [CHANGES_CHANNEL]
        before = signal.generation
        database.connections[0].notify()
        await eventually(lambda: signal.generation == before + 1)
        assert listener.heard == 1
    finally:
        await listener.stop()


async def test_the_signal_is_deaf_until_the_first_connection_listens() -> None:
    signal, database = ChangeSignal(), Database(refusals=1_000_000)
    listener = ChangeListener(database.connect, signal, backoff=QUICK)
    await listener.start(wait=0.05)
    try:
        assert not signal.live
        assert listener.problem == "cannot connect to the database: ConnectionRefusedError"
        assert await listener.probe() == listener.problem
    finally:
        await listener.stop()


async def test_a_dropped_connection_makes_the_signal_deaf_at_once_then_the_listener_reconnects_and_hears_again() -> None:
    signal, database = ChangeSignal(), Database()
    reports: list[bool] = []
    listener = ChangeListener(database.connect, signal, backoff=QUICK, reported=reports.append)
    await listener.start(wait=1)
    try:
        first = database.connections[0]
        generation = signal.generation
        first.drop()
        assert not signal.live  # before the event loop runs anything else
        assert signal.generation > generation
        assert listener.problem == "the listening connection was lost; reconnecting"
        await eventually(lambda: signal.live)
        assert first.terminated
        assert len(database.connections) == 2
        assert listener.reconnections == 1
        assert reports == [True, False, True]
        database.connections[1].notify()
        await eventually(lambda: listener.heard == 1)
    finally:
        await listener.stop()


async def test_while_the_database_refuses_it_waits_longer_after_each_failure_and_stays_deaf() -> None:
    signal, database = ChangeSignal(), Database(refusals=4)
    slept: list[float] = []

    async def recorded_sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    listener = ChangeListener(database.connect, signal, backoff=Backoff(first=0.5, most=3, jitter=0), sleep=recorded_sleep)
    await listener.start(wait=0)
    await eventually(lambda: signal.live)
    try:
        assert database.attempts == 5
        assert slept == [0.5, 1.0, 2.0, 3.0]
    finally:
        await listener.stop()


async def test_a_connection_that_stops_answering_its_ping_is_dropped_and_made_again() -> None:
    signal, database = ChangeSignal(), Database()
    listener = ChangeListener(database.connect, signal, backoff=QUICK, ping_every=0.02, ping_timeout=0.05)
    await listener.start(wait=1)
    try:
        first = database.connections[0]
        await eventually(lambda: first.pings >= 1)
        first.silent = True
        await eventually(lambda: first.terminated)
        await eventually(lambda: len(database.connections) == 2 and signal.live)
    finally:
        await listener.stop()


async def test_stopping_closes_the_connection_and_leaves_the_signal_deaf() -> None:
    signal, database = ChangeSignal(), Database()
    listener = ChangeListener(database.connect, signal, backoff=QUICK)
    await listener.start(wait=1)
    await listener.stop()
    assert database.connections[0].terminated
    assert not signal.live
    assert listener.problem == "stopped"


def test_the_backoff_doubles_up_to_its_most_and_its_jitter_only_shortens_it() -> None:
    plain = Backoff(first=0.1, most=1.0, jitter=0)
    assert [plain.delay(n) for n in range(7)] == [0.1, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    jittered = Backoff(first=0.1, most=1.0, jitter=0.5)
    assert all(0.5 <= jittered.delay(10) <= 1.0 for _ in range(100))
    assert plain.delay(10_000) == 1.0


async def test_with_a_replica_the_primarys_position_is_taken_before_the_signal_moves() -> None:
    signal, database = ChangeSignal(), Database()
    told: list[tuple[int, int]] = []
    listener = ChangeListener(database.connect, signal, backoff=QUICK, written=lambda position: told.append((position, signal.generation)))
    await listener.start(wait=1)
    try:
        assert told == [(0x1100, signal.generation - 1)]  # on connecting, before `hearing`
        before = signal.generation
        database.connections[0].notify()
        database.connections[0].notify()
        await eventually(lambda: signal.generation > before)
        assert told[1] == (0x1200, before)  # one position for both notifications, told while the signal had not moved
        assert listener.heard == 2
    finally:
        await listener.stop()


async def test_a_late_word_that_an_earlier_connection_ended_leaves_the_current_one_trusted() -> None:
    signal, database = ChangeSignal(), Database()
    listener = ChangeListener(database.connect, signal, backoff=QUICK)
    await listener.start(wait=1)
    try:
        first = database.connections[0]
        first.drop()
        await eventually(lambda: signal.live)
        first.drop()  # asyncpg reporting the first connection's end once more, after the second listens
        assert signal.live
        assert listener.problem is None
    finally:
        await listener.stop()
