"""The compiled reader: each read plan becomes one SQL statement whose single value is the answer's JSON text.

A page is a common table expression holding the page's rows (the repositories' own keyset
query, with a row number); the JSON is built over it, each relation a correlated subquery
that aggregates its rows in id order. Nothing is mapped back into entities.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, case, cast, func, literal_column, null, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.pagination import Order, PageRequest, cursor_ends
from domain.reading import (
    ACTOR_RECORDS,
    Bound,
    ByCode,
    ById,
    Composite,
    Constant,
    Cursor,
    Edges,
    Ends,
    Field,
    GlobalId,
    Item,
    Items,
    Listing,
    PageField,
    ReadPlan,
    Record,
    Related,
    Several,
    Shape,
    Total,
    Unanswerable,
    Value,
)
from persistence.json_sql import JsonSql, json_sql, literal
from persistence.read_model import (
    RECORDS,
    TABLE_RECORDS,
    TABLES,
    Flag,
    HeadcountColumns,
    Kind,
    Linked,
    PartialDateColumns,
    RecordTable,
    Referencing,
    Stored,
    ToOne,
)
from persistence.repositories import (
    CodeLookup,
    SqlActorRepository,
    SqlDiplomatRepository,
    SqlExpulsionRepository,
    SqlMissionRepository,
    SqlRepository,
    SqlSourceRepository,
    SqlStatementRepository,
    SqlWaveRepository,
)

LISTED: dict[Record, type[SqlRepository[Any, Any]]] = {
    Record.STATE: SqlActorRepository,
    Record.ORGANISATION: SqlActorRepository,
    Record.MISSION: SqlMissionRepository,
    Record.DIPLOMAT: SqlDiplomatRepository,
    Record.EXPULSION: SqlExpulsionRepository,
    Record.WAVE: SqlWaveRepository,
    Record.STATEMENT: SqlStatementRepository,
    Record.SOURCE: SqlSourceRepository,
}
"""The repository whose keyset query lists each kind of record."""


def _table_of(shape: Shape) -> str:
    tables = {RECORDS[kind].table.name for kind in shape.kinds()}
    if len(tables) != 1:
        raise Unanswerable("a place in the answer that holds records of several tables")
    return tables.pop()


def _quoted(name: str) -> str:
    return f'"{name}"'


class JsonCompiler:
    """Builds the JSON SQL of one statement; aliases are numbered so nested subqueries never clash.

    A record's to-one relations are LEFT JOINs beside it (`joins` collects them for the FROM
    clause that introduces the record); its lists are correlated subqueries aggregating in id order.
    """

    def __init__(self, sql: JsonSql, *, lists: int = 0) -> None:
        self.sql = sql
        self._aliases = itertools.count()
        self.lists = lists
        """How many lists enclose what is being compiled."""

    def alias(self) -> str:
        return f"r{next(self._aliases)}"

    def record(self, shape: Shape, alias: str, joins: list[str]) -> str:
        """The JSON of the row `alias`, by the shape of its kind; null when the shape names no kind it is of."""
        variants = [(RECORDS[kind], fields) for kind, fields in shape.variants]
        if len(variants) == 1 and variants[0][0].kinds is None:
            described, fields = variants[0]
            return self.object(described, fields, alias, joins)
        table = variants[0][0].table.name
        if shape.kinds() == TABLE_RECORDS[table] and len({fields for _, fields in variants}) == 1:
            # Every kind the table holds, asked the same of each (no type name, no ID): one object for all.
            described, fields = variants[0]
            return self.object(described, fields, alias, joins)
        branches = []
        for described, fields in variants:
            if described.kinds is None:
                raise Unanswerable("two shapes for one kind of record")
            kinds = ", ".join(literal(kind) for kind in sorted(described.kinds))
            branches.append(f"WHEN {alias}.kind IN ({kinds}) THEN {self.object(described, fields, alias, joins)}")
        return "CASE " + " ".join(branches) + " ELSE NULL END"

    def object(self, described: RecordTable, fields: Sequence[Field], alias: str, joins: list[str]) -> str:
        return self.sql.object([(field.key, self.field(described, field, alias, joins)) for field in fields])

    def field(self, described: RecordTable, field: Field, alias: str, joins: list[str]) -> str:
        if isinstance(field, Constant):
            return literal(field.text)
        if isinstance(field, GlobalId):
            return self.sql.base64(f"{literal(field.type_name + ':')} || {alias}.id")
        if isinstance(field, Value):
            return self.value(described, field.attribute, alias)
        if isinstance(field, Composite):
            return self.composite(described, field, alias)
        return self.related(described, field, alias, joins)

    def value(self, described: RecordTable, attribute: str, alias: str) -> str:
        stored = described.attributes.get(attribute)
        if isinstance(stored, Flag):
            return self.sql.boolean(f"{alias}.{stored.column} = {literal(stored.value)}")
        if not isinstance(stored, Stored):
            raise Unanswerable(f"no stored value {attribute!r}")
        column = f"{alias}.{stored.column}"
        if stored.kind is Kind.ENUM:
            return f"upper({column})"
        if stored.kind is Kind.DATE:
            return self.sql.day(column)
        return column

    def composite(self, described: RecordTable, field: Composite, alias: str) -> str:
        stored = described.attributes.get(field.attribute)
        pairs: list[tuple[str, str]] = []
        if isinstance(stored, PartialDateColumns):
            start, end, precision = (f"{alias}.{stored.prefix}_{part}" for part in ("start", "end", "precision"))
            parts = {
                "value": self.sql.partial_day(start, precision),
                "precision": f"upper({precision})",
                "start": self.sql.day(start),
                "end": self.sql.day(end),
            }
            present = precision
        elif isinstance(stored, HeadcountColumns):
            qualifier = f"{alias}.{stored.prefix}_qualifier"
            parts = {"qualifier": f"upper({qualifier})", "value": f"{alias}.{stored.prefix}_value"}
            present = qualifier
        else:
            raise Unanswerable(f"no value object {field.attribute!r}")
        for part in field.parts:
            if isinstance(part, Constant):
                pairs.append((part.key, literal(part.text)))
            elif part.attribute in parts:
                pairs.append((part.key, parts[part.attribute]))
            else:
                raise Unanswerable(f"no part {part.attribute!r} of {field.attribute!r}")
        return f"CASE WHEN {present} IS NULL THEN NULL ELSE {self.sql.object(pairs)} END"

    def related(self, described: RecordTable, field: Related, alias: str, joins: list[str]) -> str:
        relation = described.relations.get(field.relation)
        if relation is None:
            raise Unanswerable(f"no relation {field.relation!r}")
        target = relation.target
        if _table_of(field.shape) != target:
            raise Unanswerable(f"{field.relation!r} leads to {target}, not to the records asked for")
        inner = self.alias()
        table = f"{_quoted(target)} {inner}"
        if isinstance(relation, ToOne):
            joins.append(f"LEFT JOIN {table} ON {inner}.{relation.key} = {alias}.{relation.column}")
            element = self.record(field.shape, inner, joins)
            # No row joined (no such reference): null, as an absent record is.
            return f"CASE WHEN {inner}.id IS NULL THEN NULL ELSE {element} END"
        nested: list[str] = []
        self.lists += 1
        if self.sql.max_lists is not None and self.lists > self.sql.max_lists:
            raise Unanswerable("lists nested deeper than this database's parser takes")
        element = self.record(field.shape, inner, nested)
        self.lists -= 1
        if isinstance(relation, Linked):
            link = self.alias()
            source = (
                f"{table} JOIN {_quoted(relation.link.name)} {link} ON {inner}.id = {link}.{relation.other} {' '.join(nested)} "
                f"WHERE {link}.{relation.owner} = {alias}.id"
            )
        else:
            assert isinstance(relation, Referencing)
            source = f"{table} {' '.join(nested)} WHERE {inner}.{relation.column} = {alias}.id"
        return self.sql.nested(self.sql.array(element, source, f"{inner}.id"))


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
        compiler = JsonCompiler(self.sql, lists=1)  # a lookup nests like a page
        if isinstance(plan, Listing):
            return self.listing(plan)
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
            if not plan.shape.kinds() <= ACTOR_RECORDS:
                raise Unanswerable("only actors are found by code")
            condition = literal_column(f"{alias}.code") == CodeLookup().resolve(plan.code)
        source = text(f"{_quoted(_table_of(plan.shape))} {alias} {' '.join(joins)}")
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
        numbered = func.row_number().over(order_by=keyset.order).label("_n")
        rows = (
            select(*repository.table.c, *(column.label(f"sort_{i}") for i, column in enumerate(sorts)), numbered)
            .select_from(keyset.source)
            .where(*keyset.conditions, *keyset.beyond)
            .order_by(*keyset.order)
            .limit(page.size + 1)
            .cte("page")
        )
        ctes = [rows]
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


@lru_cache(maxsize=512)
def page_body(
    dialect: str,
    fields: tuple[PageField, ...],
    records: frozenset[Record],
    order: Order,
    descending: bool,
    backward: bool,
    size: int,
    kinds: tuple[type, ...],
    behind_possible: bool,
) -> tuple[str, bool, bool]:
    """The JSON of a page over the "page" CTE (its rows numbered in reading order, one past the page),
    and whether it reads the "behind" and "total" CTEs. It depends on no value a caller gives, so it is
    built once for each shape of page.
    """
    sql = json_sql(dialect)
    compiler = JsonCompiler(sql, lists=1)
    uses = {"behind": False, "total": False}

    def shown(joins: Sequence[str] = ()) -> str:
        return f'"page" p {" ".join(joins)} WHERE p._n <= {size}'

    reading = "p._n DESC" if backward else "p._n"

    def cursor(alias: str) -> str:
        head, tail = cursor_ends(order, descending)
        parts = []
        for i, kind in enumerate(kinds):
            if kind not in (int, date):
                raise Unanswerable("a cursor over a sort key that is neither a whole number nor a day")
            parts.append(sql.key_value(f"{alias}.sort_{i}", kind))
        parts.append(f"{alias}.id")
        joined = " || ',' || ".join(parts)
        return sql.base64(f"{literal(head)} || {joined} || {literal(tail)}", url_safe=True)

    def ends(fields: Sequence[tuple[str, Bound] | Constant]) -> str:
        more = f'(SELECT count(*) FROM "page") > {size}'
        earlier = "1 = 0"
        if behind_possible and any(not isinstance(f, Constant) and f[1] in _BEYOND_ENDS for f in fields):
            uses["behind"] = True
            earlier = 'EXISTS (SELECT 1 FROM "behind")'
        pairs: list[tuple[str, str]] = []
        for field in fields:
            if isinstance(field, Constant):
                pairs.append((field.key, literal(field.text)))
                continue
            key, bound = field
            if bound is Bound.HAS_NEXT:
                pairs.append((key, sql.boolean(earlier if backward else more)))
            elif bound is Bound.HAS_PREVIOUS:
                pairs.append((key, sql.boolean(more if backward else earlier)))
            else:
                first = (bound is Bound.START_CURSOR) != backward
                pick = f"SELECT {cursor('p')} FROM {shown()} ORDER BY p._n{'' if first else ' DESC'} LIMIT 1"
                pairs.append((key, f"({pick})"))
        return sql.object(pairs)

    def check(shape: Shape) -> None:
        if not shape.kinds() >= records:
            raise Unanswerable("a listed record with no shape to answer it by")

    pairs: list[tuple[str, str]] = []
    for field in fields:
        if isinstance(field, Constant):
            pairs.append((field.key, literal(field.text)))
        elif isinstance(field, Edges):
            edge: list[tuple[str, str]] = []
            joins: list[str] = []
            for part in field.fields:
                if isinstance(part, Constant):
                    edge.append((part.key, literal(part.text)))
                elif isinstance(part, Cursor):
                    edge.append((part.key, cursor("p")))
                else:
                    assert isinstance(part, Item)
                    check(part.shape)
                    edge.append((part.key, compiler.record(part.shape, "p", joins)))
            pairs.append((field.key, sql.nested(sql.array(sql.object(edge), shown(joins), reading))))
        elif isinstance(field, Items):
            check(field.shape)
            joins = []
            element = compiler.record(field.shape, "p", joins)
            pairs.append((field.key, sql.nested(sql.array(element, shown(joins), reading))))
        elif isinstance(field, Ends):
            pairs.append((field.key, ends(field.fields)))
        else:
            assert isinstance(field, Total)
            uses["total"] = True
            pairs.append((field.key, '(SELECT n FROM "total")'))
    return sql.object(pairs), uses["behind"], uses["total"]


_BEYOND_ENDS = (Bound.HAS_NEXT, Bound.HAS_PREVIOUS)

assert set(TABLES) >= {described.table.name for described in RECORDS.values()}
