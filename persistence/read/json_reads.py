"""The compiled reader: each read plan becomes one SQL statement whose single value is the answer's JSON text.

A page is a common table expression holding the page's rows (the repositories' own keyset
query, with a row number); the JSON is built over it by persistence/read/json_shapes.py. A lookup
is one scalar subquery. Nothing is mapped back into entities.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, case, cast, func, literal_column, null, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.read.pagination import PageRequest
from domain.read.plans import ACTOR_RECORDS, ByCode, ById, Listing, ReadPlan, Record, Several, Unanswerable
from domain.record.kinds import TYPES
from persistence.read.json_shapes import JsonCompiler, page_body, quoted, table_of
from persistence.sql.json_sql import json_sql
from persistence.write.base import CodeLookup, SqlRepository
from persistence.write.storage import STORAGE

LISTED: dict[Record, type[SqlRepository[Any, Any]]] = {record: STORAGE[TYPES[record.value]] for record in Record}
"""The repository whose keyset query lists each type of record: its kind's."""


class SqlRecordReader:
    """Answers read plans on one connection, each with one statement, all in the caller's one transaction."""

    def __init__(self, connection: AsyncConnection, *, autocommit: bool = False) -> None:
        self.connection = connection
        self.autocommit = autocommit
        """True when the connection reads outside any transaction unless told to begin one."""
        self.dialect = connection.dialect.name
        self.sql = json_sql(self.dialect)

    async def answer(self, plans: Sequence[ReadPlan]) -> list[str | None]:
        statements = [self.statement(plan) for plan in plans]
        if len(statements) == 1 or self.dialect != "postgresql":
            # One statement reads one snapshot; SQLite's read transaction is one snapshot already.
            return [await self.connection.scalar(statement) for statement in statements]
        # Several statements, one snapshot: each reads the record as the first one did.
        if not self.autocommit:
            await self.connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return [await self.connection.scalar(statement) for statement in statements]
        await self.connection.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            return [await self.connection.scalar(statement) for statement in statements]
        finally:
            await self.connection.exec_driver_sql("COMMIT")

    def statement(self, plan: ReadPlan) -> Select[Any]:
        """The one statement answering `plan`; `Unanswerable` before any SQL runs when it cannot."""
        if isinstance(plan, Listing):
            return self.listing(plan)
        compiler = JsonCompiler(self.sql, lists=1)  # a lookup nests like a page
        if isinstance(plan, Several):
            values = [self.lookup(lookup, compiler) if lookup is not None else null() for lookup in plan.lookups]
            return select(cast(self.sql.array_of(values), Text))
        # A lookup that finds nothing answers null, as the executor does.
        return select(func.coalesce(cast(self.lookup(plan, compiler), Text), literal_column("'null'")))

    def lookup(self, plan: ById | ByCode, compiler: JsonCompiler) -> ColumnElement[Any]:
        alias = compiler.alias()
        joins: list[str] = []
        answer: ColumnElement[Any] = literal_column(compiler.record(plan.shape, alias, joins))
        if isinstance(plan, ById):
            condition = literal_column(f"{alias}.id") == plan.id
        else:
            if not plan.shape.records() <= ACTOR_RECORDS:
                raise Unanswerable("only actors are found by code")
            condition = literal_column(f"{alias}.code") == CodeLookup().resolve(plan.code)
        source = text(f"{quoted(table_of(plan.shape))} {alias} {' '.join(joins)}")
        return select(answer).select_from(source).where(condition).scalar_subquery()

    def listing(self, plan: Listing) -> Select[Any]:
        records = plan.record if isinstance(plan.record, frozenset) else frozenset({plan.record})
        repositories = {LISTED[record] for record in records if record in LISTED}
        if len(repositories) != 1 or len(records) != len(records & LISTED.keys()):
            raise Unanswerable("a listing of records no one repository lists")
        lookups = CodeLookup()
        repository = repositories.pop()(self.connection, codes=lookups)
        keyset = repository.keyset(plan.filter, plan.page)
        page: PageRequest = plan.page
        sorts = keyset.sorts[:-1]
        limited = (
            select(*repository.table.c, *(column.label(f"sort_{i}") for i, column in enumerate(sorts)))
            .select_from(keyset.source)
            .where(*keyset.conditions, *keyset.beyond)
            .order_by(*keyset.order)
            .limit(page.size + 1)
            .cte("limited")
        )
        ctes = [limited]
        kinds = tuple(_kind_of(column) for column in sorts)
        body_text, behind, total = page_body(
            self.dialect, plan.fields, records, page.order, page.descending, page.backward, page.size, kinds, keyset.behind is not None
        )
        if behind:
            assert keyset.behind is not None
            probe: Select[Any] = select(literal_column("1").label("one")).select_from(keyset.source)
            ctes.append(probe.where(*keyset.conditions, keyset.behind).limit(1).cte("behind"))
        if total:
            ctes.append(select(func.count().label("n")).select_from(keyset.source).where(*keyset.conditions).cte("total"))
        body: ColumnElement[Any] = literal_column(body_text)
        if lookups.lookups:
            # A code that names no actor answers None: the reference path then reports it.
            body = case((and_(*(lookup.is_not(None) for lookup in lookups.lookups)), body), else_=null())
        statement = select(cast(body, Text))
        for cte in ctes:
            statement = statement.add_cte(cte)
        return statement


def _kind_of(column: ColumnElement[Any]) -> type:
    try:
        kind: type = column.type.python_type
    except NotImplementedError:
        return object
    return kind
