"""The record as it stood at a past instant: a snapshot store the ordinary read paths read unchanged.

The record at T is the current record with every change written after T undone: a record changed after T stood
at T as the `before` of its first history entry after T (absent when that entry created it); a record never
changed after T stands as it is now, which covers records loaded without history (the ISO states, the
organisations and their spells). The snapshot is materialised once per distinct state and cached:

- on SQLite, a copy of the database file (SQLite's online backup), undone in place, in a temporary folder;
- on PostgreSQL, a schema of its own (`demarche_asof_<hex>`) holding a copy of every record table, undone in
  place, read through connections whose `search_path` puts it first.

Either way it is a whole record store, so every read field, filter, tally, search and compiled read answers
from it without a second implementation. Its history holds the entries written at or before T only.

What a snapshot holds is fixed by the history at or before T and by the redactions since (an erasure blanks
earlier entries, and so the snapshot's names): its key is the last entry at or before T, how many entries there
are up to T (an entry written by a transaction still open at T lands later with an earlier time), the latest
REDACT entry, and whether personal fields only the history holds are shown. A few snapshots are kept, the least
recently used dropped first, and all are dropped on shutdown. One is built at a time; a request that would wait
more than BUILD_WAIT for the builds before it is refused as unavailable, and one asking a kept instant never waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import tempfile
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, event, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlmodel import SQLModel

from domain.errors import StorageUnavailable
from domain.record.documents import Document, from_document
from domain.record.history import PERSONAL_FIELDS, ChangeAction
from domain.record.kinds import KINDS
from domain.store import Instant, OutOfHistory
from persistence.sql.engine import STORE_FAULTS, create_engine, is_sqlite
from persistence.sql.tables import HistoryRow
from persistence.write.base import table_of
from persistence.write.faults import storage_error
from persistence.write.storage import STORAGE

log = logging.getLogger(__name__)

HISTORY = table_of(HistoryRow)
NOT_COPIED = frozenset({"api_token", "rate_budget", "persisted_query", "trusted_document"})
"""Tables a snapshot leaves empty: bearer tokens, rate budgets and stored documents belong to the live store, not to the record."""
SCHEMA_PREFIX = "demarche_asof_"
BUILD_WAIT = 10.0
"""Seconds a request waits for the snapshots being built before it (one is built at a time) before it is refused;
asking an instant whose snapshot is kept never waits."""


def in_utc(at: datetime) -> datetime:
    """The instant in UTC; one given without a zone is taken to be UTC."""
    try:
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    except OverflowError:
        raise OutOfHistory(f"asOf {at.isoformat()} lies outside the years 1 to 9999 in UTC") from None


@dataclass(frozen=True, slots=True)
class _Key:
    entry: int
    entries: int
    redaction: int
    personal: bool


@dataclass(slots=True)
class _Snapshot:
    engine: AsyncEngine
    drop: Any
    """Awaitable factory that removes the snapshot's storage once its engine is disposed."""


async def _bounds(connection: AsyncConnection, at: datetime) -> tuple[datetime | None, int, int, int, int]:
    """The first entry's time, the last entry at or before `at`, how many there are up to it, the latest REDACT, how many in all."""
    c = HISTORY.c
    upto = c.at <= at
    row = (
        await connection.execute(
            select(
                select(func.min(c.at)).scalar_subquery(),
                select(func.coalesce(func.max(c.id), 0)).where(upto).scalar_subquery(),
                select(func.count()).select_from(HISTORY).where(upto).scalar_subquery(),
                select(func.coalesce(func.max(c.id), 0)).where(c.action == ChangeAction.REDACT.value).scalar_subquery(),
                select(func.count()).select_from(HISTORY).scalar_subquery(),
            )
        )
    ).one()
    first = row[0]
    if first is not None and first.tzinfo is None:
        first = first.replace(tzinfo=UTC)
    return first, int(row[1]), int(row[2]), int(row[3]), int(row[4])


def _state_at(entry: Any) -> tuple[Document | None, int]:
    """A record's document and version just before `entry` (None: it did not exist)."""
    action = ChangeAction(entry.action)
    if action is ChangeAction.DELETE:
        return entry.before, entry.version
    if action is ChangeAction.REDACT and entry.after is None:
        return None, 0  # an erasure of a record deleted earlier: it was already gone
    if entry.before is None:
        return None, 0
    return entry.before, entry.version - 1


