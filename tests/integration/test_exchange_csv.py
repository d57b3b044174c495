"""A record as a folder of CSV files and back, on SQLite and PostgreSQL and from one to the other."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.exchange.format import CSV_COLUMNS, ImportRefused, Problem
from domain.record.expulsions import ReasonCategory
from domain.record.sources import SourceKind
from domain.record.values import Headcount, HeadcountQualifier, PartialDate
from persistence.exchange.demo import demo_record, load_record
from persistence.exchange.export import export_folder, export_record
from persistence.exchange.importing import import_file
from persistence.setup import prepare
from persistence.sql.engine import create_engine
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.conftest import _create_database, _drop_database, _postgres_url
from tests.integration import drafts
from tests.integration.conftest import Store, edit_memberships

TRICKY = "=HYPERLINK(\"http://evil\"),\n-40; 'quoted' «и так далее»\r\nend"


async def exported(engine: AsyncEngine) -> str:
    parts: list[str] = []
    await export_record(engine, parts.append)
    return "".join(parts)


async def with_everything(uow_factory: SqlUnitOfWorkFactory) -> None:
    """The demo record, plus one record of every kind whose text a spreadsheet would misread."""
    await load_record(demo_record(), uow=uow_factory())
    store = Store(uow_factory)
    mission = await store.add(drafts.mission(city="+Moscow", name="@embassy"))
    person = await store.add(drafts.diplomat(name="-Ivanov", mission_id=mission.id))
    wave = await store.add(drafts.wave(name="'=wave", description=TRICKY))
    measure = await store.add(
        drafts.measure(
            actor="US",
            target="RU",
            announced=PartialDate(2023),
            headcount=Headcount(HeadcountQualifier.AT_LEAST, 1),
            stated_reason=TRICKY,
            reason_category=ReasonCategory.ESPIONAGE,
            diplomat_ids=(person.id,),
            target_mission_id=mission.id,
            wave_id=wave.id,
            answers=(1, 2),
        )
    )
    source = await store.add(
        drafts.source(title="=1+1", kind=SourceKind.OFFICIAL, url="https://example.org/a,b", published=PartialDate(2023, 1))
    )
    await store.add(drafts.citation(source_id=source.id, measure_id=measure.id, excerpt="\tTabbed", reported_headcount=Headcount.unknown()))
    await store.add(drafts.citation(source_id=source.id, measure_id=measure.id, excerpt=None, reported_headcount=None))
    await edit_memberships(uow_factory)


def made(folder: Path) -> Path:
    folder.mkdir()
    return folder


async def round_trip(source: AsyncEngine, target: AsyncEngine, folder: Path) -> str:
    """The source's JSON Lines export, after the source went through a CSV folder into the empty target."""
    await export_folder(source, made(folder))
    await import_file(SqlUnitOfWorkFactory(target, author="import"), folder, format="csv")
    return await exported(target)


