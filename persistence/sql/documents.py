"""Stored GraphQL documents in the database every process shares: the automatic persisted queries (bounded, least
recently used first out) and the trusted documents (never evicted)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.documents import TrustedDocument
from persistence.sql.engine import is_sqlite

_FIND = text("SELECT text FROM persisted_query WHERE hash = :hash")
_TOUCH = text("UPDATE persisted_query SET used = :used WHERE hash = :hash AND used < :used")
_KEEP = text(
    "INSERT INTO persisted_query (hash, text, bytes, used) VALUES (:hash, :text, :bytes, :used) "
    "ON CONFLICT (hash) DO UPDATE SET used = excluded.used"
)
# Newest first, each row with the count and bytes of the rows at least as recent: past either bound, a row goes.
_EVICT = text(
    "DELETE FROM persisted_query WHERE hash IN ("
    " SELECT hash FROM ("
    "  SELECT hash, row_number() OVER recent AS n, sum(bytes) OVER recent AS total FROM persisted_query"
    "  WINDOW recent AS (ORDER BY used DESC, hash ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    " ) ranked WHERE n > :entries OR total > :max_bytes)"
)
_SERIALISED = text("SELECT pg_advisory_xact_lock(7246018311)")
"""On PostgreSQL, one process at a time stores and evicts: two evictions deleting rows in different orders could deadlock."""
_COUNT = text("SELECT count(*), coalesce(sum(bytes), 0) FROM persisted_query")

_TRUSTED = "SELECT hash, name, text, registered_at FROM trusted_document"
_BY_HASH = text(f"{_TRUSTED} WHERE hash = :hash")
_BY_NAME = text(f"{_TRUSTED} WHERE name = :name ORDER BY registered_at DESC, hash LIMIT 1")
_LISTED = text(f"{_TRUSTED} ORDER BY name, registered_at, hash")
_REGISTER = text(
    "INSERT INTO trusted_document (hash, name, text, registered_at) VALUES (:hash, :name, :text, :registered_at) "
    "ON CONFLICT (hash) DO NOTHING RETURNING hash"
)


def _now_us() -> int:
    return time.time_ns() // 1000


class _Writes:
    """Opens a transaction that writes; on SQLite it takes the write lock at once, so two writers never deadlock."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sqlite = is_sqlite(engine)
        self._options = {"sqlite_begin": "BEGIN IMMEDIATE"} if self.sqlite else {}

    async def connection(self, connection: AsyncConnection) -> AsyncConnection:
        return await connection.execution_options(**self._options)


class SqlPersistedQueries:
    """The automatic persisted queries in the `persisted_query` table, bounded in count and in bytes.

    A lookup that finds a document marks it used, so the documents clients keep asking for stay while the others go;
    the process's own cache (api/documents) answers most lookups without reaching the table at all."""

    def __init__(self, engine: AsyncEngine, *, entries: int, max_bytes: int) -> None:
        self.engine = engine
        self.entries = entries
        self.max_bytes = max_bytes
        self._writes = _Writes(engine)

    async def find(self, hash: str) -> str | None:
        async with self.engine.connect() as connection:
            found = (await connection.execute(_FIND, {"hash": hash})).first()
        if found is not None:
            await self.touch(hash)
        return None if found is None else str(found[0])

    async def touch(self, hash: str) -> None:
        """Mark a document used now (it stays while others, used longer ago, go first)."""
        async with self.engine.connect() as connection:
            connection = await self._writes.connection(connection)
            async with connection.begin():
                await connection.execute(_TOUCH, {"hash": hash, "used": _now_us()})

    async def keep(self, hash: str, text: str) -> None:
        size = len(text.encode("utf-8", "surrogatepass"))
        async with self.engine.connect() as connection:
            connection = await self._writes.connection(connection)
            async with connection.begin():
                if not self._writes.sqlite:
                    await connection.execute(_SERIALISED)
                await connection.execute(_KEEP, {"hash": hash, "text": text, "bytes": size, "used": _now_us()})
                await connection.execute(_EVICT, {"entries": self.entries, "max_bytes": self.max_bytes})

    async def count(self) -> tuple[int, int]:
        async with self.engine.connect() as connection:
            found = (await connection.execute(_COUNT)).one()
        return int(found[0]), int(found[1])


def _trusted(row: Sequence[object]) -> TrustedDocument:
    registered = row[3]
    if isinstance(registered, str):  # SQLite hands back text
        registered = datetime.fromisoformat(registered)
    if isinstance(registered, datetime) and registered.tzinfo is None:
        registered = registered.replace(tzinfo=UTC)
    return TrustedDocument(hash=str(row[0]), name=str(row[1]), text=str(row[2]), registered_at=registered)  # type: ignore[arg-type]


class SqlTrustedDocuments:
    """The trusted documents in the `trusted_document` table: registered once by hash, never evicted."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._writes = _Writes(engine)

    async def by_hash(self, hash: str) -> TrustedDocument | None:
        async with self.engine.connect() as connection:
            found = (await connection.execute(_BY_HASH, {"hash": hash})).first()
        return None if found is None else _trusted(found)

    async def by_name(self, name: str) -> TrustedDocument | None:
        async with self.engine.connect() as connection:
            found = (await connection.execute(_BY_NAME, {"name": name})).first()
        return None if found is None else _trusted(found)

    async def register(self, documents: Sequence[TrustedDocument]) -> list[TrustedDocument]:
        added: list[TrustedDocument] = []
        now = datetime.now(UTC)
        async with self.engine.connect() as connection:
            connection = await self._writes.connection(connection)
            async with connection.begin():
                for document in documents:
                    values = {"hash": document.hash, "name": document.name, "text": document.text, "registered_at": now}
                    if (await connection.execute(_REGISTER, values)).first() is not None:
                        added.append(TrustedDocument(document.hash, document.name, document.text, now))
        return added

    async def listed(self) -> list[TrustedDocument]:
        async with self.engine.connect() as connection:
            return [_trusted(row) for row in await connection.execute(_LISTED)]
