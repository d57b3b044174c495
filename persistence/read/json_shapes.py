"""Read plans' shapes as JSON SQL: a record's values, value objects and relations, and a page's edges,
items, ends and total, for one dialect.

A record's to-one relations are LEFT JOINs beside it; its lists are correlated subqueries that
aggregate in id order. The SQL depends on no value a caller gives, only on the shape asked for.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from domain.read import plans
from domain.read.pagination import Order, cursor_ends
from domain.read.plans import Bound, Constant, Shape, Unanswerable, Withheld
from persistence.read.model import (
    RECORDS,
    TABLE_RECORDS,
    Answered,
    Flag,
    HeadcountColumns,
    Linked,
    PartialDateColumns,
    RecordTable,
    Referencing,
    Stored,
    ToOne,
)
from persistence.sql.json_sql import JsonSql, json_sql, literal
from persistence.write import storage


def table_of(shape: Shape) -> str:
    tables = {RECORDS[record].table.name for record in shape.records()}
    if len(tables) != 1:
        raise Unanswerable("a place in the answer that holds records of several tables")
    return tables.pop()


def quoted(name: str) -> str:
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
        variants = [(RECORDS[record], fields) for record, fields in shape.variants]
        if len(variants) == 1 and variants[0][0].actor_kinds is None:
            described, fields = variants[0]
            return self.object(described, fields, alias, joins)
        table = variants[0][0].table.name
        if shape.records() == TABLE_RECORDS[table] and len({fields for _, fields in variants}) == 1:
            # Every kind the table holds, asked the same of each (no type name, no ID): one object for all.
            described, fields = variants[0]
            return self.object(described, fields, alias, joins)
        branches = []
        for described, fields in variants:
            if described.actor_kinds is None:
                raise Unanswerable("two shapes for one type of record")
            actor_kinds = ", ".join(literal(kind) for kind in sorted(described.actor_kinds))
            branches.append(f"WHEN {alias}.kind IN ({actor_kinds}) THEN {self.object(described, fields, alias, joins)}")
        return "CASE " + " ".join(branches) + " ELSE NULL END"

    def object(self, described: RecordTable, fields: Sequence[plans.Field], alias: str, joins: list[str]) -> str:
        return self.sql.object([(field.key, self.field(described, field, alias, joins)) for field in fields])

    def field(self, described: RecordTable, field: plans.Field, alias: str, joins: list[str]) -> str:
        if isinstance(field, Constant):
            return literal(field.text)
        if isinstance(field, Withheld):
            return "NULL"
        if isinstance(field, plans.GlobalId):
            return self.sql.base64(f"{literal(field.type_name + ':')} || {alias}.id")
        if isinstance(field, plans.Value):
            return self.value(described, field.attribute, alias)
        if isinstance(field, plans.Composite):
            return self.composite(described, field, alias)
        return self.related(described, field, alias, joins)

    def value(self, described: RecordTable, attribute: str, alias: str) -> str:
        stored = described.attributes.get(attribute)
        if isinstance(stored, Flag):
            return self.sql.boolean(f"{alias}.{stored.column} = {literal(stored.value)}")
        if not isinstance(stored, Stored):
            raise Unanswerable(f"no stored value {attribute!r}")
        column = f"{alias}.{stored.column}"
        if stored.answered is Answered.ENUM:
            return f"upper({column})"
        if stored.answered is Answered.DATE:
            return self.sql.day(column)
        return column

    def composite(self, described: RecordTable, field: plans.Composite, alias: str) -> str:
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

    def related(self, described: RecordTable, field: plans.Related, alias: str, joins: list[str]) -> str:
        relation = described.relations.get(field.relation)
        if relation is None:
            raise Unanswerable(f"no relation {field.relation!r}")
        target = storage.table(relation.target).name
        if table_of(field.shape) != target:
            raise Unanswerable(f"{field.relation!r} leads to {relation.target.name}, not to the records asked for")
        inner = self.alias()
        table = f"{quoted(target)} {inner}"
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
                f"{table} JOIN {quoted(relation.link.name)} {link} ON {inner}.id = {link}.{relation.other} {' '.join(nested)} "
                f"WHERE {link}.{relation.owner} = {alias}.id"
            )
        else:
            assert isinstance(relation, Referencing)
            source = f"{table} {' '.join(nested)} WHERE {inner}.{relation.column} = {alias}.id"
        return self.sql.nested(self.sql.array(element, source, f"{inner}.id"))


@lru_cache(maxsize=512)
def page_body(
    dialect: str,
    fields: tuple[plans.PageField, ...],
    records: frozenset[plans.Record],
    order: Order,
    descending: bool,
    backward: bool,
    size: int,
    kinds: tuple[type, ...],
    behind_possible: bool,
) -> tuple[str, bool, bool]:
    """The JSON of a page over the "limited" CTE (the page's rows in reading order and one past it; numbered
    here, after the limit, so the database never numbers more rows than that),
    and whether it reads the "behind" and "total" CTEs. It depends on no value a caller gives, so it is
    built once for each shape of page.
    """
    sql = json_sql(dialect)
    compiler = JsonCompiler(sql, lists=1)
    uses = {"behind": False, "total": False}

    direction = "DESC" if descending != backward else "ASC"
    keys = ", ".join([*(f"l.sort_{i} {direction}" for i in range(len(kinds))), f"l.id {direction}"])
    rows = f'(SELECT l.*, row_number() OVER (ORDER BY {keys}) AS _n FROM "limited" l)'

    def shown(joins: Sequence[str] = ()) -> str:
        return f"{rows} p {' '.join(joins)} WHERE p._n <= {size}"

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
        more = f'(SELECT count(*) FROM "limited") > {size}'
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
        if not shape.records() >= records:
            raise Unanswerable("a listed record with no shape to answer it by")

    pairs: list[tuple[str, str]] = []
    for field in fields:
        if isinstance(field, Constant):
            pairs.append((field.key, literal(field.text)))
        elif isinstance(field, plans.Edges):
            edge: list[tuple[str, str]] = []
            joins: list[str] = []
            for part in field.fields:
                if isinstance(part, Constant):
                    edge.append((part.key, literal(part.text)))
                elif isinstance(part, plans.Cursor):
                    edge.append((part.key, cursor("p")))
                else:
                    assert isinstance(part, plans.Item)
                    check(part.shape)
                    edge.append((part.key, compiler.record(part.shape, "p", joins)))
            pairs.append((field.key, sql.nested(sql.array(sql.object(edge), shown(joins), reading))))
        elif isinstance(field, plans.Items):
            check(field.shape)
            joins = []
            element = compiler.record(field.shape, "p", joins)
            pairs.append((field.key, sql.nested(sql.array(element, shown(joins), reading))))
        elif isinstance(field, plans.Ends):
            pairs.append((field.key, ends(field.fields)))
        else:
            assert isinstance(field, plans.Total)
            uses["total"] = True
            pairs.append((field.key, '(SELECT n FROM "total")'))
    return sql.object(pairs), uses["behind"], uses["total"]


_BEYOND_ENDS = (Bound.HAS_NEXT, Bound.HAS_PREVIOUS)
