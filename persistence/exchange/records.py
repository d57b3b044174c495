"""Export and import of the record in the exchange format (docs/exchange.md), against one engine.

An export reads one consistent snapshot. An import reads and validates the whole file first,
then checks it against the store and writes it inside one writer unit of work: on any bad
row nothing is written, and a killed import leaves no trace, as its transaction never
committed. Records go in by bulk inserts with the ids the file gives them; each one added or
replaced is recorded in the history as an import.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.errors import InvalidInput
from domain.exchange.citations import CitationRows, wanted_sources
from domain.exchange.records import ImportPlan, ImportRefused, ImportReport, Key, NaturalKey, RecordFileReader, Selection, encode, header
from domain.record.actors import Actor
from domain.record.documents import to_document
from domain.record.expulsions import Expulsion
from domain.record.history import Change, ChangeAction
from domain.record.kinds import KINDS
from domain.record.statements import Statement
from persistence.catalogue import IsoStateCatalogue, reference_memberships
from persistence.exchange.csv_folder import FolderWriter, read_folder
from persistence.sql import mappers
from persistence.sql.tables import AnswerRow, ExpulsionRow
from persistence.write import storage
from persistence.write.base import SqlRepository, advance_sequence, table_of
from persistence.write.history import SqlHistoryRepository, change_values
from persistence.write.read_session import SqlRepositories, bind_repositories
from persistence.write.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

CHUNK = 2_000
"""Rows per statement: well under both databases' limits on bound parameters."""

FORMATS = ("jsonl", "csv")

T = TypeVar("T")

_ANSWERS = table_of(AnswerRow)
_EXPULSIONS = table_of(ExpulsionRow)


class Progress(Protocol):
    """Told how far a long export or import has gone, stage by stage."""

    def stage(self, name: str, total: int | None, unit: str) -> None:
        """A new stage begins, of `total` uow_factory (None: unknown)."""
        ...

    def advance(self, amount: int) -> None: ...


class _Quiet:
    def stage(self, name: str, total: int | None, unit: str) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass


def _repository(repositories: SqlRepositories, kind: str) -> SqlRepository[Any, Any]:
    repository: SqlRepository[Any, Any] = getattr(repositories, KINDS[kind].repository)
    return repository


