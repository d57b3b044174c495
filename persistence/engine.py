"""Engines for the two supported databases, each behind an async driver."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlmodel import SQLModel

import persistence.tables

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


def _configure_sqlite(engine: AsyncEngine) -> None:
    # pysqlite's own transaction handling neither enforces foreign keys nor lets a writer
    # take its lock up front; we emit BEGIN ourselves (IMMEDIATE for writers) instead.
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()
        dbapi_connection.create_function("unicode_lower", 1, _lower, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get("sqlite_begin", "BEGIN"))


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


async def create_tables(connection: AsyncConnection) -> None:
    """Create every table and index that does not exist yet, including the search index."""
    from persistence.search import create_search_index

    await connection.run_sync(SQLModel.metadata.create_all)
    await create_search_index(connection)
    version = persistence.tables.RecordVersionRow.__table__  # type: ignore[attr-defined]
    if (await connection.execute(select(version.c.id))).first() is None:
        await connection.execute(insert(version).values(id=1, version=0))