@pytest.fixture
async def empty(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A second prepared database of the same backend."""
    async with _database(backend, tmp_path) as engine:
        yield engine


@pytest.fixture
async def other(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A prepared database of the other backend."""
    async with _database("postgresql" if backend == "sqlite" else "sqlite", tmp_path) as engine:
        yield engine


class _database:
    def __init__(self, backend: str, tmp_path: Path) -> None:
        self.backend, self.path, self.name = backend, tmp_path / f"{uuid.uuid4().hex[:8]}.db", f"demarche_test_{uuid.uuid4().hex[:12]}"

    async def __aenter__(self) -> AsyncEngine:
        if self.backend == "sqlite":
            url = f"sqlite:///{self.path}"
        else:
            await _create_database(self.name)
            url = _postgres_url(self.name)
        self.engine = create_engine(url)
        await prepare(self.engine, load_demo=False)
        return self.engine

    async def __aexit__(self, *exc: object) -> None:
        await self.engine.dispose()
        if self.backend != "sqlite":
            await _drop_database(self.name)


async def test_a_csv_folder_imported_into_an_empty_database_exports_the_same_json_lines_byte_for_byte(
    uow_factory: SqlUnitOfWorkFactory, engine: AsyncEngine, empty: AsyncEngine, tmp_path: Path
) -> None:
    await with_everything(uow_factory)
    original = await exported(engine)
    assert await round_trip(engine, empty, tmp_path / "record") == original
    written = sorted(path.name for path in (tmp_path / "record").iterdir())
    assert written == [
        "actors.csv",
        "citations.csv",
        "diplomats.csv",
        "expulsions.csv",
        "format.json",
        "measures_with_citations.csv",
        "memberships.csv",
        "missions.csv",
        "sources.csv",
        "statements.csv",
        "waves.csv",
    ]
    measures = (tmp_path / "record" / "expulsions.csv").read_bytes()
    assert measures.startswith(b"\xef\xbb\xbfid,actor,target,")
    assert b'"\'=HYPERLINK(""http://evil""),\n-40; \'quoted\' \xc2\xab' in measures
    assert b",,,1,1;2,1\r\n" in measures
    spells = (tmp_path / "record" / "memberships.csv").read_bytes()
    assert spells.startswith(
        b"\xef\xbb\xbforganisation,state,joined,left,source_publisher,source_title,source_url,source_checked,basis\r\n"
    )
    assert b"FVEY,AU,1956,,The National Archives (United Kingdom)," in spells
    assert spells.count(b",no_treaty\r\n") == 20
    assert b"EU,AT,1995-01-01,2030-06-30," in spells
    assert b'EU,NO,2031-01,,Desk 3,"\'=Norway joins, \xc2\xabprobably\xc2\xbb","https://example.org/no,eu",,treaty\r\n' in spells


async def test_a_csv_folder_carries_the_record_from_one_database_kind_to_the_other_and_back(
    uow_factory: SqlUnitOfWorkFactory, engine: AsyncEngine, other: AsyncEngine, empty: AsyncEngine, tmp_path: Path
) -> None:
    await with_everything(uow_factory)
    original = await exported(engine)
    assert await round_trip(engine, other, tmp_path / "there") == original
    assert await round_trip(other, empty, tmp_path / "back") == original


async def test_importing_a_folder_twice_changes_nothing_the_second_time(
    uow_factory: SqlUnitOfWorkFactory, engine: AsyncEngine, empty: AsyncEngine, tmp_path: Path
) -> None:
    await with_everything(uow_factory)
    folder = made(tmp_path / "record")
    await export_folder(engine, folder)
    target = SqlUnitOfWorkFactory(empty)
    await import_file(target, folder, format="csv")
    version = await target.record_version()
    again = await import_file(target, folder, format="csv")
    assert (again.added, again.replaced) == ({}, {})
    assert await target.record_version() == version


async def refusal(uow_factory: SqlUnitOfWorkFactory, folder: Path) -> list[Problem]:
    with pytest.raises(ImportRefused) as refused:
        await import_file(uow_factory, folder, format="csv")
    return refused.value.problems


async def test_a_folder_with_bad_rows_in_several_files_writes_nothing_and_names_each_file_and_line(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    folder = made(tmp_path / "record")
    (folder / "waves.csv").write_text("\ufeffid,name,description\r\n1,Spring,\r\n2,,\r\n", encoding="utf-8")
    (folder / "expulsions.csv").write_text(
        "id,actor,target,measure_type,announced,headcount_qualifier,headcount_value,wave_id\r\n"
        "1,US,RU,recall,2022,exact,3,1\r\n"
        "2,US,RU,recall,2022,exact,3,2\r\n"
        "3,US,ZZ,recall,2022,exact,3,\r\n",
        encoding="utf-8",
    )
    (folder / "measures_with_citations.csv").write_text("not read\r\n", encoding="utf-8")
    uow_factory = SqlUnitOfWorkFactory(engine)
    before = await Store(uow_factory).row_counts()
    assert [str(problem) for problem in await refusal(uow_factory, folder)] == [
        "expulsions.csv line 3: Expulsion 2: DEPENDS_ON_REFUSED wave_id: Wave 2 is refused (line 3)",
        "expulsions.csv line 4: Expulsion 3: UNKNOWN_REFERENCE target: Actor ZZ does not exist",
        "waves.csv line 3: Wave 2: REQUIRED name: name is required",
    ]
    assert await Store(uow_factory).row_counts() == before


async def test_a_folder_with_a_stranger_file_or_another_version_is_refused_whole(engine: AsyncEngine, tmp_path: Path) -> None:
    uow_factory = SqlUnitOfWorkFactory(engine)
    folder = made(tmp_path / "record")
    assert [str(problem) for problem in await refusal(uow_factory, folder)] == [
        f"line 1: INVALID_FORMAT folder: {folder} holds none of the files of a record: "
        "actors.csv, missions.csv, diplomats.csv, waves.csv, expulsions.csv, sources.csv, statements.csv, citations.csv, memberships.csv"
    ]
    (folder / "waves.csv").write_text("id,name\r\n1,Spring\r\n", encoding="utf-8")
    (folder / "format.json").write_text('{"format":"demarche-record","version":4}\n', encoding="utf-8")
    (folder / "treaties.csv").write_text("id\r\n", encoding="utf-8")
    assert [(problem.file, problem.field) for problem in await refusal(uow_factory, folder)] == [
        ("format.json", "version"),
        ("treaties.csv", "file"),
    ]


async def test_the_spreadsheet_view_has_a_row_per_measure_and_citation_and_imports_back_as_a_csv_of_measures(
    uow_factory: SqlUnitOfWorkFactory, engine: AsyncEngine, tmp_path: Path
) -> None:
    await with_everything(uow_factory)
    folder = made(tmp_path / "record")
    await export_folder(engine, folder)
    flat = folder / "measures_with_citations.csv"
    rows = list(csv.reader(io.StringIO(flat.read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[0] == list(CSV_COLUMNS)
    # One column order: the measure's columns of expulsions.csv, in its order, with the names beside the codes.
    measures = list(csv.reader(io.StringIO((folder / "expulsions.csv").read_bytes().decode("utf-8-sig"), newline="")))
    assert [name for name in rows[0] if not name.endswith("_name")][: len(measures[0])] == measures[0]
    assert rows[0][:5] == ["id", "actor", "actor_name", "target", "target_name"]
    named = [row[1:5] for row in rows[1:]]
    assert ["PL", "Poland", "RU", "Russian Federation"] in named
    assert ["RU", "Russian Federation", "US", "United States"] in named
    # The demo's four measures have 1, 2, 2 and 1 citations; the fifth measure has two.
    assert [row[0] for row in rows[1:]] == ["1", "2", "2", "3", "3", "4", "5", "5"]
    assert ",'=1+1,official,2023-01,17,Tabbed,unknown,\r\n" in flat.read_bytes().decode("utf-8-sig")
    before = await exported(engine)
    report = await import_file(uow_factory, flat, format="csv")
    assert (report.added, report.replaced, report.unchanged) == ({}, {}, {"Expulsion": 5, "Citation": 8})
    assert await exported(engine) == before
    # The names are read-only: a name changed in the spreadsheet is left aside, and changes nothing.
    renamed = flat.read_bytes().replace(b",PL,Poland,RU,Russian Federation,", b",PL,Somewhere else,RU,,")
    assert renamed != flat.read_bytes()
    flat.write_bytes(renamed)
    report = await import_file(uow_factory, flat, format="csv")
    assert (report.added, report.replaced, report.unchanged) == ({}, {}, {"Expulsion": 5, "Citation": 8})
    assert await exported(engine) == before
