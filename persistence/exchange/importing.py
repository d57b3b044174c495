"""Import of a file in the exchange format: validated whole, checked against the store, written in one unit of work."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.errors import Code, InvalidInput
from domain.exchange.citations import CitationRows, wanted_sources
from domain.exchange.format import ImportRefused, ImportReport, Row
from domain.exchange.matching import NaturalKey
from domain.exchange.plan import ImportPlan
from domain.exchange.reader import RecordFileReader
from domain.exchange.streaming import Ending, StreamingPlan, Writes
from domain.record.actors import Actor
from domain.record.documents import to_document
from domain.record.history import Change, ChangeAction
from domain.record.kinds import KINDS
from persistence.catalogue import IsoStateCatalogue, reference_memberships
from persistence.exchange.csv_folder import read_folder, stream_folder
from persistence.exchange.shared import Progress, _chunks, _get_many, _Quiet, _repository, _where_in
from persistence.sql import mappers
from persistence.sql.tables import AnswerRow, ExpulsionRow
from persistence.write import storage
from persistence.write.base import advance_sequence, table_of
from persistence.write.history import SqlHistoryRepository, change_values
from persistence.write.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

FORMATS = ("jsonl", "csv")


_ANSWERS = table_of(AnswerRow)
_EXPULSIONS = table_of(ExpulsionRow)


def _measured(file: BinaryIO, progress: Progress) -> Iterator[bytes]:
    for line in file:
        progress.advance(len(line))
        yield line


def read_file(path: Path, format: str, *, progress: Progress | None = None) -> RecordFileReader:
    """Read and validate every line of a file on its own (`format` is "jsonl" or "csv"), or every file of a CSV folder."""
    if format not in FORMATS:
        raise InvalidInput("format", f"{format!r} is not a format this reads: use one of {', '.join(FORMATS)}", Code.INVALID_FORMAT)
    progress = progress or _Quiet()
    if path.is_dir():
        if format != "csv":
            raise InvalidInput("format", f"{path} is a folder; a folder of a record is read as CSV", Code.INVALID_FORMAT)
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
    A JSON Lines file or a CSV folder is read as a stream (`_import_stream`); a CSV of measures, whose rows
    without id are matched by natural key across the file, is read whole.
    """
    progress = progress or _Quiet()
    if format in FORMATS and (format == "jsonl" or path.is_dir()):  # noqa: ASYNC240 - one stat, before any reading
        return await _import_stream(uow_factory, path, format, replace, progress)
    reader = read_file(path, format, progress=progress)
    if not reader.readable:
        raise ImportRefused(reader.problems)
    plan = ImportPlan(reader, replace=replace)
    # Alone: the plan is worked out against the whole record (references, answer cycles), which no other writer may
    # change until it is written.
    async with uow_factory.alone() as uow:
        progress.stage("checking", len(reader.rows), "records")
        await _work_out(uow, plan)
        progress.advance(len(reader.rows))
        if plan.problems:
            raise ImportRefused(plan.problems)
        if plan.size:
            await _write(uow, plan, progress)
            await uow.commit()
    return plan.report()


def _stream(path: Path, format: str, progress: Progress) -> tuple[RecordFileReader, Iterator[Row]]:
    if path.is_dir():
        if format != "csv":
            raise InvalidInput("format", f"{path} is a folder; a folder of a record is read as CSV", Code.INVALID_FORMAT)
        return stream_folder(path, progress)
    reader = RecordFileReader()

    def rows() -> Iterator[Row]:
        with path.open("rb") as file:
            progress.stage("reading", path.stat().st_size, "B")
            yield from reader.stream_jsonl(_measured(file, progress))

    return reader, rows()


async def _import_stream(uow_factory: SqlUnitOfWorkFactory, path: Path, format: str, replace: bool, progress: Progress) -> ImportReport:
    """Check the file chunk by chunk as it is read, keeping only keys and glimpses of its records and spooling what
    to write to a temporary folder; then, when no row is bad, write the spool kind by kind in bulk."""
    reader, rows = _stream(path, format, progress)
    with tempfile.TemporaryDirectory(prefix="demarche-import-") as folder:
        # Alone, as a whole file's import: the chunks are checked against the stored record, which no other writer may
        # change until the spool is written.
        async with uow_factory.alone() as uow:
            spool = _Spool(Path(folder), uow)
            actors = uow.actors
            stored_actors = await actors.entities((await actors.connection.execute(select(*actors.columns()))).all())
            plan = StreamingPlan(reader, stored_actors, IsoStateCatalogue(), replace=replace)
            for chunk in _chunks(rows):
                step = plan.chunk(chunk)
                spool.put(step.classify(await _stored(uow, step.wanted())))
            if not reader.readable:
                raise ImportRefused(reader.problems)
            last = plan.finish()
            writes, ending = last.classify(await _stored(uow, last.wanted()))
            spool.put(writes)
            pairs = ending.membership_pairs()
            if pairs:
                spells = await _where_in(uow.memberships, uow.memberships.table.c.state, {state for _, state in pairs})
                stored = [spell for spell in spells if (spell.organisation, spell.state) in pairs]
                fresh = await uow.memberships.fresh_id("Membership")
                spool.put(ending.classify_memberships(stored, reference_memberships(), fresh))
            waited = await _stored(uow, ending.waiting_ids())
            dependants = await _dependants(uow, ending.replaced_ids())
            verdict = ending.check(waited, dependants, await _stored_answers(uow.actors.connection, ending))
            if verdict.problems:
                raise ImportRefused(verdict.problems)
            if verdict.size:
                await _write_spool(uow, spool, verdict.size, progress)
                # Its history entries went in in bulk: the newest is the history's newest, as no other writer runs beside
                # it; the transaction's history mark names it, so the live history and resumes read up to it.
                newest = await uow.actors.connection.scalar(select(func.max(SqlHistoryRepository.table.c.id)))
                uow.history.wrote(int(newest or 0))
                await uow.commit()
    return verdict.report


