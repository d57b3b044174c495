"""The unit of work: one connection, one transaction, every repository on it; and the factory making units and read sessions."""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.errors import StorageUnavailable
from domain.store import Instant, Release, WriteNote
from persistence.live.changes import ChangeSignal
from persistence.live.replica import ReplicaPosition, written_position
from persistence.read.as_of import Snapshots
from persistence.sql.engine import STORE_FAULTS, is_sqlite
from persistence.sql.tables import RecordVersionRow
from persistence.write.base import table_of
from persistence.write.faults import UNCERTAIN_COMMIT, end, storage_error
from persistence.write.history import end_secure_delete, purge_erased
from persistence.write.horizon import BEGIN_WRITER, MARK, RECORD_VERSION
from persistence.write.read_session import SqlReadSession, SqlRepositories, bind_repositories

WRITER_LOCK = 0x44454D41
"""On PostgreSQL every writer holds this lock shared for its transaction, so writers never wait for one another; an import
takes it alone (`SqlUnitOfWork(exclusive=True)`), as its plan is worked out against the whole record. SQLite's writers
serialise by BEGIN IMMEDIATE."""
SYSTEM_AUTHOR = "demarche"
"""Who changes made outside any request are recorded as (loading the demo, for one)."""
_VERSION = table_of(RecordVersionRow)
BUMP_VERSION = update(_VERSION).values(version=_VERSION.c.version + 1)
"""SQLite's record version: one row, bumped by every commit (its writers serialise anyway)."""
READ_VERSION = select(_VERSION.c.version)
TOPIC_LOCKS = 0x44454D42
"""The class (first key) of the advisory locks `exclusive` takes, one per topic (the second key, the topic's hash)."""
TOPIC_LOCK = text(f"SELECT pg_advisory_xact_lock({TOPIC_LOCKS}, hashtext(CAST(:topic AS text)))")
CHANGES_CHANNEL = "demarche_changes"
"""The PostgreSQL channel every committed write notifies (see persistence/live/listener.py)."""


