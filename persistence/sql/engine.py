"""Engines for the two supported databases, each behind an async driver."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs; only its exception and connection classes are used
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from persistence.sql.json_sql import sqlite_base64, sqlite_base64url

STORE_FAULTS = (DBAPIError, OSError, PoolTimeout, asyncpg.PostgresError, asyncpg.InterfaceError, OverflowError)
"""What a failing store raises: the driver's errors (wrapped by SQLAlchemy or not), a refused or lost
connection (OSError), a wait that ran out (TimeoutError is an OSError; PoolTimeout is SQLAlchemy's for an
empty pool), and SQLite's refusal of an integer past 64 bits (OverflowError)."""

ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def async_url(database_url: str) -> URL:
    """Map a plain `sqlite://` or `postgresql://` URL to its async driver; keep explicit drivers."""
    url = make_url(database_url)
    if url.drivername in ASYNC_DRIVERS:
        url = url.set(drivername=ASYNC_DRIVERS[url.drivername])
    if url.get_backend_name() not in ASYNC_DRIVERS:
        raise ValueError(f"unsupported database {url.get_backend_name()!r}: use sqlite or postgresql")
    return url


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


async def discard(connection: AsyncConnection) -> None:
    """Drop a connection that can no longer be trusted instead of handing it back to the pool."""
    with contextlib.suppress(Exception):
        await connection.invalidate()
    await connection.close()


def _cut_off_when_dropped(engine: AsyncEngine) -> None:
    # The pool drops a connection it no longer trusts (a failed ping, a lost connection) with a graceful
    # close, which on a server that stopped answering waits out a timeout of its own; cut it off first.
    @event.listens_for(engine.sync_engine.pool, "invalidate")
    def on_invalidate(dbapi_connection: Any, _record: Any, _exception: BaseException | None) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        if isinstance(driver, asyncpg.Connection):
            driver.terminate()


def _lower(text: str | None) -> str | None:
    return None if text is None else text.lower()


WAL_ATTEMPTS = 200


def _use_wal(cursor: Any) -> None:
    """Switch a database to write-ahead logging once; the switch needs the database to itself.

    SQLite answers "database is locked" at once, without waiting, when another connection is
    using the file at that moment (two processes opening a new database together), so retry.
    """
    for attempt in range(WAL_ATTEMPTS):
        try:
            cursor.execute("PRAGMA journal_mode")
            if str(cursor.fetchone()[0]).lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except Exception as exc:
            if "locked" not in str(exc).lower() or attempt == WAL_ATTEMPTS - 1:
                raise
            time.sleep(0.05)


SQLITE_BUSY_TIMEOUT = 30.0
"""Seconds a SQLite writer waits for another's lock when no statement timeout is given."""


def _configure_sqlite(engine: AsyncEngine, *, busy_timeout: float) -> None:
    # pysqlite's own transaction handling neither enforces foreign keys nor lets a writer
    # take its lock up front; we emit BEGIN ourselves (IMMEDIATE for writers) instead.
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {max(1, round(busy_timeout * 1000))}")
        cursor.execute("PRAGMA foreign_keys = ON")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()
        dbapi_connection.create_function("unicode_lower", 1, _lower, deterministic=True)
        # The compiled reader's global IDs and cursors; SQLite has no base64 of its own.
        dbapi_connection.create_function("demarche_base64", 1, sqlite_base64, deterministic=True)
        dbapi_connection.create_function("demarche_base64url", 1, sqlite_base64url, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get("sqlite_begin", "BEGIN"))


def _postgres_timeouts(connect: float | None, statement: float | None, pool: float | None) -> dict[str, Any]:
    """Engine arguments that bound every wait on PostgreSQL; None leaves a wait to the driver's own default.

    The server cancels a statement after `statement` seconds; the client gives up a little later, which is
    what bounds a server that stopped answering altogether (frozen, or cut off without a reset).
    """
    connect_args: dict[str, Any] = {}
    if connect is not None:
        connect_args["timeout"] = connect
    if statement is not None:
        connect_args["command_timeout"] = statement + STATEMENT_GRACE
        connect_args["server_settings"] = {"statement_timeout": str(max(1, round(statement * 1000)))}
    arguments: dict[str, Any] = {"connect_args": connect_args}
    if pool is not None:
        arguments["pool_timeout"] = pool
    return arguments


STATEMENT_GRACE = 0.5
"""Seconds the client waits past the server's own statement timeout: a cancelled statement then comes back as
the server's error on a connection that stays usable, and only a server that does not answer at all is given up."""


def create_read_engine(
    database_url: str,
    *,
    pool_size: int = 10,
    connect_timeout: float | None = None,
    statement_timeout: float | None = None,
    pool_timeout: float | None = None,
) -> AsyncEngine | None:
    """For PostgreSQL, an engine of its own for reads, whose connections run each statement on its own.

    A read of one statement needs no transaction around it, and its connection checks cost one
    round trip instead of three; several statements that must share a snapshot begin one explicitly.
    SQLite reads through the one engine. The timeouts are in seconds, as for `create_engine`.
    """
    url = async_url(database_url)
    if url.get_backend_name() == "sqlite":
        return None
    # Reads are most of the traffic and each holds its connection only for its statement: twice the pool
    # keeps a connection open for every concurrent request in the usual range (a connection made beyond the
    # pool is closed again on return, which costs PostgreSQL a new backend every time).
    engine = create_async_engine(
        url,
        pool_size=2 * pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_reset_on_return=None,
        isolation_level="AUTOCOMMIT",
        **_postgres_timeouts(connect_timeout, statement_timeout, pool_timeout),
    )
    _cut_off_when_dropped(engine)
    return engine


def create_engine(
    database_url: str,
    *,
    pool_size: int = 10,
    connect_timeout: float | None = None,
    statement_timeout: float | None = None,
    pool_timeout: float | None = None,
) -> AsyncEngine:
    """An async engine for `database_url`, set up for its dialect.

    Timeouts are in seconds; None keeps the driver's default. `connect_timeout` bounds opening a connection,
    `statement_timeout` one statement (on SQLite: the wait for another writer's lock), `pool_timeout` the wait
    for a pooled connection when all are in use.
    """
    url = async_url(database_url)
    if url.get_backend_name() == "sqlite":
        busy = SQLITE_BUSY_TIMEOUT if statement_timeout is None else statement_timeout
        waits = {} if pool_timeout is None else {"pool_timeout": pool_timeout}
        engine = create_async_engine(url, connect_args={"timeout": busy}, pool_reset_on_return=None, **waits)
        _configure_sqlite(engine, busy_timeout=busy)
        return engine
    # Every unit of work and read ends its own transaction, and closing a connection rolls back
    # anything left open, so the pool need not reset connections on return.
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_reset_on_return=None,
        **_postgres_timeouts(connect_timeout, statement_timeout, pool_timeout),
    )
    _cut_off_when_dropped(engine)
    return engine
