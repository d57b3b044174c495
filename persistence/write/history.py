"""Storage of the history and of bearer tokens.

The database refuses to change or remove a history entry (migrations 0002, 0003 and 0007), with one
exception: after a REDACT entry about a person, the entries before it may have that person's
identifying fields set to null, and nothing else.

An erasure also takes the erased text out of the database's files, as far as the database can: on SQLite
the erasing connection overwrites what it frees with zeros (`secure_delete`) and the WAL is checkpointed and
truncated once it commits; on PostgreSQL the tables it changed are vacuumed, which drops the old row versions
(`purge_erased`; the README says what PostgreSQL's files and WAL may keep beyond that)."""

from __future__ import annotations

import asyncio
import builtins
import dataclasses
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.access import ApiToken, Role
from domain.record.history import Change, HistoryFilter, redacted
from domain.record.kinds import KINDS
from persistence.sql import mappers
from persistence.sql.engine import STORE_FAULTS, is_sqlite
from persistence.sql.tables import ApiTokenRow, HistoryRow
from persistence.write.base import SqlRepository, table_of
from persistence.write.horizon import HORIZON, READ_HORIZON
from persistence.write.storage import STORAGE

log = logging.getLogger(__name__)
VACUUM_ATTEMPTS = 10
"""How often a table is vacuumed after an erasure (every 200 ms) while older transactions keep its dead rows."""
CHECKPOINT_ATTEMPTS = 100
"""How often a checkpoint after an erasure is tried (every 50 ms) while readers keep it from truncating the WAL."""


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without a zone; every stored one is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


_AS_WRITTEN = mappers.mapper_of(Change, set_by_the_repository=("id",))


def change_values(change: Change) -> mappers.Values:
    return _AS_WRITTEN.to_values(change)


def change(row: Any, links: mappers.Values) -> Change:
    return dataclasses.replace(_AS_WRITTEN.to_entity(row, links), at=_utc(row.at))


