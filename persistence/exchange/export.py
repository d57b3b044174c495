"""Export of the record in the exchange format (docs/exchange.md), from one consistent snapshot."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import Code, InvalidInput
from domain.exchange.format import Key, encode, header
from domain.exchange.selection import Selection
from domain.record.expulsions import Expulsion
from domain.record.kinds import KINDS
from domain.record.statements import Statement
from persistence.exchange.csv_folder import FolderWriter
from persistence.exchange.shared import CHUNK, Progress, _chunks, _get_many, _Quiet, _repository, _where_in
from persistence.write.base import SqlRepository
from persistence.write.read_session import SqlRepositories, bind_repositories


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
            raise InvalidInput(name, f"Actor {code} does not exist", Code.UNKNOWN_REFERENCE)
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

    When actors, measures, sources and citations are all selected, the folder also holds the
    spreadsheet view `measures_with_citations.csv` (the actors for their names beside their codes),
    which an import of the folder leaves aside.
    """
    counts: dict[str, int] = {}
    kinds = (selection or Selection()).kinds
    with FolderWriter(folder, flat={"Actor", "Expulsion", "Source", "Citation"} <= kinds) as writer:
        async with contextlib.aclosing(export_batches(engine, selection, progress=progress)) as batches:
            async for kind, batch in batches:
                writer.write(kind, batch)
                counts[kind] = counts.get(kind, 0) + len(batch)
        writer.finish()
    return counts


async def _listed(records: Sequence[Any]) -> AsyncIterator[list[Any]]:
    for chunk in _chunks(records):
        yield chunk
