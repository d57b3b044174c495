"""The repositories of statements, of sources and of the citations that tie them to the record."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, FromClause, exists, func, or_
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.errors import Code, InvalidInput
from domain.read.filters import CitationFilter, DateRange, NoFilter, StatementFilter
from domain.read.pagination import Order, PageRequest
from domain.record.sources import Citation, Source
from domain.record.statements import Channel, Stance, Statement
from persistence.read.text_search import full_text_search
from persistence.sql import mappers
from persistence.sql.tables import CitationRow, SourceRow, StatementAboutRow, StatementRow
from persistence.write.base import CodeLookup, LinkTable, SqlRepository, Where, overlapping, table_of

_ABOUT = table_of(StatementAboutRow)


class SqlStatementRepository(SqlRepository[Statement, StatementFilter]):
    def __init__(self, connection: AsyncConnection, *, codes: CodeLookup | None = None) -> None:
        super().__init__(connection, codes=codes)
        self.search = full_text_search(connection.dialect.name)

    table = table_of(StatementRow)
    links = (LinkTable("measure_ids", _ABOUT, "statement_id", "measure_id"),)
    mapper = mappers.mapper_of(Statement)

    def where_on_behalf_of(self, code: str) -> Where:
        return self.table.c.on_behalf_of == self.code(code)

    def where_measure_id(self, id: int) -> Where:
        return exists().where(_ABOUT.c.statement_id == self.table.c.id, _ABOUT.c.measure_id == id)

    def where_speaker(self, speaker: str) -> Where:
        c, needle = self.table.c, speaker.lower()
        # SQLite's own lower() folds ASCII only; the engine registers a Unicode one.
        lower = func.unicode_lower if self.connection.dialect.name == "sqlite" else func.lower
        return or_(lower(c.speaker_name).contains(needle, autoescape=True), lower(c.speaker_role).contains(needle, autoescape=True))

    def where_speaker_role(self, speaker: str) -> Where:
        lower = func.unicode_lower if self.connection.dialect.name == "sqlite" else func.lower
        return lower(self.table.c.speaker_role).contains(speaker.lower(), autoescape=True)

    def where_channels(self, channels: frozenset[Channel]) -> Where:
        return self.table.c.channel.in_(sorted(channel.value for channel in channels))

    def where_stances(self, stances: frozenset[Stance]) -> Where:
        return self.table.c.stance.in_(sorted(stance.value for stance in stances))

    def where_said_on(self, span: DateRange) -> Where:
        return overlapping(self.table.c.said_on_start, self.table.c.said_on_end, span)

    def where_search(self, words: str) -> Where:
        return self.search.matches(words)

    def source(self, filter: StatementFilter) -> FromClause:
        if filter.search is None:
            return self.table
        return self.search.source(self.table)

    def sort_columns(self, page: PageRequest, filter: StatementFilter) -> list[ColumnElement[Any]]:
        if page.order is Order.SAID_ON:
            # Undated statements sort after every dated one either way.
            undated_last = date(1, 1, 1) if page.descending else date(9999, 12, 31)
            return [func.coalesce(self.table.c.said_on_start, undated_last)]
        if page.order is Order.RELEVANCE:
            if filter.search is None:
                raise InvalidInput("orderBy", "ordering by relevance needs a search", Code.INVALID_ORDERING)
            return [self.search.rank(filter.search)]
        return super().sort_columns(page, filter)

    async def about_measures(self, measure_ids: Collection[int]) -> dict[int, list[Statement]]:
        return await self.linked(_ABOUT, "measure_id", "statement_id", measure_ids)


class SqlSourceRepository(SqlRepository[Source, NoFilter]):
    table = table_of(SourceRow)
    mapper = mappers.mapper_of(Source)


class SqlCitationRepository(SqlRepository[Citation, CitationFilter]):
    table = table_of(CitationRow)
    mapper = mappers.mapper_of(Citation)

    def where_source_id(self, id: int) -> Where:
        return self.table.c.source_id == id

    def where_measure_id(self, id: int) -> Where:
        return self.table.c.measure_id == id

    def where_statement_id(self, id: int) -> Where:
        return self.table.c.statement_id == id

    async def of_measures(self, measure_ids: Collection[int]) -> dict[int, list[Citation]]:
        return await self.referencing("measure_id", measure_ids)

    async def of_statements(self, statement_ids: Collection[int]) -> dict[int, list[Citation]]:
        return await self.referencing("statement_id", statement_ids)