async def _stored(uow: SqlUnitOfWork, wanted: Mapping[str, Collection[int]]) -> dict[str, dict[int, Any]]:
    return {kind: await _get_many(_repository(uow, kind), ids) for kind, ids in wanted.items()}


class _Spool:
    """What an import will write, kind by kind, made into rows and pickled to files in a folder of its own until the
    checks are done: the new records' rows, link rows and history entries, and the replaced records."""

    def __init__(self, folder: Path, uow: SqlUnitOfWork) -> None:
        self.folder = folder
        self.uow = uow
        self.at = datetime.now(UTC)
        self._files: dict[tuple[str, str], BinaryIO] = {}

    def _dump(self, kind: str, part: str, value: Any) -> None:
        file = self._files.get((kind, part))
        if file is None:
            file = self._files[(kind, part)] = (self.folder / f"{kind}-{part}.pickle").open("wb")
        pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)

    def put(self, writes: Writes) -> None:
        added, replaced = writes
        author = self.uow.author
        for kind, group in added.items():
            if not group:
                continue
            if kind == "Actor":
                self._dump(kind, "actors", group)
                continue
            repository = _repository(self.uow, kind)
            rows = [repository.row_values(record) for record in group]
            history = [change_values(_change(author, kind, None, record, self.at, version=1)) for record in group]
            self._dump(kind, "added", (rows, history))
            if repository.links:
                self._dump(kind, "links", repository.link_rows(group))
        for kind, pairs in replaced.items():
            if pairs:
                self._dump(kind, "replaced", pairs)

    def get(self, kind: str, part: str) -> Iterator[Any]:
        """What was put for this kind and part, group by group."""
        file = self._files.pop((kind, part), None)
        if file is None:
            return
        file.close()
        with (self.folder / f"{kind}-{part}.pickle").open("rb") as spooled:
            while True:
                try:
                    yield pickle.load(spooled)
                except EOFError:
                    return


async def _write_spool(uow: SqlUnitOfWork, spool: _Spool, size: int, progress: Progress) -> None:
    """Write the spool kind by kind in dependency order: new rows in bulk, then replacements, then the new rows' links,
    each with its history entry."""
    author, at = uow.author, spool.at
    progress.stage("writing", size, "records")
    for kind in KINDS:
        repository = _repository(uow, kind)
        for actors in spool.get(kind, "actors"):
            added = [await uow.actors.add(actor) for actor in actors]
            await uow.history.append_many([_change(author, kind, None, actor, at) for actor in added])
            progress.advance(len(added))
        for rows, history in spool.get(kind, "added"):
            await repository.insert_rows(rows)
            await uow.history.insert_values(history)
            progress.advance(len(rows))
        for pairs in spool.get(kind, "replaced"):
            replaced = await repository.replace_many([after for _, after in pairs])
            entries = [_change(author, kind, before, after, at) for (before, _), after in zip(pairs, replaced, strict=True)]
            await uow.history.append_many(entries)
            progress.advance(len(pairs))
        for links in spool.get(kind, "links"):
            await repository.insert_links(links)


def _change(author: str, kind: str, before: Any, after: Any, at: datetime, *, version: int | None = None) -> Change:
    return Change(
        entity=kind,
        record_id=after.id,
        action=ChangeAction.IMPORT,
        author=author,
        before=None if before is None else to_document(before),
        after=to_document(after),
        version=after.version if version is None else version,
        at=at,
    )


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
    plan.see({kind: await _get_many(_repository(uow, kind), ids) for kind, ids in plan.kept_references().items()})
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


async def _stored_answers(connection: AsyncConnection, plan: ImportPlan | Ending) -> dict[int, tuple[int, ...]]:
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
    # Its history entries went in by the chunk: the newest is the history's newest, as no other writer runs beside it.
    uow.history.wrote(int(await connection.scalar(select(func.max(history.c.id))) or 0))
