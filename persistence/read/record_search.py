"""One search across the record: measures, statements, citations and sources, field by field.

The indexes are made by migrations 0001 (statements) and 0005 (the rest): on SQLite an FTS5 table
`<table>_fts` per searched table, on PostgreSQL a stored `search_vector` per searched table. A hit is one
field of one record holding every meaningful word; its rank is FTS5's bm25 over that column or
PostgreSQL's `-ts_rank` over that field, lower being more relevant on both. A page is found by its
key (rank, field number, id), so a cursor stays valid while the record does not change.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    Table,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.errors import Code, InvalidInput
from domain.read.pagination import Page, PageRequest
from domain.read.search import SNIPPET_CLOSES, SNIPPET_OPENS, Hit, MatchedField, SearchKind
from persistence.read.text_search import fts5_query, ts_query, ts_rank, words
from persistence.sql.tables import CitationRow, ExpulsionRow, SourceRow, StatementRow


def table_of(model: type[Any]) -> Table:
    found: Table = model.__table__
    return found


SEARCHED: dict[SearchKind, tuple[Table, tuple[MatchedField, ...]]] = {
    SearchKind.EXPULSION: (table_of(ExpulsionRow), (MatchedField.STATED_REASON, MatchedField.LEGAL_BASIS, MatchedField.REASON_CATEGORY)),
    SearchKind.STATEMENT: (table_of(StatementRow), (MatchedField.QUOTE, MatchedField.TRANSLATION)),
    SearchKind.CITATION: (table_of(CitationRow), (MatchedField.EXCERPT,)),
    SearchKind.SOURCE: (table_of(SourceRow), (MatchedField.TITLE, MatchedField.PUBLISHER)),
}
"""Each searched kind's table and its searched columns (named as the fields), in the index's column order."""

SNIPPET_WORDS = 16
"""About how many words a snippet holds."""
_HEADLINE = f"StartSel={SNIPPET_OPENS}, StopSel={SNIPPET_CLOSES}, MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, MaxFragments=1"
_ENGLISH: ColumnElement[Any] = literal_column("'english'::regconfig")


def _fts(kind: SearchKind) -> Any:
    return table(f"{SEARCHED[kind][0].name}_fts", column("rowid", Integer))


def _fts_matches(kind: SearchKind, query: str) -> ColumnElement[bool]:
    return literal_column(f"{SEARCHED[kind][0].name}_fts").op("MATCH")(literal(query))


def _field_vector(field: MatchedField) -> ColumnElement[Any]:
    """The part of the stored vector that is this field's: migration 0005 weighs each field A, B, C in column order."""
    weight = "abcd"[SEARCHED[field.kind][1].index(field)]
    return func.ts_filter(_stored_vector(field.kind), literal_column(f"'{{{weight}}}'::\"char\"[]"))


def _stored_vector(kind: SearchKind) -> ColumnElement[Any]:
    return literal_column(f"{SEARCHED[kind][0].name}.search_vector")


def measure_matches(dialect: str, text: str, measures: Table) -> ColumnElement[bool]:
    """A measure whose own searched fields together, or one of its citations' excerpts, hold every word of `text`."""
    citations = table_of(CitationRow)
    if dialect == "sqlite":
        query = fts5_query(text)
        if query is None:
            return false()  # only stop words: PostgreSQL matches nothing either
        own = select(_fts(SearchKind.EXPULSION).c.rowid).where(_fts_matches(SearchKind.EXPULSION, query))
        index = _fts(SearchKind.CITATION)
        cited = (
            select(citations.c.measure_id)
            .select_from(citations.join(index, index.c.rowid == citations.c.id))
            .where(_fts_matches(SearchKind.CITATION, query))
        )
        return or_(measures.c.id.in_(own), measures.c.id.in_(cited))
    wanted = ts_query(text)
    cited_pg = select(citations.c.measure_id).where(
        _stored_vector(SearchKind.CITATION).op("@@")(wanted), citations.c.measure_id.is_not(None)
    )
    return or_(_stored_vector(SearchKind.EXPULSION).op("@@")(wanted), measures.c.id.in_(cited_pg))