class SqlHistoryRepository(SqlRepository[Change, HistoryFilter]):
    """Entries are appended and listed in the order written (by id); the only change is a redaction.

    Bounded (a reader's, on PostgreSQL), it lists, follows and counts entries only up to the safe horizon
    (persistence/write/horizon.py), so that whoever reads "every entry after N" never misses one committed later
    below N. A writer's own reads see every committed entry.
    """

    table = table_of(HistoryRow)
    mapper = mappers.Mapper(change_values, change)

    def __init__(self, connection: AsyncConnection, *, bounded: bool = False) -> None:
        super().__init__(connection)
        self.bounded = bounded and connection.dialect.name == "postgresql"
        self.erased: set[str] = set()
        """The kinds of record whose personal fields this connection erased: their files need `purge_erased` after the commit."""
        self._held: tuple[int, bool] | None = None
        """The last entry `since` read, and whether committed entries waited beyond the horizon then."""
        self.appended: int | None = None
        """The newest entry this transaction appended, if it appended any (a writer's history mark names it)."""

    def within_horizon(self) -> builtins.list[ColumnElement[bool]]:
        """The condition keeping a bounded repository's reads at or below the horizon (none otherwise)."""
        return [self.table.c.id <= literal_column(HORIZON)] if self.bounded else []

    def conditions(self, filter: HistoryFilter) -> builtins.list[ColumnElement[bool]]:
        c, found = self.table.c, self.within_horizon()
        if filter.author is not None:
            found.append(c.author == filter.author)
        if filter.entity is not None:
            found.append(c.entity == filter.entity)
        if filter.record_id is not None:
            found.append(c.record_id == filter.record_id)
        if filter.actions is not None:
            found.append(c.action.in_(sorted(action.value for action in filter.actions)))
        if filter.since is not None:
            found.append(c.at >= filter.since)
        if filter.until is not None:
            found.append(c.at <= filter.until)
        return found

    async def since(self, after: int, limit: int) -> builtins.list[Change]:
        """The next `limit` entries written after the entry `after` (0: from the first), in the order written."""
        if not self.bounded:
            query = select(self.table).where(self.table.c.id > after).order_by(self.table.c.id).limit(limit)
            return [change(row, {}) for row in (await self.connection.execute(query)).all()]
        # One statement: the entries up to the horizon, and whether committed ones wait beyond it (`held_back` answers
        # from it for the last entry read, sparing the live history a second statement on every change).
        horizon = select(literal_column(HORIZON).label("at")).cte("horizon")
        at = select(horizon.c.at).scalar_subquery()
        beyond = select(literal_column("1")).where(self.table.c.id > at).exists().label("held_beyond")
        query = select(self.table, beyond).where(self.table.c.id > after, self.table.c.id <= at).order_by(self.table.c.id).limit(limit)
        rows = (await self.connection.execute(query)).all()
        self._held = (rows[-1].id, bool(rows[-1].held_beyond)) if rows else None
        return [change(row, {}) for row in rows]

    async def last_id(self) -> int:
        """The id of the latest entry (bounded: the horizon); 0 when the history is empty."""
        if self.bounded:
            return int(await self.connection.scalar(READ_HORIZON) or 0)
        return int(await self.connection.scalar(select(func.max(self.table.c.id))) or 0)

    async def held_back(self, after: int) -> bool:
        """Whether a committed entry after `after` lies beyond the horizon (never, unbounded)."""
        if not self.bounded:
            return False
        if self._held is not None and self._held[0] == after:
            return self._held[1]
        beyond = select(literal_column("1")).where(self.table.c.id > after, self.table.c.id > literal_column(HORIZON)).exists()
        return bool(await self.connection.scalar(select(beyond)))

    async def append(self, entry: Change) -> Change:
        stamped = dataclasses.replace(entry, at=datetime.now(UTC))
        id = (await self.connection.execute(insert(self.table).values(**change_values(stamped)).returning(self.table.c.id))).scalar_one()
        self.wrote(id)
        return dataclasses.replace(stamped, id=id)

    def wrote(self, id: int) -> None:
        """Entry `id` was appended in this transaction (by `append`, or by a bulk insert such as an import's)."""
        self.appended = id if self.appended is None else max(self.appended, id)

    async def add(self, entity: Change) -> Change:
        return await self.append(entity)

    async def append_many(self, entries: Sequence[Change]) -> None:
        """Append many entries at once, at the times they carry (an import's entries share one)."""
        await self.insert_values([change_values(entry) for entry in entries])

    async def insert_values(self, rows: Sequence[dict[str, Any]]) -> None:
        """Append many entries made into rows by `change_values`."""
        if rows:
            await self.connection.execute(insert(self.table), list(rows))

    async def redact(self, entity: str, record_id: int, *, before: int) -> int:
        """Blank the kind's personal fields in the record's entries older than the REDACT entry `before`.

        Only the entries whose content changes are written: the database checks each against the
        redacted form of what it held, so a value is set to null and to nothing else.
        """
        if self.connection.dialect.name == "sqlite":
            await self.connection.exec_driver_sql("PRAGMA secure_delete = ON")  # what the erasure frees is zeroed, not left
        self.erased.add(entity)
        c = self.table.c
        mine = select(c.id, c.before, c.after).where(c.entity == entity, c.record_id == record_id, c.id < before).order_by(c.id)
        written = 0
        for row in (await self.connection.execute(mine)).all():
            values = {
                column: blanked
                for column, document in (("before", row.before), ("after", row.after))
                if (blanked := redacted(entity, document)) != document
            }
            if values:
                await self.connection.execute(update(self.table).where(c.id == row.id).values(**values))
                written += 1
        return written

    async def update(self, entity: Change) -> Change:
        raise TypeError("the history is append-only")

    async def delete(self, id: int) -> None:
        raise TypeError("the history is append-only")


