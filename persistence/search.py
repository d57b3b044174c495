"""Full-text search over statements' quotes and translations: FTS5 on SQLite, tsvector on PostgreSQL.

Both stem English words ("expelling" finds "expel") and rank by relevance; a lower rank
value is more relevant on both, so the keyset ordering is ascending either way.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any, Protocol

from sqlalchemy import ColumnElement, FromClause, Table, column, false, func, literal, literal_column, table
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.errors import InvalidInput

_WORD = re.compile(r"\w+", re.UNICODE)

_FTS = table("statement_fts", column("rowid"), column("rank"))
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE statement_fts USING fts5("
    "quote, translation, content='statement', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER statement_fts_insert AFTER INSERT ON statement BEGIN "
    "INSERT INTO statement_fts(rowid, quote, translation) VALUES (new.id, new.quote, new.translation); END",
    "CREATE TRIGGER statement_fts_delete AFTER DELETE ON statement BEGIN "
    "INSERT INTO statement_fts(statement_fts, rowid, quote, translation) VALUES ('delete', old.id, old.quote, old.translation); END",
    "CREATE TRIGGER statement_fts_update AFTER UPDATE OF quote, translation ON statement BEGIN "
    "INSERT INTO statement_fts(statement_fts, rowid, quote, translation) VALUES ('delete', old.id, old.quote, old.translation); "
    "INSERT INTO statement_fts(rowid, quote, translation) VALUES (new.id, new.quote, new.translation); END",
    "INSERT INTO statement_fts(statement_fts) VALUES ('rebuild')",
)

# PostgreSQL keeps each statement's vector in a generated column, so ranking reads it instead
# of parsing every matching quote again; the GIN index finds the matches.
_VECTOR_SQL = "to_tsvector('english'::regconfig, coalesce(quote, '') || ' ' || coalesce(translation, ''))"
POSTGRES_DDL = (
    f"ALTER TABLE statement ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS ({_VECTOR_SQL}) STORED",
    "CREATE INDEX IF NOT EXISTS ix_statement_search_vector ON statement USING GIN (search_vector)",
    "DROP INDEX IF EXISTS ix_statement_search",  # the expression index of earlier versions
)


@cache
def stop_words() -> frozenset[str]:
    text = resources.files("persistence").joinpath("data/english_stopwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def words(text: str) -> list[str]:
    """The searchable words of a query; refuse a query with none."""
    found = _WORD.findall(text)
    if not found:
        raise InvalidInput("search", "the search needs at least one word")
    return found


def meaningful_words(text: str) -> list[str]:
    """The query's words less English stop words, as PostgreSQL's configuration drops them."""
    return [word for word in words(text) if word.lower() not in stop_words()]


class FullTextSearch(Protocol):
    def source(self, statements: Table) -> FromClause: ...

    def matches(self, text: str) -> ColumnElement[bool]: ...

    def rank(self, text: str) -> ColumnElement[Any]: ...


class SqliteSearch:
    def source(self, statements: Table) -> FromClause:
        return statements.join(_FTS, _FTS.c.rowid == statements.c.id)

    def matches(self, text: str) -> ColumnElement[bool]:
        # Each word quoted: the user's text is never read as FTS5 query syntax.
        kept = meaningful_words(text)
        if not kept:
            return false()  # only stop words: PostgreSQL matches nothing either
        phrase = " ".join('"' + word + '"' for word in kept)
        return literal_column("statement_fts").op("MATCH")(literal(phrase))

    def rank(self, text: str) -> ColumnElement[Any]:
        return _FTS.c.rank


class PostgresSearch:
    _vector: ColumnElement[Any] = literal_column("statement.search_vector")

    def source(self, statements: Table) -> FromClause:
        return statements

    def _query(self, text: str) -> ColumnElement[Any]:
        return func.websearch_to_tsquery(literal_column("'english'::regconfig"), " ".join(words(text)))

    def matches(self, text: str) -> ColumnElement[bool]:
        return self._vector.op("@@")(self._query(text))

    def rank(self, text: str) -> ColumnElement[Any]:
        return -func.ts_rank(self._vector, self._query(text))


def full_text_search(dialect: str) -> FullTextSearch:
    return SqliteSearch() if dialect == "sqlite" else PostgresSearch()


async def create_search_index(connection: AsyncConnection) -> None:
    """Create the search index and its upkeep where missing; index what is already stored."""
    if connection.dialect.name == "sqlite":
        exists = await connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'statement_fts'")
        if exists.first() is None:
            for statement in SQLITE_DDL:
                await connection.exec_driver_sql(statement)
        return
    for statement in POSTGRES_DDL:
        await connection.exec_driver_sql(statement)
