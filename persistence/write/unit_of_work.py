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
from persistence.write.read_session import SqlReadSession, SqlRepositories, bind_repositories

# Writers take this transaction-scoped lock on PostgreSQL (and BEGIN IMMEDIATE on SQLite),
# so checks that span records, such as "no answer cycle", see every earlier write.
WRITER_LOCK = 0x44454D41
SYSTEM_AUTHOR = "demarche"
"""Who changes made outside any request are recorded as (loading the demo, for one)."""
_VERSION = table_of(RecordVersionRow)
BUMP_VERSION = update(_VERSION).values(version=_VERSION.c.version + 1)
READ_VERSION = select(_VERSION.c.version)
CHANGES_CHANNEL = "demarche_changes"
"""The PostgreSQL channel every committed write notifies (see persistence/live/listener.py)."""
NOTIFY_CHANGE = text(
    "SELECT pg_notify(CAST(:channel AS text), json_build_object("
    "'writer', CAST(:writer AS text), "
    "'version', (SELECT version FROM record_version WHERE id = 1), "
    "'entry', (SELECT max(id) FROM history))::text)"
)


def writer() -> str:
    """This process, as a change notification names its writer: host and process id."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}"


async def notify_change(connection: AsyncConnection) -> None:
    """On PostgreSQL, tell every listening process that this transaction changed the record.

    Sent inside the transaction, the notification goes out only if the transaction commits, after it.
    Its payload is small, far below NOTIFY's 8000 bytes: the writer, the record version and the
    newest history entry, e.g. `{"writer": "host:4242", "version": 17, "entry": 301}`.
    """
    if connection.dialect.name != "postgresql":
        return
    await connection.execute(NOTIFY_CHANGE, {"channel": CHANGES_CHANNEL, "writer": writer()})


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
    ) -> None:
        self._engine = engine
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
                await connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")
        except STORE_FAULTS as exc:
            await end(connection, exc)
            raise storage_error(exc) from exc
        self._connection = connection
        bind_repositories(self, connection)
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

    async def commit(self) -> None:
        if self._connection is None:
            raise RuntimeError("commit outside the unit of work")
        if not self._writing:
            raise RuntimeError("a read-only unit of work does not commit")
        try:
            await self._connection.execute(BUMP_VERSION)
            await notify_change(self._connection)
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


class SqlUnitOfWorkFactory:
    """Makes units of work on one engine: writers serialise, readers run concurrently.

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

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.engine,
            writing=True,
            author=self.author,
            release=self._release,
            signal=self.signal,
            replica=self.replica,
            note=self.note,
        )

    def reader(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, writing=False, release=self._release)

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
                    version = int((await connection.execute(READ_VERSION)).scalar_one())
                    self.replica.wrote(await written_position(connection))
                    return version
            async with (self.reads or self.engine).connect() as connection:
                return int((await connection.execute(READ_VERSION)).scalar_one())
        except STORE_FAULTS as exc:
            raise storage_error(exc) from exc