class SqlRecordSearch:
    """`RecordSearch` over the FTS5 tables (SQLite) or the stored tsvectors (PostgreSQL)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.sqlite = connection.dialect.name == "sqlite"

    def _fields(self, kinds: Collection[SearchKind] | None) -> list[MatchedField]:
        return [field for field in MatchedField if kinds is None or field.kind in kinds]

    def _branch(self, field: MatchedField, text: str) -> Select[Any] | None:
        number = literal_column(str(field.number), Integer).label("field")
        searched, columns = SEARCHED[field.kind]
        if self.sqlite:
            query = fts5_query(text, field.value)
            if query is None:
                return None
            index = _fts(field.kind)
            weights: list[ColumnElement[Any]] = [literal_column("1.0" if other is field else "0.0") for other in columns]
            relevance = func.bm25(literal_column(index.name), *weights, type_=Float)
            found = select(number, index.c.rowid.label("id"), relevance.label("rank")).select_from(index)
            return found.where(_fts_matches(field.kind, query))
        wanted = ts_query(text)
        vector = _field_vector(field)
        return select(number, searched.c.id.label("id"), ts_rank(vector, text).label("rank")).where(
            _stored_vector(field.kind).op("@@")(wanted), vector.op("@@")(wanted)
        )

    def _hits(self, text: str, kinds: Collection[SearchKind] | None) -> Any:
        words(text)  # refuses a text without a word, on both databases
        branches = [branch for field in self._fields(kinds) if (branch := self._branch(field, text)) is not None]
        if not branches:
            return None
        return union_all(*branches).subquery("hits")

    async def find(self, text: str, kinds: Collection[SearchKind] | None, page: PageRequest) -> Page[Hit]:
        if page.backward:
            raise InvalidInput("last", "search results page forward only: use `first` and `after`", Code.INVALID_PAGE)
        hits = self._hits(text, kinds)
        if hits is None:
            return Page()
        position = tuple_(hits.c.rank, hits.c.field, hits.c.id)
        query = select(hits.c.field, hits.c.id, hits.c.rank)
        earlier = False
        after = PageRequest.as_key(page.after)
        if after is not None:
            bound = self._bound(after)
            query = query.where(position > bound)
            probe = select(literal(1)).select_from(hits).where(position <= bound).limit(1)
            earlier = await self.connection.scalar(probe) is not None
        query = query.order_by(hits.c.rank, hits.c.field, hits.c.id).limit(page.size + 1)
        rows = list((await self.connection.execute(query)).all())
        more = len(rows) > page.size
        rows = rows[: page.size]
        fields = list(MatchedField)
        found = [(fields[row.field], int(row.id), float(row.rank)) for row in rows]
        snippets = await self._snippets(text, found)
        items = [Hit(field, id, rank, snippets.get((field, id), "")) for field, id, rank in found]
        return Page(items, has_next=more, has_previous=earlier, keys=[(hit.rank, hit.field.number, hit.id) for hit in items])

    @staticmethod
    def _bound(key: tuple[object, ...]) -> Any:
        if len(key) != 3:
            raise InvalidInput("after", "after was issued for another ordering of this list", Code.INVALID_CURSOR)
        rank, number, id = key
        valid = isinstance(rank, int | float) and isinstance(number, int) and 0 <= number < len(MatchedField) and isinstance(id, int)
        if not valid or isinstance(rank, bool) or isinstance(number, bool) or abs(id) >= 2**63:  # type: ignore[arg-type]
            raise InvalidInput("after", "after is a damaged cursor: it holds a value this ordering cannot have", Code.INVALID_CURSOR)
        return tuple_(literal(float(rank), Float), literal(number, Integer), literal(id, Integer))  # type: ignore[arg-type]

    async def _snippets(self, text: str, found: list[tuple[MatchedField, int, float]]) -> dict[tuple[MatchedField, int], str]:
        """The highlighted passage of each hit's field, read for this page's hits only."""
        snippets: dict[tuple[MatchedField, int], str] = {}
        for field in MatchedField:
            ids = [id for matched, id, _ in found if matched is field]
            if not ids:
                continue
            searched, columns = SEARCHED[field.kind]
            if self.sqlite:
                index = _fts(field.kind)
                query = fts5_query(text, field.value)
                assert query is not None
                passage = func.snippet(literal_column(index.name), columns.index(field), SNIPPET_OPENS, SNIPPET_CLOSES, "…", SNIPPET_WORDS)
                statement = select(index.c.rowid, passage).where(_fts_matches(field.kind, query), index.c.rowid.in_(ids))
            else:
                passage = func.ts_headline(_ENGLISH, searched.c[field.value], ts_query(text), _HEADLINE)
                statement = select(searched.c.id, passage).where(searched.c.id.in_(ids))
            for id, snippet in await self.connection.execute(statement):
                snippets[(field, int(id))] = snippet
        return snippets

    async def count(self, text: str, kinds: Collection[SearchKind] | None) -> int:
        hits = self._hits(text, kinds)
        if hits is None:
            return 0
        return int(await self.connection.scalar(select(func.count()).select_from(hits)) or 0)
