"""The unit of work: one connection, one transaction, every repository on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.errors import Conflict, DomainError, StorageUnavailable
from persistence.analysis import SqlRecordAnalysis
from persistence.engine import is_sqlite
from persistence.repositories import (
    SqlActorRepository,
    SqlCitationRepository,
    SqlDiplomatRepository,
    SqlExpulsionRepository,
    SqlMissionRepository,
    SqlSourceRepository,
    SqlStatementRepository,
    SqlWaveRepository,
)

# Writers take this transaction-scoped lock on PostgreSQL (and BEGIN IMMEDIATE on SQLite),
# so checks that span records, such as "no answer cycle", see every earlier write.
WRITER_LOCK = 0x44454D41


def storage_error(exc: DBAPIError) -> DomainError:
    """The port's own error for a database failure."""
    if isinstance(exc, IntegrityError):
        detail = str(exc.orig).splitlines()[0] if exc.orig is not None else "constraint violated"
        return Conflict(f"the change conflicts with the stored record ({detail})")
    return StorageUnavailable("the record store is unavailable; nothing was written")


class SqlUnitOfWork:
    """A transaction over all repositories; rolls back unless `commit` succeeded."""

    actors: SqlActorRepository
    missions: SqlMissionRepository
    diplomats: SqlDiplomatRepository
    expulsions: SqlExpulsionRepository
    waves: SqlWaveRepository
    statements: SqlStatementRepository
    sources: SqlSourceRepository
    citations: SqlCitationRepository
    analysis: SqlRecordAnalysis

    def __init__(self, engine: AsyncEngine, *, writing: bool = True) -> None:
        self._engine = engine
        self._writing = writing
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("a unit of work is entered once")
        connection = await self._engine.connect()
        try:
            if is_sqlite(self._engine):
                begin = "BEGIN IMMEDIATE" if self._writing else "BEGIN"
                await connection.execution_options(sqlite_begin=begin)
            await connection.begin()
            if self._writing and not is_sqlite(self._engine):
                await connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")
        except DBAPIError as exc:
            await connection.close()
            raise storage_error(exc) from exc
        self._connection = connection
        self.actors = SqlActorRepository(connection)
        self.missions = SqlMissionRepository(connection)
        self.diplomats = SqlDiplomatRepository(connection)
        self.expulsions = SqlExpulsionRepository(connection)
        self.waves = SqlWaveRepository(connection)
        self.statements = SqlStatementRepository(connection)
        self.sources = SqlSourceRepository(connection)
        self.citations = SqlCitationRepository(connection)
        self.analysis = SqlRecordAnalysis(connection)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        connection, self._connection = self._connection, None
        assert connection is not None
        try:
            if connection.in_transaction():
                await connection.rollback()
        finally:
            await connection.close()
        if isinstance(exc, DBAPIError):
            raise storage_error(exc) from exc

    async def commit(self) -> None:
        if self._connection is None:
            raise RuntimeError("commit outside the unit of work")
        if not self._writing:
            raise RuntimeError("a read-only unit of work does not commit")
        try:
            await self._connection.commit()
        except DBAPIError as exc:
            raise storage_error(exc) from exc


class SqlUnitOfWorkFactory:
    """Makes units of work on one engine: writers serialise, readers run concurrently."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, writing=True)

    def reader(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, writing=False)
