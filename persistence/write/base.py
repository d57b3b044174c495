"""The generic repository over SQLAlchemy Core, with keyset paging: it reads and writes rows, and never commits."""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Generic, TypeVar, get_args, get_origin

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.errors import Code, InvalidInput, StaleVersion
from domain.read.criteria import check_covered, given
from domain.read.filters import DateRange
from domain.read.pagination import Key, Order, Page, PageRequest
from domain.record.actors import ALPHA3_PRIORITY, CODE_PRIORITY
from persistence.sql import mappers
from persistence.sql.tables import ActorRow, HistoryRow, MembershipRow

E = TypeVar("E")
F = TypeVar("F")
Where = ColumnElement[bool] | Sequence[ColumnElement[bool]]
"""What one criterion of a filter adds to the WHERE clause."""
WHERE = "where_"


def _key_value(column: ColumnElement[Any], value: object, field: str) -> object:
    try:
        expected: type | None = column.type.python_type
    except NotImplementedError:
        expected = None
    if expected is date and isinstance(value, date):
        return value
    if expected is date and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, int | float) and not isinstance(value, bool):
        whole = isinstance(value, int) and abs(value) < 2**63
        if (expected is int and whole) or expected in (float, object, None):
            return value
    raise InvalidInput(field, f"{field} is a damaged cursor: it holds a value this ordering cannot have", Code.INVALID_CURSOR)


_FOLDED_COLUMNS: dict[tuple[str, str], list[Any]] = {}


def _ids(folded: str | None) -> tuple[int, ...]:
    return tuple(sorted(int(part) for part in folded.split(","))) if folded else ()