async def undo_after(connection: AsyncConnection, at: datetime, *, personal: bool) -> None:
    """Turn the record on `connection` (a copy, its foreign keys not enforced) into the record as it stood at `at`."""
    c = HISTORY.c
    rows = (await connection.execute(select(HISTORY).where(c.at > at).order_by(c.id))).all()
    first: dict[tuple[str, int], Any] = {}
    for row in rows:
        first.setdefault((row.entity, row.record_id), row)
    targets: dict[str, dict[int, tuple[Document | None, int]]] = {name: {} for name in KINDS}
    for (name, record_id), entry in first.items():
        targets[name][record_id] = _state_at(entry)
    for name, kind in KINDS.items():
        wanted = targets[name]
        if not wanted:
            continue
        repository = STORAGE[kind]
        if name in PERSONAL_FIELDS and not personal:
            # Only what the live record still shows: a value only the history holds is the editors' to read.
            live = await repository(connection).get_many(list(wanted))
            for id, (document, version) in list(wanted.items()):
                if document is not None:
                    now = live.get(id)
                    shown = {field: None if now is None else getattr(now, field) for field in PERSONAL_FIELDS[name]}
                    wanted[id] = ({**document, **shown}, version)
        ids = list(wanted)
        for link in repository.links:
            await connection.execute(delete(link.table).where(link.table.c[link.owner].in_(ids)))
        await connection.execute(delete(repository.table).where(repository.table.c.id.in_(ids)))
    for name, kind in KINDS.items():
        repository = STORAGE[kind]
        entities = [(from_document(name, document), version) for document, version in targets[name].values() if document is not None]
        if entities:
            values = [{**repository.mapper.to_values(entity), "id": entity.id, "version": version} for entity, version in entities]
            await connection.execute(insert(repository.table), values)
    for name, kind in KINDS.items():
        repository = STORAGE[kind]
        for link in repository.links:
            pairs = [
                {link.owner: document["id"], link.other: other}
                for document, _ in targets[name].values()
                if document is not None
                for other in document.get(link.attribute) or ()
            ]
            if pairs:
                await connection.execute(insert(link.table), pairs)


def _copied_tables() -> list[Table]:
    return [table for table in SQLModel.metadata.sorted_tables if table.name not in NOT_COPIED]