def writer() -> str:
    """This process, as a change notification names its writer: host and process id."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}"


async def notify_change(connection: AsyncConnection, *, appended: int | None = None) -> None:
    """On SQLite, bump the record version; on PostgreSQL, leave the transaction's history mark (if it appended entries) and
    tell every listening process that this transaction changed the record: its last statement before COMMIT.

    Sent inside the transaction, the notification goes out only if the transaction commits, after it.
    Its payload is small, far below NOTIFY's 8000 bytes: the writer and the newest history entry it wrote,
    e.g. `{"writer": "host:4242", "entry": 301}`.
    """
    if connection.dialect.name != "postgresql":
        await connection.execute(BUMP_VERSION)
        return
    values = {"appended": appended is not None, "channel": CHANGES_CHANNEL, "writer": writer(), "entry": appended}
    await connection.execute(MARK, values)


log = logging.getLogger(__name__)


class SqlUnitOfWork(SqlRepositories):
    """A transaction over all repositories; rolls back unless `commit` succeeded."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        writing: bool = True,
        author: str = SYSTEM_AUTHOR,
        release: Release | None = None,
        signal: ChangeSignal | None = None,
        replica: ReplicaPosition | None = None,
        note: WriteNote | None = None,
        exclusive: bool = False,
    ) -> None:
        self._engine = engine
        self._exclusive = exclusive
        self._signal = signal
        self._replica = replica
        self._note = note
        self._writing = writing
        self._connection: AsyncConnection | None = None
        self._release = release
        self._erased: set[str] = set()
        """The kinds whose personal fields the committed transaction erased."""
        self.author = author

    async def __aenter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("a unit of work is entered once")
        if self._release is not None:
            await self._release()
        try:
            connection = await self._engine.connect()
        except STORE_FAULTS as exc:
            raise storage_error(exc) from exc
        try:
            if is_sqlite(self._engine):
                begin = "BEGIN IMMEDIATE" if self._writing else "BEGIN"
                await connection.execution_options(sqlite_begin=begin)
            await connection.begin()
            if self._writing and not is_sqlite(self._engine):
                if self._exclusive:
                    await connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK}), pg_current_xact_id()")
                else:
                    await connection.exec_driver_sql(BEGIN_WRITER.format(lock=WRITER_LOCK))
        except STORE_FAULTS as exc:
            await end(connection, exc)
            raise storage_error(exc) from exc
        self._connection = connection
        bind_repositories(self, connection, writing=self._writing)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        connection, self._connection = self._connection, None
        assert connection is not None
        if self.history.erased:
            await end_secure_delete(connection)
        await end(connection, exc)
        if isinstance(exc, STORE_FAULTS):
            raise storage_error(exc) from exc
        if self._erased:
            await purge_erased(self._engine, self._erased)  # committed: the erased text leaves the files too

    async def exclusive(self, topic: str) -> None:
        """On PostgreSQL, a transaction-scoped advisory lock named by `topic`; SQLite's writers run one at a time already."""
        if self._connection is None:
            raise RuntimeError("exclusive outside the unit of work")
        if not self._writing or is_sqlite(self._engine):
            return
        try:
            await self._connection.execute(TOPIC_LOCK, {"topic": topic})
        except STORE_FAULTS as exc:
            raise storage_error(exc) from exc

    async def commit(self) -> None:
        if self._connection is None:
            raise RuntimeError("commit outside the unit of work")
        if not self._writing:
            raise RuntimeError("a read-only unit of work does not commit")
        try:
            await notify_change(self._connection, appended=self.history.appended)
        except STORE_FAULTS as exc:
            raise storage_error(exc) from exc
        try:
            await self._connection.commit()
        except STORE_FAULTS as exc:
            error = storage_error(exc)
            if isinstance(error, StorageUnavailable):
                # The COMMIT may have reached the database before the connection failed: say so, not "nothing was written".
                raise StorageUnavailable(UNCERTAIN_COMMIT) from exc
            raise error from exc
        if self._replica is not None:
            await self._mark_position(self._replica)
        if self._signal is not None:
            self._signal.changed()
        self._erased = set(self.history.erased)

    async def _mark_position(self, replica: ReplicaPosition) -> None:
        """Where the primary's WAL stands after the commit: reads wait for the replica to get there."""
        assert self._connection is not None
        try:
            position = await written_position(self._connection)
            await self._connection.rollback()
        except STORE_FAULTS:
            log.warning("the WAL position after a commit could not be read; the replica is trusted as it stands", exc_info=True)
            return
        replica.wrote(position)
        if self._note is not None:
            self._note.position = max(self._note.position or 0, position)


async def _version(connection: AsyncConnection) -> int:
    """SQLite: its version row. PostgreSQL: derived from the history, with no row every writer must update: the horizon
    and the count of entries committed past it (see persistence/write/horizon.py). A commit that appends to the history
    adds an entry past the horizon, or moves the horizon; nothing else changes either."""
    if connection.dialect.name != "postgresql":
        return int((await connection.execute(READ_VERSION)).scalar_one())
    horizon, beyond = (await connection.execute(RECORD_VERSION)).one()
    return (int(horizon) << 32) | int(beyond)


