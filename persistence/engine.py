"""Engines for the two supported databases, each behind an async driver."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from persistence.json_sql import sqlite_base64, sqlite_base64url

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


def _configure_sqlite(engine: AsyncEngine) -> None:
    # pysqlite's own transaction handling neither enforces foreign keys nor lets a writer
    # take its lock up front; we emit BEGIN ourselves (IMMEDIATE for writers) instead.
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
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


def create_read_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine | None:
    """For PostgreSQL, an engine of its own for reads, whose connections run each statement on its own.

    A read of one statement needs no transaction around it, and its connection checks cost one
    round trip instead of three; several statements that must share a snapshot begin one explicitly.
    SQLite reads through the one engine.
    """
    url = async_url(database_url)
    if url.get_backend_name() == "sqlite":
        return None
    # Reads are most of the traffic and each holds its connection only for its statement: twice the pool
    # keeps a connection open for every concurrent request in the usual range (a connection made beyond the
    # pool is closed again on return, which costs PostgreSQL a new backend every time).
    return create_async_engine(
        url,
        pool_size=2 * pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_reset_on_return=None,
        isolation_level="AUTOCOMMIT",
    )


def create_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An async engine for `database_url`, set up for its dialect."""
    url = async_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": 30}, pool_reset_on_return=None)
        _configure_sqlite(engine)
        return engine
    # Every unit of work and read ends its own transaction, and closing a connection rolls back
    # anything left open, so the pool need not reset connections on return.
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, pool_reset_on_return=None)