class Snapshots:
    """The record as it stood at past instants, each materialised once and kept, a few at a time."""

    def __init__(self, engine: AsyncEngine, *, keep: int = 4, pool_size: int = 2, wait: float = BUILD_WAIT) -> None:
        self.engine = engine
        self.keep = keep
        self.pool_size = pool_size
        self.wait = wait
        self._cache: OrderedDict[_Key, _Snapshot] = OrderedDict()
        self._building = asyncio.Lock()
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    async def at(self, at: datetime, *, personal: bool) -> tuple[AsyncEngine | None, Instant]:
        """An engine on the record as it stood at `at` (None: the live record is that record) and the instant it stands for."""
        at = in_utc(at)
        if at > datetime.now(UTC):
            raise OutOfHistory(f"asOf {at.isoformat()} is in the future: the record holds no later state than now")
        try:
            async with self.engine.connect() as connection:
                first, entry, entries, redaction, total = await _bounds(connection, at)
        except STORE_FAULTS as exc:
            raise storage_error(exc) from exc
        if first is None:
            raise OutOfHistory("the history is empty: the record has no past state to answer from")
        if at < first:
            raise OutOfHistory(
                f"asOf {at.isoformat()} is before the history's first entry ({first.isoformat()}); the record before it is not known"
            )
        instant = Instant(at=at, entry=entry)
        if entries == total:
            return None, instant  # nothing was written after `at`: the live record is the record then
        key = _Key(entry, entries, redaction, personal)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found.engine, instant
        try:
            async with asyncio.timeout(self.wait):
                await self._building.acquire()
        except TimeoutError:
            raise StorageUnavailable(
                f"the record at past instants is being built for other requests and this one waited {self.wait:g} s: "
                "retry shortly, or ask an instant already asked"
            ) from None
        try:
            found = self._cache.get(key)  # built by the request this one waited for
            if found is None:
                found = await self._build(at, personal)
                self._cache[key] = found
                await self._trim()
            else:
                self._cache.move_to_end(key)
        finally:
            self._building.release()
        return found.engine, instant

    async def _trim(self) -> None:
        while len(self._cache) > self.keep:
            _, dropped = self._cache.popitem(last=False)
            await self._drop(dropped)

    async def _drop(self, snapshot: _Snapshot) -> None:
        try:
            await snapshot.engine.dispose()
            await snapshot.drop()
        except Exception:
            log.warning("a snapshot of the record could not be removed", exc_info=True)

    async def close(self) -> None:
        """Drop every snapshot (at shutdown)."""
        async with self._building:
            while self._cache:
                _, dropped = self._cache.popitem(last=False)
                await self._drop(dropped)
            if self._folder is not None:
                self._folder.cleanup()
                self._folder = None

    async def _build(self, at: datetime, personal: bool) -> _Snapshot:
        try:
            if is_sqlite(self.engine):
                return await self._build_sqlite(at, personal)
            return await self._build_postgres(at, personal)
        except STORE_FAULTS as exc:
            raise storage_error(exc) from exc

    async def _build_sqlite(self, at: datetime, personal: bool) -> _Snapshot:
        source = self.engine.url.database
        if not source or source == ":memory:":
            raise OutOfHistory("the record as it stood at a past instant needs a SQLite database kept in a file")
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="demarche-asof-")
        path = Path(self._folder.name) / f"{uuid.uuid4().hex}.sqlite3"
        await asyncio.to_thread(_backup, source, str(path))
        builder = create_async_engine(f"sqlite+aiosqlite:///{path}")

        @event.listens_for(builder.sync_engine, "connect")
        def unenforced(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = OFF")  # a copy being undone passes through states no write made
            cursor.close()

        @event.listens_for(builder.sync_engine, "begin")
        def begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        try:
            async with builder.begin() as connection:
                await undo_after(connection, at, personal=personal)
                for trigger in ("history_no_update", "history_no_delete"):
                    await connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
                await connection.execute(delete(HISTORY).where(HISTORY.c.at > at))
                for name in NOT_COPIED:
                    await connection.exec_driver_sql(f"DELETE FROM {name}")
        finally:
            await builder.dispose()
        reads = create_engine(f"sqlite:///{path}", pool_size=self.pool_size)

        async def drop() -> None:
            await asyncio.to_thread(_remove, path)

        return _Snapshot(reads, drop)

    async def _build_postgres(self, at: datetime, personal: bool) -> _Snapshot:
        schema = f"{SCHEMA_PREFIX}{uuid.uuid4().hex[:16]}"
        async with self.engine.connect() as connection, connection.begin():
            await connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            live = str(await connection.scalar(text("SELECT current_schema()")))
            await connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            for table in _copied_tables():
                columns = ", ".join(f'"{column.name}"' for column in table.columns)
                await connection.exec_driver_sql(f'CREATE TABLE "{schema}"."{table.name}" (LIKE "{live}"."{table.name}" INCLUDING ALL)')
                await connection.exec_driver_sql(
                    f'INSERT INTO "{schema}"."{table.name}" ({columns}) SELECT {columns} FROM "{live}"."{table.name}"'
                )
            await connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}", "{live}"')
            await undo_after(connection, at, personal=personal)
            await connection.execute(delete(HISTORY).where(HISTORY.c.at > at))
        reads = create_engine(self.engine.url.render_as_string(hide_password=False), pool_size=self.pool_size)
        path = f'"{schema}", "{live}"'

        @event.listens_for(reads.sync_engine, "connect", insert=True)
        def search_path(dbapi_connection: Any, _record: Any) -> None:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            cursor = dbapi_connection.cursor()
            cursor.execute(f"SET SESSION search_path TO {path}")
            cursor.close()
            dbapi_connection.autocommit = autocommit

        async def drop() -> None:
            async with self.engine.begin() as connection:
                await connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

        return _Snapshot(reads, drop)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def _backup(source: str, target: str) -> None:
    """Copy a SQLite database as one consistent state, while others keep writing it."""
    with contextlib.closing(sqlite3.connect(source)) as live, contextlib.closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
