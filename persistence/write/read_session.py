"""Every repository bound to one connection, and the read session that reuses one connection for a request's reads."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.errors import StorageUnavailable
from domain.read.plans import Record
from persistence.live.replica import LOOK_FLOOR, ReplicaPosition
from persistence.read.analysis import SqlRecordAnalysis
from persistence.read.json_reads import SqlRecordReader
from persistence.read.record_search import SqlRecordSearch
from persistence.read.relations import NAMES, SqlRelatedRecords
from persistence.sql.engine import STORE_FAULTS, discard, is_sqlite
from persistence.write.actors import SqlActorRepository, SqlMembershipRepository
from persistence.write.expulsions import SqlExpulsionRepository, SqlWaveRepository
from persistence.write.faults import is_lost_connection, storage_error
from persistence.write.history import SqlHistoryRepository, SqlTokenRepository
from persistence.write.missions import SqlDiplomatRepository, SqlMissionRepository
from persistence.write.statements import SqlCitationRepository, SqlSourceRepository, SqlStatementRepository
from persistence.write.storage import STORAGE


class SqlRepositories:
    """Every repository, bound to one connection: one per kind of record (as `STORAGE` gives them), and the rest."""

    actors: SqlActorRepository
    missions: SqlMissionRepository
    diplomats: SqlDiplomatRepository
    expulsions: SqlExpulsionRepository
    waves: SqlWaveRepository
    statements: SqlStatementRepository
    sources: SqlSourceRepository
    citations: SqlCitationRepository
    memberships: SqlMembershipRepository
    analysis: SqlRecordAnalysis
    history: SqlHistoryRepository
    tokens: SqlTokenRepository
    reader: SqlRecordReader
    search: SqlRecordSearch
    relations: SqlRelatedRecords


assert all(SqlRepositories.__annotations__.get(kind.repository) == repository.__name__ for kind, repository in STORAGE.items())


def bind_repositories(target: SqlRepositories, connection: AsyncConnection, *, autocommit: bool = False, writing: bool = False) -> None:
    """With `writing` (a writer's unit of work): on PostgreSQL, the records a writer reads to check an edit are held
    against concurrent changes until it ends, and its history reads see every committed entry; readers' history reads
    stop at the safe horizon (persistence/write/horizon.py)."""
    for kind, repository in STORAGE.items():
        setattr(target, kind.repository, repository(connection, holding=writing))
    target.analysis = SqlRecordAnalysis(connection)
    target.history = SqlHistoryRepository(connection, bounded=not writing)
    target.tokens = SqlTokenRepository(connection)
    target.reader = SqlRecordReader(connection, autocommit=autocommit)
    target.search = SqlRecordSearch(connection)
    target.relations = SqlRelatedRecords(target)


class SqlReadSession:
    """The reads of one request on one connection: each use is a short read transaction, one at a time.

    Taking the connection once per request, not once per batch, spares a pool checkout, a
    reset and a close for every relation a query loads.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        autocommit: bool = False,
        replica: ReplicaPosition | None = None,
        primary: AsyncEngine | None = None,
    ) -> None:
        """With `replica` (`engine` being the replica's): a replica that gives no connection within its wait, or
        refuses one, is marked gone and the session reads from `primary` instead."""
        self._engine = engine
        self._autocommit = autocommit
        self._replica = replica
        self._primary = primary
        self._connection: AsyncConnection | None = None
        self._repositories = SqlRepositories()
        self._lock = asyncio.Lock()
        self._lost: str | None = None
        """Why the store went away during this request, if it did: the request's later reads fail at once
        instead of each waiting out its own timeout (a new request tries again)."""

    @contextlib.asynccontextmanager
    async def use(self) -> AsyncIterator[SqlRepositories]:
        async with self._lock:
            if self._lost is not None:
                raise StorageUnavailable(self._lost)
            try:
                if self._connection is None:
                    self._connection = await self._connect()
                    if is_sqlite(self._engine):
                        await self._connection.execution_options(sqlite_begin="BEGIN")
                    bind_repositories(self._repositories, self._connection, autocommit=self._autocommit)
                await self._connection.begin()
                try:
                    yield self._repositories
                finally:
                    if self._connection.in_transaction():
                        await self._connection.rollback()
            except STORE_FAULTS as exc:
                error = storage_error(exc)
                if is_lost_connection(exc):
                    self._lost = error.message
                    connection, self._connection = self._connection, None
                    if connection is not None:
                        await discard(connection)
                raise error from exc

    async def _connect(self) -> AsyncConnection:
        if self._replica is None or self._primary is None:
            return await self._engine.connect()
        bound = max(self._replica.wait, LOOK_FLOOR)
        try:
            # The pool pings a connection as it hands it out: a replica that hangs is found here, within the wait.
            async with asyncio.timeout(bound):
                return await self._engine.connect()
        except TimeoutError:
            self._replica.lost(f"no connection within {bound:g} s")
        except STORE_FAULTS as exc:
            self._replica.lost(f"unreachable: {type(exc).__name__}")
        self._engine, self._autocommit, self._replica = self._primary, False, None
        return await self._engine.connect()

    def relations(self, owner: Record) -> frozenset[str]:
        """The names of the relations of records of kind `owner`, which `use`'s repositories fetch."""
        return NAMES[owner]

    async def close(self) -> None:
        """Hand the connection back to the pool; a later `use` takes one again."""
        async with self._lock:
            connection, self._connection = self._connection, None
            if connection is not None:
                await connection.close()