async def end_secure_delete(connection: AsyncConnection) -> None:
    """The erasing connection back to SQLite's default before the pool takes it (`redact` turned zeroing on)."""
    if connection.dialect.name != "sqlite" or connection.closed:
        return
    try:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute("PRAGMA secure_delete = OFF")
    except STORE_FAULTS:
        log.warning("secure_delete could not be turned off again after an erasure", exc_info=True)


async def purge_erased(engine: AsyncEngine, kinds: builtins.set[str], *, compact: bool = False) -> None:
    """After an erasure commits: the old versions of the rows it changed gone from the database's files.

    SQLite: the erasing connection zeroed what it freed (`secure_delete`); the WAL, which still holds the pages as
    they were, is checkpointed into the database file and truncated (retried while readers hold it back). With
    `compact`, VACUUM rebuilds the file first. PostgreSQL: VACUUM of the history and of each kind's table removes
    the dead row versions, without locking anyone out; VACUUM does not zero the space they leave, so the text may
    stay in the table's pages until that space is reused. With `compact` (the `--compact` of `demarche history
    erase`), VACUUM FULL rewrites those tables (locking them while it runs) and a CHECKPOINT follows. A failure is
    logged: the erasure itself has committed.
    """
    tables = ["history", *(STORAGE[KINDS[kind]].table.name for kind in sorted(kinds))]
    try:
        async with engine.connect() as connection:
            if is_sqlite(engine):
                driver = (await connection.get_raw_connection()).driver_connection
                assert driver is not None
                if compact:
                    await driver.execute("VACUUM")
                for _attempt in range(CHECKPOINT_ATTEMPTS):
                    cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    busy = (await cursor.fetchone())[0]
                    if not busy:
                        return
                    await asyncio.sleep(0.05)
                log.warning("readers kept the WAL from being truncated after an erasure: the erased text leaves it at the next checkpoint")
            else:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                for table in tables:
                    # A transaction that began before the erasure still sees the old rows, and VACUUM keeps them for it:
                    # vacuum again, a moment later, while the table reports dead rows left.
                    for _attempt in range(VACUUM_ATTEMPTS):
                        await autocommit.exec_driver_sql(f"VACUUM {'FULL ' if compact else ''}{table}")
                        left = await autocommit.exec_driver_sql(
                            f"SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = '{table}'::regclass"
                        )
                        if not left.scalar():
                            break
                        await asyncio.sleep(0.2)
                if compact:
                    await autocommit.exec_driver_sql("CHECKPOINT")
    except STORE_FAULTS:
        log.warning("the database files could not be purged after an erasure, which has committed", exc_info=True)


def _token(row: Any) -> ApiToken:
    return ApiToken(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        digest=row.digest,
        created_at=_utc(row.created_at) or datetime.now(UTC),
        created_by=row.created_by,
        revoked_at=_utc(row.revoked_at),
    )


class SqlTokenRepository:
    table = table_of(ApiTokenRow)

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def _one(self, condition: ColumnElement[bool]) -> ApiToken | None:
        row = (await self.connection.execute(select(self.table).where(condition))).first()
        return None if row is None else _token(row)

    async def add(self, token: ApiToken) -> ApiToken:
        values = {
            "name": token.name,
            "role": token.role.value,
            "digest": token.digest,
            "created_at": token.created_at,
            "created_by": token.created_by,
            "revoked_at": token.revoked_at,
        }
        id = (await self.connection.execute(insert(self.table).values(**values).returning(self.table.c.id))).scalar_one()
        return dataclasses.replace(token, id=id)

    async def by_digest(self, digest: str) -> ApiToken | None:
        return await self._one(self.table.c.digest == digest)

    async def by_name(self, name: str) -> ApiToken | None:
        return await self._one(self.table.c.name == name)

    async def all(self) -> builtins.list[ApiToken]:
        rows = (await self.connection.execute(select(self.table).order_by(self.table.c.id))).all()
        return [_token(row) for row in rows]

    async def revoke(self, token: ApiToken) -> ApiToken:
        await self.connection.execute(update(self.table).where(self.table.c.id == token.id).values(revoked_at=token.revoked_at))
        return token
