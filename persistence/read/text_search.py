"""Full-text search over statements' quotes and translations: FTS5 on SQLite, tsvector on PostgreSQL.

Both stem English words ("expelling" finds "expel") and rank by relevance; a lower rank
value is more relevant on both, so the keyset ordering is ascending either way.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Float, FromClause, Table, column, false, func, literal, literal_column, table

from domain.errors import Code, InvalidInput

_WORD = re.compile(r"\w+", re.UNICODE)

_FTS = table("statement_fts", column("rowid"), column("rank"))
# The index and its upkeep (FTS5 table and triggers; the stored `search_vector` column and its GIN
# index) are made by the migrations in persistence/sql/migrations/versions/.


@cache
def stop_words() -> frozenset[str]:
    text = resources.files("persistence").joinpath("data/english_stopwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def words(text: str) -> list[str]:
    """The searchable words of a query; refuse a query with none."""
    found = _WORD.findall(text)
    if not found:
        raise InvalidInput("search", "the search needs at least one word", Code.INVALID_SEARCH)
    return found


def meaningful_words(text: str) -> list[str]:
    """The query's words less English stop words, as PostgreSQL's configuration drops them."""
    return [word for word in words(text) if word.lower() not in stop_words()]


def _forms(word: str) -> list[str]:
    """The word and the form Porter stems apart from it where PostgreSQL's Snowball stemmer does not.

    Porter keeps a final "y" after a stem without a vowel ("spy", "spying" -> spy) but makes
    "spies" and "spied" spi; Snowball makes all four spi. Asking for both forms finds on SQLite what
    PostgreSQL finds; where Porter stems both forms alike ("allies", "ally"), the second changes nothing.
    """
    lower = word.lower()
    if len(lower) > 3 and lower.endswith(("ies", "ied")):
        return [lower, lower[:-3] + "y"]
    if len(lower) > 5 and lower.endswith("ying"):
        return [lower, lower[:-4] + "ies"]
    if len(lower) > 1 and lower.endswith("y"):
        return [lower, lower[:-1] + "ies"]
    return [lower]


def fts5_query(text: str, column: str | None = None) -> str | None:
    """An FTS5 query for every meaningful word of `text` (in `column` only, if given); None for stop words only.

    Each form is quoted, so the user's text is never read as FTS5 query syntax (`*`, `NEAR`, `:`, quotes).
    """
    scope = f"{column} : " if column is not None else ""
    kept = meaningful_words(text)
    if not kept:
        return None
    return " AND ".join("(" + " OR ".join(f'{scope}"{form}"' for form in _forms(word)) + ")" for word in kept)


FIELD_NEUTRAL: ColumnElement[Any] = literal_column("'{0.1, 0.1, 0.1, 0.1}'::float4[]")
"""ts_rank's weights, every field alike (0.1 is its weight for unweighted text): a field's weight says
which field it is, not how much it counts, and the statements' relevance stays what it was."""


def ts_rank(vector: ColumnElement[Any], text: str) -> ColumnElement[Any]:
    """Relevance of a stored vector to `text`, lower being more relevant (as FTS5's bm25)."""
    return -func.ts_rank(FIELD_NEUTRAL, vector, ts_query(text), type_=Float)


def ts_query(text: str) -> ColumnElement[Any]:
    """PostgreSQL's query for every word of `text`, read as plain words ("or" and "-" are not operators)."""
    return func.plainto_tsquery(literal_column("'english'::regconfig"), " ".join(words(text)))


class FullTextSearch(Protocol):
    def source(self, statements: Table) -> FromClause: ...

    def matches(self, text: str) -> ColumnElement[bool]: ...

    def rank(self, text: str) -> ColumnElement[Any]: ...


class SqliteSearch:
    def source(self, statements: Table) -> FromClause:
        return statements.join(_FTS, _FTS.c.rowid == statements.c.id)

    def matches(self, text: str) -> ColumnElement[bool]:
        query = fts5_query(text)
        if query is None:
            return false()  # only stop words: PostgreSQL matches nothing either
        return literal_column("statement_fts").op("MATCH")(literal(query))

    def rank(self, text: str) -> ColumnElement[Any]:
        return _FTS.c.rank


class PostgresSearch:
    _vector: ColumnElement[Any] = literal_column("statement.search_vector")

    def source(self, statements: Table) -> FromClause:
        return statements

    def matches(self, text: str) -> ColumnElement[bool]:
        return self._vector.op("@@")(ts_query(text))

    def rank(self, text: str) -> ColumnElement[Any]:
        return ts_rank(self._vector, text)


def full_text_search(dialect: str) -> FullTextSearch:
    return SqliteSearch() if dialect == "sqlite" else PostgresSearch()