class SqlUnitOfWorkFactory:
    """Makes units of work on one engine: writers and readers run side by side (SQLite's writers serialise).

    Writers record their changes in the history under `author`.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        author: str = SYSTEM_AUTHOR,
        release: Release | None = None,
        reads: AsyncEngine | None = None,
        signal: ChangeSignal | None = None,
        replica: ReplicaPosition | None = None,
        note: WriteNote | None = None,
        snapshots: Snapshots | None = None,
    ) -> None:
        self.engine = engine
        self.snapshots = snapshots if snapshots is not None else Snapshots(engine)
        """The record as it stood at past instants, shared by every factory derived from this one."""
        self.signal = signal
        """Raised after every commit of this factory's units of work."""
        self.reads = reads
        """An engine whose connections read outside any transaction (PostgreSQL), if the reads have one of their own;
        with a replica, it reads from the replica."""
        self.replica = replica
        """With a replica: how far the primary has written and the replica replayed."""
        self.note = note
        """Where this request's writes left the primary's WAL, if it keeps count."""
        self.author = author
        self._release = release

    def _with(self, **changes: object) -> SqlUnitOfWorkFactory:
        kept: dict[str, object] = {
            "author": self.author,
            "release": self._release,
            "reads": self.reads,
            "signal": self.signal,
            "replica": self.replica,
            "note": self.note,
            "snapshots": self.snapshots,
        }
        return SqlUnitOfWorkFactory(self.engine, **{**kept, **changes})  # type: ignore[arg-type]

    def acting_as(self, author: str) -> SqlUnitOfWorkFactory:
        """The same factory, recording changes as made by `author`."""
        return self._with(author=author)

    def releasing(self, release: Release) -> SqlUnitOfWorkFactory:
        """The same factory, whose units of work first run `release` (a request hands back its read connection).

        A request that held its read connection while it waited for another would, with enough such
        requests at once, leave the pool empty and every one of them waiting.
        """
        return self._with(release=release)

    def noting(self, note: WriteNote) -> SqlUnitOfWorkFactory:
        """The same factory, whose commits write down in `note` where they left the primary's WAL (with a replica)."""
        return self._with(note=note)

    def __call__(self, *, exclusive: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.engine,
            writing=True,
            author=self.author,
            release=self._release,
            signal=self.signal,
            replica=self.replica,
            note=self.note,
            exclusive=exclusive,
        )

    def reader(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, writing=False, release=self._release)

    def alone(self) -> SqlUnitOfWork:
        """A writer that runs alone: it waits for every writer under way and holds off the next until it ends (an import)."""
        return self(exclusive=True)

    def read_session(self) -> SqlReadSession:
        """A read session on the reads' engine; with a replica, on the primary while the replica is gone, and falling
        back to the primary if the replica gives no connection within its wait."""
        if self.replica is not None and self.reads is not None:
            if self.replica.gone is not None:
                return self.primary_session()
            return SqlReadSession(self.reads, autocommit=True, replica=self.replica, primary=self.engine)
        if self.reads is not None:
            return SqlReadSession(self.reads, autocommit=True)
        return SqlReadSession(self.engine)

    def primary_session(self) -> SqlReadSession:
        """A read session on the primary, for reads that must see the latest writes whatever the replica has replayed."""
        return SqlReadSession(self.engine)

    async def session_after(self, position: int = 0, *, primary: bool = False) -> SqlReadSession:
        """The read session of a request: on the replica when it has replayed every write known here and `position`
        (waiting for it a moment), else on the primary; with `primary` (a request that writes, a subscription that
        follows the history as it is written), always on the primary."""
        if self.replica is None:
            return self.read_session()
        if primary or not await self.replica.caught_up(position):
            return self.primary_session()
        return self.read_session()

    async def session_as_of(self, at: datetime, *, personal: bool) -> tuple[SqlReadSession, Instant]:
        """A read session on the record as it stood at `at` (see persistence/read/as_of.py), and the instant it stands for."""
        engine, instant = await self.snapshots.at(at, personal=personal)
        return (self.primary_session() if engine is None else SqlReadSession(engine)), instant

    async def record_version(self) -> int:
        """A number that changes whenever any write commits, in any process."""
        try:
            if self.replica is not None:
                # The version is the primary's, and the replica must have replayed as far before a read
                # answers under it: an answer cached under a version never predates a write it counts.
                async with self.engine.connect() as connection:
                    version = await _version(connection)
                    self.replica.wrote(await written_position(connection))
                    return version
            async with (self.reads or self.engine).connect() as connection:
                return await _version(connection)
        except STORE_FAULTS as exc:
            raise storage_error(exc) from exc