def _chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def _get_many(repository: SqlRepository[Any, Any], ids: Collection[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for chunk in _chunks(sorted(ids)):
        found.update(await repository.get_many(chunk))
    return found


async def _where_in(repository: SqlRepository[Any, Any], column: Any, values: Collection[Any]) -> list[Any]:
    """The records whose `column` is one of `values`, in id order."""
    found: list[Any] = []
    for chunk in _chunks(sorted(values)):
        query = select(*repository.columns()).where(column.in_(chunk)).order_by(repository.table.c.id)
        found.extend(await repository.entities((await repository.connection.execute(query)).all()))
    return found


# Export


@contextlib.asynccontextmanager
async def _snapshot(engine: AsyncEngine) -> AsyncIterator[SqlRepositories]:
    """Repositories on one read transaction that sees one state of the record throughout."""
    async with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            await connection.execution_options(sqlite_begin="BEGIN")
        async with connection.begin():
            if connection.dialect.name == "postgresql":
                await connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            repositories = SqlRepositories()
            bind_repositories(repositories, connection)
            yield repositories


async def _scan(repository: SqlRepository[Any, Any], kind: str) -> AsyncIterator[list[Any]]:
    """Every record of a kind, a chunk at a time: actors by code, memberships by their key, the others by id."""
    if kind == "Membership":
        c = repository.table.c
        query = select(*repository.columns()).order_by(c.organisation, c.state, c.joined_start, c.joined_end, c.id)
        spells = await repository.entities((await repository.connection.execute(query)).all())
        for chunk in _chunks(spells):
            yield chunk
        return
    order = repository.table.c.code if kind == "Actor" else repository.table.c.id
    last: Key | None = None
    while True:
        query = select(*repository.columns()).order_by(order).limit(CHUNK)
        if last is not None:
            query = query.where(order > last)
        rows = (await repository.connection.execute(query)).all()
        if not rows:
            return
        yield await repository.entities(rows)
        last = getattr(rows[-1], order.name)


async def _answered(repositories: SqlRepositories, ids: Collection[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(sorted(ids)):
        found |= await repositories.expulsions.answered_transitively(chunk)
    return found


async def _selected(repositories: SqlRepositories, selection: Selection) -> dict[str, list[Any]]:
    """The measures a filter selects and everything they need, by kind, each kind in key order."""
    codes = await repositories.actors.get_by_codes(selection.codes)
    for name in ("party", "actor", "target"):
        code = getattr(selection, name)
        if code is not None and code not in codes:
            raise InvalidInput(name, f"Actor {code} does not exist")
    measure_filter = selection.measures({code: actor.code for code, actor in codes.items()})
    table = repositories.expulsions.table
    query = select(table.c.id).where(*repositories.expulsions.conditions(measure_filter))
    wanted = set((await repositories.expulsions.connection.execute(query)).scalars())
    measures: dict[int, Expulsion] = {}
    statements: dict[int, Statement] = {}
    while wanted:
        wanted = (wanted | await _answered(repositories, wanted)) - measures.keys()
        measures.update(await _get_many(repositories.expulsions, wanted))
        fresh: dict[int, Statement] = {}
        for chunk in _chunks(sorted(wanted)):
            for about in (await repositories.statements.about_measures(chunk)).values():
                fresh.update({statement.id: statement for statement in about if statement.id is not None})
        fresh = {id: statement for id, statement in fresh.items() if id not in statements}
        statements.update(fresh)
        wanted = {id for statement in fresh.values() for id in statement.measure_ids} - measures.keys()
    citations = {
        citation.id: citation
        for column, ids in (("measure_id", measures), ("statement_id", statements))
        for citation in await _where_in(repositories.citations, repositories.citations.table.c[column], ids)
    }
    diplomats = await _get_many(repositories.diplomats, {id for measure in measures.values() for id in measure.diplomat_ids})
    mission_ids = {measure.target_mission_id for measure in measures.values()} | {person.mission_id for person in diplomats.values()}
    missions = await _get_many(repositories.missions, {id for id in mission_ids if id is not None})
    waves = await _get_many(repositories.waves, {measure.wave_id for measure in measures.values() if measure.wave_id is not None})
    sources = await _get_many(repositories.sources, {citation.source_id for citation in citations.values()})
    named = {code for measure in measures.values() for code in (measure.actor, measure.target)}
    named |= {code for mission in missions.values() for code in (mission.sending_state, mission.host_state, mission.accredited_to) if code}
    named |= {person.sending_state for person in diplomats.values()} | {statement.on_behalf_of for statement in statements.values()}
    actors = await _where_in(repositories.actors, repositories.actors.table.c.code, named)
    chosen: dict[str, Mapping[Any, Any]] = {
        "Actor": {actor.code: actor for actor in actors},
        "Mission": missions,
        "Diplomat": diplomats,
        "Wave": waves,
        "Expulsion": measures,
        "Source": sources,
        "Statement": statements,
        "Citation": citations,
    }
    # Memberships are no measure's need: a selection of measures holds none.
    return {kind: [records[key] for key in sorted(records)] for kind, records in chosen.items()} | {
        kind: [] for kind in KINDS if kind not in chosen
    }


async def export_batches(
    engine: AsyncEngine, selection: Selection | None = None, *, progress: Progress | None = None
) -> AsyncGenerator[tuple[str, list[Any]]]:
    """Every selected record from one snapshot, kind by kind in the order of `KINDS`, a batch at a time.

    A kind the selection keeps is announced by an empty batch first, so that a writer can
    start its file even when no record of the kind is written.
    """
    selection = selection or Selection()
    progress = progress or _Quiet()
    async with _snapshot(engine) as repositories:
        chosen = await _selected(repositories, selection) if selection.narrows_measures else None
        kinds = [kind for kind in KINDS if kind in selection.kinds]
        if chosen is None:
            total = 0
            for kind in kinds:
                table = _repository(repositories, kind).table
                total += int(await repositories.actors.connection.scalar(select(func.count()).select_from(table)) or 0)
        else:
            total = sum(len(chosen[kind]) for kind in kinds)
        progress.stage("exporting", total, "records")
        for kind in kinds:
            yield kind, []
            batches = _scan(_repository(repositories, kind), kind) if chosen is None else _listed(chosen[kind])
            async for batch in batches:
                yield kind, batch
                progress.advance(len(batch))


async def export_record(
    engine: AsyncEngine, write: Callable[[str], object], selection: Selection | None = None, *, progress: Progress | None = None
) -> dict[str, int]:
    """Write the header line, then every selected record as one line; return how many records of each kind were written."""
    counts: dict[str, int] = {}
    write(header() + "\n")
    async with contextlib.aclosing(export_batches(engine, selection, progress=progress)) as batches:
        async for kind, batch in batches:
            write("".join(encode(record) + "\n" for record in batch))
            counts[kind] = counts.get(kind, 0) + len(batch)
    return counts


async def export_folder(
    engine: AsyncEngine, folder: Path, selection: Selection | None = None, *, progress: Progress | None = None
) -> dict[str, int]:
    """Write the selected records into an empty folder, one CSV file per kind; return how many of each kind were written.

    When measures, sources and citations are all selected, the folder also holds the
    spreadsheet view `measures_with_citations.csv`, which an import of the folder leaves aside.
    """
    counts: dict[str, int] = {}
    kinds = (selection or Selection()).kinds
    with FolderWriter(folder, flat={"Expulsion", "Source", "Citation"} <= kinds) as writer:
        async with contextlib.aclosing(export_batches(engine, selection, progress=progress)) as batches:
            async for kind, batch in batches:
                writer.write(kind, batch)
                counts[kind] = counts.get(kind, 0) + len(batch)
        writer.finish()
    return counts


async def _listed(records: Sequence[Any]) -> AsyncIterator[list[Any]]:
    for chunk in _chunks(records):
        yield chunk


# Import


def _measured(file: BinaryIO, progress: Progress) -> Iterator[bytes]:
    for line in file:
        progress.advance(len(line))
        yield line


def read_file(path: Path, format: str, *, progress: Progress | None = None) -> RecordFileReader:
    """Read and validate every line of a file on its own (`format` is "jsonl" or "csv"), or every file of a CSV folder."""
    if format not in FORMATS:
        raise InvalidInput("format", f"{format!r} is not a format this reads: use one of {', '.join(FORMATS)}")
    progress = progress or _Quiet()
    if path.is_dir():
        if format != "csv":
            raise InvalidInput("format", f"{path} is a folder; a folder of a record is read as CSV")
        return read_folder(path, progress)
    reader = RecordFileReader()
    with path.open("rb") as file:
        progress.stage("reading", path.stat().st_size, "B")
        lines = _measured(file, progress)
        if format == "csv":
            reader.read_csv(lines)
        else:
            reader.read_jsonl(lines)
    return reader


async def import_file(
    uow_factory: SqlUnitOfWorkFactory, path: Path, *, format: str = "jsonl", replace: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import a file in one writer transaction, recorded in the history as made by `uow_factory.author`.

    Raises `ImportRefused`, listing every bad row, when any row is bad; nothing is written then.
    A file whose records are all stored already changes nothing, not even the record's version.
    """
    progress = progress or _Quiet()
    reader = read_file(path, format, progress=progress)
    if not reader.readable:
        raise ImportRefused(reader.problems)
    plan = ImportPlan(reader, replace=replace)
    async with uow_factory() as uow:
        progress.stage("checking", len(reader.rows), "records")
        await _work_out(uow, plan)
        progress.advance(len(reader.rows))
        if plan.problems:
            raise ImportRefused(plan.problems)
        if plan.size:
            await _write(uow, plan, progress)
            await uow.commit()
    return plan.report()


async def _work_out(uow: SqlUnitOfWork, plan: ImportPlan) -> None:
    """Show the plan what the store holds of the records the file names, and let it check them."""
    connection = uow.actors.connection
    actors = uow.actors
    plan.resolve_actors(await actors.entities((await connection.execute(select(*actors.columns()))).all()), IsoStateCatalogue())
    keyless = plan.keyless_actors()
    if keyless:
        last_measure_id = await uow.expulsions.fresh_id("Expulsion") - 1
        plan.find_keyless(await _natural_keys(connection, keyless), last_measure_id)
    if plan.reader.cited:
        await _cite(uow, plan)
    plan.classify({kind: await _get_many(_repository(uow, kind), ids) for kind, ids in plan.wanted().items()})
    pairs = plan.membership_pairs()
    if pairs:
        spells = await _where_in(uow.memberships, uow.memberships.table.c.state, {state for _, state in pairs})
        stored = [spell for spell in spells if (spell.organisation, spell.state) in pairs]
        plan.classify_memberships(stored, reference_memberships(), await uow.memberships.fresh_id("Membership"))
    dependants = await _dependants(uow, plan.replaced_ids())
    plan.check(dependants, await _stored_answers(connection, plan))


async def _cite(uow: SqlUnitOfWork, plan: ImportPlan) -> None:
    """Match the sources and citations the rows of a CSV of measures give against the stored ones."""
    ids, urls, titles = wanted_sources(plan.reader.cited)
    table = uow.sources.table
    sources = await _get_many(uow.sources, ids)
    for source in [*await _where_in(uow.sources, table.c.url, urls), *await _where_in(uow.sources, table.c.title, titles)]:
        sources[source.id] = source
    citations = await _where_in(uow.citations, uow.citations.table.c.measure_id, plan.cited_measures())
    next_citation_id = plan.next_citation_id(await uow.citations.fresh_id("Citation"))
    rows = CitationRows(sources.values(), citations, await uow.sources.fresh_id("Source"), next_citation_id)
    rows.take(plan.reader.cited)
    plan.take_cited(rows.rows, rows.problems)


async def _natural_keys(connection: AsyncConnection, actors: Collection[str]) -> dict[NaturalKey, list[int]]:
    """The stored measures taken by these actors, by natural key."""
    c = _EXPULSIONS.c
    found: dict[NaturalKey, list[int]] = {}
    for chunk in _chunks(sorted(actors)):
        query = select(c.id, c.actor, c.target, c.measure_type, c.announced_start, c.announced_precision).where(c.actor.in_(chunk))
        for row in await connection.execute(query):
            announced = mappers.partial_date(row, "announced")
            found.setdefault((row.actor, row.target, row.measure_type, str(announced)), []).append(row.id)
    return found


async def _dependants(uow: SqlUnitOfWork, replaced: Mapping[str, Collection[int]]) -> dict[str, list[Any]]:
    """Stored records that refer to records the file replaces, through a reference whose fit depends on the other's content."""
    found: dict[str, list[Any]] = {}
    for kind in KINDS.values():
        repository = _repository(uow, kind.name)
        fitted = [reference for reference in kind.references if reference.fit is not None]
        ids: set[int] = set()
        for reference in fitted:
            targets = replaced.get(reference.target, ())
            if not reference.link:
                found.setdefault(kind.name, []).extend(await _where_in(repository, repository.table.c[reference.field], targets))
                continue
            link = storage.link(kind, reference.field)
            for chunk in _chunks(sorted(targets)):
                query = select(link.table.c[link.owner]).where(link.table.c[link.other].in_(chunk))
                ids |= set((await repository.connection.execute(query)).scalars())
        if fitted:
            found.setdefault(kind.name, []).extend((await _get_many(repository, ids)).values())
    return found


async def _stored_answers(connection: AsyncConnection, plan: ImportPlan) -> dict[int, tuple[int, ...]]:
    """The stored answer links reachable from the file's measures, walked until they lead back into the file or end."""
    edges: dict[int, tuple[int, ...]] = {}
    frontier = plan.answer_frontier()
    while frontier:
        found: dict[int, list[int]] = {id: [] for id in frontier}
        for chunk in _chunks(sorted(frontier)):
            rows = await connection.execute(select(_ANSWERS.c.measure_id, _ANSWERS.c.answered_id).where(_ANSWERS.c.measure_id.in_(chunk)))
            for measure_id, answered_id in rows:
                found[measure_id].append(answered_id)
        edges.update((id, tuple(answered)) for id, answered in found.items())
        frontier = {id for answered in found.values() for id in answered if id not in edges and not plan.holds("Expulsion", id)}
    return edges


def _entry(author: str, kind: str, before: Any, after: Any, record_id: int, version: int, at: datetime) -> dict[str, Any]:
    return change_values(
        Change(
            entity=kind,
            record_id=record_id,
            action=ChangeAction.IMPORT,
            author=author,
            before=None if before is None else to_document(before),
            after=to_document(after),
            version=version,
            at=at,
        )
    )


async def _insert(connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await connection.execute(insert(table), list(rows))


async def _write(uow: SqlUnitOfWork, plan: ImportPlan, progress: Progress) -> None:
    """Write the plan kind by kind in dependency order: new rows, then replacements, then the new rows' links, with their history."""
    connection, author, at = uow.actors.connection, uow.author, datetime.now(UTC)
    history = SqlHistoryRepository.table
    progress.stage("writing", plan.size, "records")
    for kind in KINDS:
        repository = _repository(uow, kind)
        added = plan.added[kind]
        if kind == "Actor":
            for actor in added:
                stored: Actor = await uow.actors.add(actor)
                assert stored.id is not None
                await _insert(connection, history, [_entry(author, kind, None, stored, stored.id, stored.version, at)])
            progress.advance(len(added))
        else:
            mapper: mappers.Mapper[Any] = repository.mapper
            for chunk in _chunks(added):
                await _insert(
                    connection, repository.table, [{"id": record.id, "version": 1, **mapper.to_values(record)} for record in chunk]
                )
                await _insert(connection, history, [_entry(author, kind, None, record, record.id, 1, at) for record in chunk])
                progress.advance(len(chunk))
        for before, after in plan.replaced[kind]:
            replaced = await repository.update(after)
            await _insert(connection, history, [_entry(author, kind, before, replaced, replaced.id, replaced.version, at)])
            progress.advance(1)
        for link in repository.links:
            pairs = ({link.owner: record.id, link.other: other} for record in added for other in getattr(record, link.attribute))
            for rows in _chunks(pairs):
                await _insert(connection, link.table, rows)
        if added and kind != "Actor":
            await advance_sequence(connection, repository.table)
