"""The database schema, made and changed only by the Alembic revisions in `versions/`.

Each call runs in one transaction that also writes `alembic_version`, so a failed migration leaves
the schema as it was; two at once take turns (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL).
A new revision goes in `versions/` as `vNNNN_name.py`, shaped like `script.py.mako`, its DDL written out in full.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from persistence.sql.engine import is_sqlite

SCRIPTS = Path(__file__).resolve().parent
BASELINE = "0001"
"""The schema of the first release, which made its tables without Alembic."""
MIGRATION_LOCK = 0x44454D42
"""PostgreSQL advisory lock held by a migration; the unit of work's writer lock is another."""


class SchemaOutOfDate(Exception):
    """The database is not at the schema this code needs."""

    def __init__(self, current: str | None, head: str, *, known: bool = True) -> None:
        advice = "run `demarche db upgrade`" if known else "it was made by a newer version of Demarche; run that version"
        super().__init__(f"the database schema is at revision {current or 'none'}, this version needs {head}; {advice}")
        self.current = current
        self.head = head


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision in `versions/`."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise LookupError("no migration revisions found")
    return head


@asynccontextmanager
async def _migrating(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        if is_sqlite(engine):
            await connection.execution_options(sqlite_begin="BEGIN IMMEDIATE")
        async with connection.begin():
            if not is_sqlite(engine):
                await connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            yield connection


_IN_PROCESS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()
"""Alembic keeps the running migration in module globals, so one process runs one migration at a time
(a lock per event loop, as an asyncio lock belongs to one); the database lock above makes processes take turns."""


def _in_process() -> asyncio.Lock:
    return _IN_PROCESS.setdefault(asyncio.get_running_loop(), asyncio.Lock())


Move = tuple[str | None, str | None]
"""The revision a migration found the database at, and the one it left it at."""


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _step(connection: Connection, step: Callable[[Config], None]) -> Move:
    before = _revision(connection)
    step(_config(connection))
    return before, _revision(connection)


async def _run(engine: AsyncEngine, step: Callable[[Config], None]) -> Move:
    async with _in_process(), _migrating(engine) as connection:
        return await connection.run_sync(lambda sync: _step(sync, step))


def _is_first_release(connection: Connection) -> bool:
    """Tables of the first release are there, but no `alembic_version`."""
    tables = set(inspect(connection).get_table_names())
    return "record_version" in tables and "alembic_version" not in tables


def _upgrade(config: Config, revision: str) -> None:
    if _is_first_release(config.attributes["connection"]):
        command.stamp(config, BASELINE)
    command.upgrade(config, revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> Move:
    """Bring the schema up to `revision`; a database of the first release is adopted at the baseline first."""
    return await _run(engine, lambda config: _upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str = "base") -> Move:
    """Take the schema back down to `revision`; "base" drops every table."""
    return await _run(engine, lambda config: command.downgrade(config, revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at; None for an empty database or one of the first release."""
    async with engine.connect() as connection:
        return await connection.run_sync(_revision)


def is_known(revision: str | None) -> bool:
    """Whether a revision is one of this code's; None (an empty database) is."""
    return revision is None or any(script.revision == revision for script in ScriptDirectory.from_config(_config()).walk_revisions())


async def is_current(engine: AsyncEngine) -> bool:
    """Whether the database is at the newest revision."""
    return await current_revision(engine) == head_revision()