def table_of(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


@dataclass(frozen=True, slots=True)
class LinkTable:
    """A many-to-many link kept as a tuple of ids on the entity."""

    attribute: str
    table: Table
    owner: str
    other: str


@dataclass(frozen=True, slots=True)
class Keyset:
    """One keyset page's query: the rows matching the filter past the cursor, in the page's reading order."""

    source: FromClause
    conditions: list[ColumnElement[bool]]
    """The filter's conditions."""
    sorts: list[ColumnElement[Any]]
    """The sort expressions; the record id last."""
    beyond: list[ColumnElement[bool]]
    """The rows past the cursor (none without one)."""
    behind: ColumnElement[bool] | None
    """The rows on the cursor's other side, whose existence says whether the list goes on that way."""
    order: list[ColumnElement[Any]]
    """The reading order (reversed for a backward page)."""
    size: int


async def advance_sequence(connection: AsyncConnection, table: Table) -> None:
    """Keep PostgreSQL's id sequence of `table` beyond every stored id, never moving it back."""
    if connection.dialect.name != "postgresql":
        return
    sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
    await connection.exec_driver_sql(
        f"SELECT setval({sequence}, GREATEST((SELECT max(id) FROM {table.name}), "
        f"coalesce(pg_sequence_last_value({sequence}::regclass), 1)))"
    )


ADMITTING_COLUMNS = 500
"""Filters judged per statement by `admitting` (PostgreSQL allows 1,664 columns in a select, SQLite 2,000)."""


class CodeLookup:
    """Resolves callers' actor codes inside the statement that filters by them, as `get_by_codes` does,
    and keeps each lookup so the statement can tell when one finds no actor."""

    def __init__(self) -> None:
        self.lookups: list[ColumnElement[Any]] = []

    def resolve(self, code: str) -> ColumnElement[Any]:
        c = table_of(ActorRow).c
        priority = case((c.code == code, CODE_PRIORITY), *((c.kind == kind.value, rank) for kind, rank in ALPHA3_PRIORITY.items()), else_=9)
        found = select(c.code).where(or_(c.code == code, c.alpha3 == code)).order_by(priority, c.id).limit(1).scalar_subquery()
        self.lookups.append(found)
        return found

    def resolve_organisation(self, code: str) -> ColumnElement[Any]:
        """As `resolve`, but finding nothing too when no membership of the organisation is recorded, so that the
        statement answers None and the reference path refuses the filter."""
        m = table_of(MembershipRow).c
        found = select(m.organisation).where(m.organisation == self.resolve(code)).limit(1).scalar_subquery()
        self.lookups.append(found)
        return found


class SqlRepository(Generic[E, F]):
    """Keyset-paged storage of one aggregate in one table plus its link tables."""

    table: ClassVar[Table]
    links: ClassVar[tuple[LinkTable, ...]] = ()
    mapper: ClassVar[mappers.Mapper[Any]]

    def __init__(self, connection: AsyncConnection, *, codes: CodeLookup | None = None, holding: bool = False) -> None:
        self.connection = connection
        self.codes = codes
        self.holding = holding and connection.dialect.name == "postgresql"
        """A PostgreSQL writer's repository: the records it reads are share-locked until the transaction ends, so that a check
        made on them (a referenced record's dates, kind, states) still holds when the writer commits; `claim` locks the record
        about to be changed. SQLite's writers run one at a time."""

    def held(self, query: Select[Any]) -> Select[Any]:
        """`query` share-locking the rows it reads of this repository's table, in a writer."""
        return query.with_for_update(read=True, of=self.table) if self.holding else query

    def code(self, code: str) -> str | ColumnElement[Any]:
        """What a filter's actor code is compared with: the code itself, or its lookup inside the statement."""
        return code if self.codes is None else self.codes.resolve(code)

    def organisation_code(self, code: str) -> str | ColumnElement[Any]:
        """As `code`, for an organisation whose memberships must be recorded (see `CodeLookup.resolve_organisation`)."""
        return code if self.codes is None else self.codes.resolve_organisation(code)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            if get_origin(base) is SqlRepository:
                handled = {name.removeprefix(WHERE): name for name in dir(cls) if name.startswith(WHERE)}
                check_covered(get_args(base)[1], handled, f"{cls.__name__}'s {WHERE}* methods")

    def conditions(self, filter: F) -> list[ColumnElement[bool]]:
        """The WHERE clauses a filter stands for: those of each criterion it sets, by the method named for it."""
        found: list[ColumnElement[bool]] = []
        for name, value in given(filter).items():
            where: Where = getattr(self, WHERE + name)(value)
            found.extend([where] if isinstance(where, ColumnElement) else where)
        return found

    def columns(self) -> builtins.list[Any]:
        """The table's columns plus, per link table, the linked ids folded into one text column.

        Folding the links into the row's own query makes loading any number of entities one
        statement, not one per link table. Built once per repository class and dialect.
        """
        key = (type(self).__name__, self.connection.dialect.name)
        found = _FOLDED_COLUMNS.get(key)
        if found is None:
            found = _FOLDED_COLUMNS[key] = self.build_columns(key[1])
        return found

    @classmethod
    def build_columns(cls, dialect: str) -> builtins.list[Any]:
        folded = []
        for link in cls.links:
            # An alias, so a query that also joins this link table cannot correlate it away.
            linked = link.table.alias(f"{link.table.name}_folded")
            owner, other = linked.c[link.owner], linked.c[link.other]
            sqlite = dialect == "sqlite"
            joined = func.group_concat(other, ",") if sqlite else func.string_agg(cast(other, String), literal_column("','"))
            subquery = select(joined).where(owner == cls.table.c.id).correlate(cls.table).scalar_subquery()
            folded.append(subquery.label(f"link_{link.attribute}"))
        return [cls.table, *folded]

    async def entities(self, rows: Sequence[Any]) -> builtins.list[E]:
        """Domain entities for rows selected with `columns()`."""
        names = [link.attribute for link in self.links]
        return [self.mapper.to_entity(row, {name: _ids(getattr(row, f"link_{name}")) for name in names}) for row in rows]

    async def get(self, id: int) -> E | None:
        return (await self.get_many([id])).get(id)

    async def get_many(self, ids: Collection[int]) -> dict[int, E]:
        if not ids:
            return {}
        rows = (await self.connection.execute(self.held(select(*self.columns()).where(self.table.c.id.in_(list(ids)))))).all()
        return {entity.id: entity for entity in await self.entities(rows)}  # type: ignore[attr-defined]

    async def _written(self, id: int) -> E:
        """The record this writer has just written, as stored (its own row: no lock to take)."""
        rows = (await self.connection.execute(select(*self.columns()).where(self.table.c.id == id))).all()
        [stored] = await self.entities(rows)
        return stored

    async def claim(self, id: int) -> E | None:
        """The record with this id, locked against every other writer until this one ends (None if there is none).

        Two writers editing one record then take turns (the second reads what the first committed), and a writer that
        refers to it waits until the edit is done, or done with."""
        query = select(*self.columns()).where(self.table.c.id == id)
        if self.holding:
            query = query.with_for_update(of=self.table)
        rows = (await self.connection.execute(query)).all()
        found = await self.entities(rows)
        return found[0] if found else None

    async def _write_links(self, id: int, entity: E, *, replace: bool) -> None:
        for link in self.links:
            if replace:
                await self.connection.execute(delete(link.table).where(link.table.c[link.owner] == id))
            others = getattr(entity, link.attribute)
            if others:
                await self.connection.execute(insert(link.table), [{link.owner: id, link.other: other} for other in others])

    async def add(self, entity: E) -> E:
        """Insert a new record at version 1, or one following the version it carries (a restored record keeps its id).

        A deleted record's id is never given to another record: PostgreSQL's sequence only moves
        forward; SQLite would reuse the largest rowid, so there a new id is one past both the largest
        stored id and the largest id the history has seen for this kind.
        """
        values = {**self.mapper.to_values(entity), "version": entity.version + 1}  # type: ignore[attr-defined]
        given: int | None = entity.id  # type: ignore[attr-defined]
        if given is not None:
            values["id"] = given
        elif self.connection.dialect.name == "sqlite":
            values["id"] = await self.fresh_id(type(entity).__name__)
        result = await self.connection.execute(insert(self.table).values(**values).returning(self.table.c.id))
        id = result.scalar_one()
        if given is not None:
            await advance_sequence(self.connection, self.table)
        await self._write_links(id, entity, replace=False)
        return await self._written(id)

    def row_values(self, entity: E) -> dict[str, Any]:
        """The values of a new record's row, at the version after the one it carries, with its id when it has one."""
        values = {**self.mapper.to_values(entity), "version": entity.version + 1}  # type: ignore[attr-defined]
        if entity.id is not None:  # type: ignore[attr-defined]
            values["id"] = entity.id  # type: ignore[attr-defined]
        return values

    def link_rows(self, entities: Collection[E]) -> builtins.list[builtins.list[dict[str, Any]]]:
        """The rows of each link table (in `links` order) for these records, which carry their ids."""
        return [
            [{link.owner: entity.id, link.other: other} for entity in entities for other in getattr(entity, link.attribute)]  # type: ignore[attr-defined]
            for link in self.links
        ]

    async def add_many(self, entities: Collection[E], *, links: bool = True) -> builtins.list[E]:
        """Insert new records in bulk, each at the version after the one it carries, and return them as stored.

        Records carrying their ids keep them (then PostgreSQL's sequence is moved past them); the others are given
        theirs by the store. With `links` False the link rows wait for `add_links`: records of a kind linked to each
        other (a measure answering another) are all inserted before any link between them.
        """
        if not entities:
            return []
        rows = [self.row_values(entity) for entity in entities]
        stored: builtins.list[E]
        if all("id" in values for values in rows):
            await self.insert_rows(rows)
            stored = [dataclasses.replace(entity, version=values["version"]) for entity, values in zip(entities, rows, strict=True)]  # type: ignore[type-var]
        else:
            returning = insert(self.table).returning(self.table.c.id, sort_by_parameter_order=True)
            ids = (await self.connection.execute(returning, rows)).scalars()
            stored = [
                dataclasses.replace(entity, id=id, version=values["version"])  # type: ignore[type-var]
                for entity, values, id in zip(entities, rows, ids, strict=True)
            ]
        if links:
            await self.add_links(stored)
        return stored

    async def insert_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows of new records made by `row_values`, all with their ids, and keep PostgreSQL's sequence past them."""
        if rows:
            await self.connection.execute(insert(self.table), list(rows))
            await advance_sequence(self.connection, self.table)

    async def insert_links(self, tables: Sequence[Sequence[dict[str, Any]]]) -> None:
        """Insert link rows made by `link_rows`."""
        for link, rows in zip(self.links, tables, strict=True):
            if rows:
                await self.connection.execute(insert(link.table), list(rows))

    async def add_links(self, entities: Collection[E]) -> None:
        """Insert the link rows of records just added (see `add_many`)."""
        await self.insert_links(self.link_rows(entities))

    async def replace_many(self, entities: Collection[E]) -> builtins.list[E]:
        """Store new values of many records, each from the version it was read at (see `update`), and return them as stored."""
        stored: builtins.list[E] = []
        for entity in entities:
            id = entity.id  # type: ignore[attr-defined]
            read_at: int = entity.version  # type: ignore[attr-defined]
            changed = await self.connection.execute(
                update(self.table)
                .where(self.table.c.id == id, self.table.c.version == read_at)
                .values(**self.mapper.to_values(entity), version=read_at + 1)
            )
            if changed.rowcount != 1:
                current = await self.connection.scalar(select(self.table.c.version).where(self.table.c.id == id))
                raise StaleVersion(type(entity).__name__, id, read_at, int(current or 0))
            stored.append(dataclasses.replace(entity, version=read_at + 1))  # type: ignore[type-var]
        ids = [entity.id for entity in stored]  # type: ignore[attr-defined]
        for link in self.links:
            for start in range(0, len(ids), 2_000):
                await self.connection.execute(delete(link.table).where(link.table.c[link.owner].in_(ids[start : start + 2_000])))
        await self.add_links(stored)
        return stored

    async def fresh_id(self, kind: str) -> int:
        """An id no record of this kind has had: beyond the stored ones and the ones in the history."""
        history = table_of(HistoryRow)
        stored = select(func.max(self.table.c.id)).scalar_subquery()
        recorded = select(func.max(history.c.record_id)).where(history.c.entity == kind).scalar_subquery()
        row = (await self.connection.execute(select(func.coalesce(stored, 0), func.coalesce(recorded, 0)))).one()
        return max(int(row[0]), int(row[1])) + 1

    async def update(self, entity: E) -> E:
        """Store the record's new values; its version goes up by one, and only from the version it was read at."""
        id = entity.id  # type: ignore[attr-defined]
        read_at: int = entity.version  # type: ignore[attr-defined]
        changed = await self.connection.execute(
            update(self.table)
            .where(self.table.c.id == id, self.table.c.version == read_at)
            .values(**self.mapper.to_values(entity), version=self.table.c.version + 1)
        )
        if changed.rowcount != 1:
            current = await self.connection.scalar(select(self.table.c.version).where(self.table.c.id == id))
            raise StaleVersion(type(entity).__name__, id, read_at, int(current or 0))
        await self._write_links(id, entity, replace=True)
        return await self._written(id)

    async def delete(self, id: int) -> None:
        await self.connection.execute(delete(self.table).where(self.table.c.id == id))

    def source(self, filter: F) -> FromClause:
        """What a listing selects from; a search may join an index table."""
        return self.table

    def sort_columns(self, page: PageRequest, filter: F) -> builtins.list[ColumnElement[Any]]:
        """The sort expressions before the id tie-breaker, for the page's ordering."""
        if page.order is Order.ID:
            return []
        raise InvalidInput("orderBy", f"this list cannot be ordered by {page.order.value}", Code.INVALID_ORDERING)

    @staticmethod
    def _bound(columns: Sequence[ColumnElement[Any]], key: Key, field: str) -> builtins.list[ColumnElement[Any]]:
        """Bind a cursor's key to the sort columns, refusing one whose values cannot be theirs."""
        if len(key) != len(columns):
            raise InvalidInput(field, f"{field} was issued for another ordering of this list", Code.INVALID_CURSOR)
        bound: builtins.list[ColumnElement[Any]] = []
        for column, value in zip(columns, key, strict=True):
            bound.append(literal(_key_value(column, value, field), type_=column.type))
        return bound

    def keyset(self, filter: F, page: PageRequest) -> Keyset:
        """The page's query, less the columns to select: where it reads, which rows, in which order."""
        sorts = [*self.sort_columns(page, filter), self.table.c.id]
        reading_down = page.descending != page.backward
        boundary = PageRequest.as_key(page.before if page.backward else page.after)
        conditions = self.conditions(filter)
        beyond: builtins.list[ColumnElement[bool]] = []
        behind: ColumnElement[bool] | None = None
        if boundary is not None:
            position, bound = tuple_(*sorts), tuple_(*self._bound(sorts, boundary, "before" if page.backward else "after"))
            beyond.append(position < bound if reading_down else position > bound)
            behind = position >= bound if reading_down else position <= bound
        order: builtins.list[ColumnElement[Any]] = [column.desc() if reading_down else column.asc() for column in sorts]
        return Keyset(self.source(filter), conditions, sorts, beyond, behind, order, page.size)

    async def list(self, filter: F, page: PageRequest) -> Page[E]:
        keyset = self.keyset(filter, page)
        labels = (column.label(f"sort_{i}") for i, column in enumerate(keyset.sorts[:-1]))
        query = select(*self.columns(), *labels).select_from(keyset.source).where(*keyset.conditions, *keyset.beyond)
        query = query.order_by(*keyset.order).limit(page.size + 1)
        rows = builtins.list((await self.connection.execute(query)).all())
        more = len(rows) > page.size
        rows = rows[: page.size]
        if page.backward:
            rows.reverse()
        keys: builtins.list[Key] = [(*(getattr(row, f"sort_{i}") for i in range(len(keyset.sorts) - 1)), row.id) for row in rows]
        items = await self.entities(rows)
        earlier = False
        if keyset.behind is not None:
            probe = select(literal(1)).select_from(keyset.source).where(*keyset.conditions, keyset.behind).limit(1)
            earlier = await self.connection.scalar(probe) is not None
        if page.backward:
            return Page(items, has_next=earlier, has_previous=more, keys=keys)
        return Page(items, has_next=more, has_previous=earlier, keys=keys)

    async def matching(self, filter: F, ids: Collection[int]) -> dict[int, E]:
        """Those of `ids` whose records the filter keeps, judged by the same conditions as `list`."""
        if not ids:
            return {}
        query = select(*self.columns()).select_from(self.source(filter)).where(*self.conditions(filter), self.table.c.id.in_(list(ids)))
        rows = (await self.connection.execute(query)).all()
        return {entity.id: entity for entity in await self.entities(rows)}  # type: ignore[attr-defined]

    async def admitting(self, filters: Sequence[F], id: int) -> builtins.list[bool]:
        """For each filter, whether it keeps record `id` (False for all once it is gone), by the same conditions as `list`.

        Each filter is one column of a single row's select, so a few hundred filters cost one statement.
        """
        judged: builtins.list[bool] = []
        for start in range(0, len(filters), ADMITTING_COLUMNS):
            chunk = filters[start : start + ADMITTING_COLUMNS]
            columns = [case((and_(true(), *self.conditions(filter)), 1), else_=0).label(f"f{n}") for n, filter in enumerate(chunk)]
            row = (await self.connection.execute(select(*columns).select_from(self.table).where(self.table.c.id == id))).first()
            judged.extend([False] * len(chunk) if row is None else [bool(value) for value in row])
        return judged

    async def count(self, filter: F) -> int:
        query = select(func.count()).select_from(self.source(filter)).where(*self.conditions(filter))
        return int(await self.connection.scalar(query) or 0)

    async def referencing(self, column: str, ids: Collection[int]) -> dict[int, builtins.list[E]]:
        """For each id, the records whose `column` points at it, in id order."""
        found: dict[int, builtins.list[E]] = {id: [] for id in ids}
        if ids:
            rows = (
                await self.connection.execute(select(*self.columns()).where(self.table.c[column].in_(list(ids))).order_by(self.table.c.id))
            ).all()
            for row, entity in zip(rows, await self.entities(rows), strict=True):
                found[getattr(row, column)].append(entity)
        return found

    async def linked(self, link: Table, owner: str, other: str, ids: Collection[int]) -> dict[int, builtins.list[E]]:
        """For each id in the link table's `owner` column, the records its `other` column names, in id order."""
        found: dict[int, builtins.list[E]] = {id: [] for id in ids}
        if ids:
            query = (
                select(link.c[owner].label("link_owner"), *self.columns())
                .join(self.table, self.table.c.id == link.c[other])
                .where(link.c[owner].in_(list(ids)))
                .order_by(link.c[owner], self.table.c.id)
            )
            rows = (await self.connection.execute(query)).all()
            for row, entity in zip(rows, await self.entities(rows), strict=True):
                found[row.link_owner].append(entity)
        return found


def overlapping(start: ColumnElement[Any], end: ColumnElement[Any], span: DateRange) -> list[ColumnElement[bool]]:
    """A stored span [start, end] overlaps the range: a partial date counts as its whole span."""
    found: list[ColumnElement[bool]] = []
    if span.end is not None:
        found.append(start <= span.end)
    if span.start is not None:
        found.append(end >= span.start)
    return found
