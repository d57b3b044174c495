"""Export and import in the exchange format, on SQLite and PostgreSQL: round trips, idempotency, refusals, CSV, filters."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.exchange.format import CSV_COLUMNS, ImportRefused, ImportReport, Problem, encode, header
from domain.exchange.selection import Selection
from domain.read.filters import DateRange
from domain.read.pagination import PageRequest
from domain.record.expulsions import Expulsion
from domain.record.history import ChangeAction, HistoryFilter
from domain.record.missions import Mission
from domain.record.values import Headcount, HeadcountQualifier, PartialDate
from persistence.exchange.demo import demo_record, load_record
from persistence.exchange.export import export_record
from persistence.exchange.importing import import_file
from persistence.setup import prepare
from persistence.sql.engine import create_engine
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.conftest import _create_database, _drop_database, _postgres_url
from tests.integration import drafts
from tests.integration.conftest import Store, edit_memberships


@pytest.fixture
async def demo(uow_factory: SqlUnitOfWorkFactory) -> SqlUnitOfWorkFactory:
    """The database holding the March 2022 demo record."""
    await load_record(demo_record(), uow=uow_factory())
    return uow_factory


@pytest.fixture
async def empty(backend: str, engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A second prepared database of the same backend, with no measures."""
    name = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        name = f"demarche_test_{uuid.uuid4().hex[:12]}"
        await _create_database(name)
        url = _postgres_url(name)
    other = create_engine(url)
    await prepare(other, load_demo=False)
    yield other
    await other.dispose()
    if name is not None:
        await _drop_database(name)


async def exported(engine: AsyncEngine, selection: Selection | None = None) -> str:
    parts: list[str] = []
    await export_record(engine, parts.append, selection)
    return "".join(parts)


def write(tmp_path: Path, text: str, name: str = "record.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lines(*records: str) -> str:
    return "".join(f"{line}\n" for line in (header(), *records))


async def state(engine: AsyncEngine) -> tuple[dict[str, int], str, int]:
    """Every table's row count, a digest of the whole record, and the record's version: equal means nothing changed."""
    uow_factory = SqlUnitOfWorkFactory(engine)
    digest = hashlib.sha256((await exported(engine)).encode()).hexdigest()
    return await Store(uow_factory).row_counts(), digest, await uow_factory.record_version()


async def refusal(uow_factory: SqlUnitOfWorkFactory, path: Path, **options: Any) -> list[Problem]:
    with pytest.raises(ImportRefused) as refused:
        await import_file(uow_factory, path, **options)
    return refused.value.problems


def where(problems: list[Problem]) -> list[tuple[int, str]]:
    return [(problem.line, problem.field) for problem in problems]


async def test_demo_record_exported_imported_into_an_empty_database_and_exported_again_is_byte_identical(
    demo: SqlUnitOfWorkFactory, engine: AsyncEngine, empty: AsyncEngine, tmp_path: Path
) -> None:
    first = await exported(engine)
    assert first.startswith('{"format":"demarche-record","version":3}\n')
    report = await import_file(SqlUnitOfWorkFactory(empty, author="import"), write(tmp_path, first))
    assert report.added == {"Mission": 2, "Expulsion": 4, "Source": 4, "Statement": 7, "Citation": 16}
    assert report.replaced == {}
    assert await exported(empty) == first


async def test_memberships_a_user_edited_survive_the_round_trip_over_the_curated_ones(
    demo: SqlUnitOfWorkFactory, engine: AsyncEngine, empty: AsyncEngine, tmp_path: Path
) -> None:
    ended, created = await edit_memberships(demo)
    first = await exported(engine)
    assert '{"type":"Membership","organisation":"EU","state":"AT","joined":"1995-01-01","left":"2030-06-30",' in first
    assert '{"type":"Membership","organisation":"EU","state":"NO","joined":"2031-01","left":null,"source_publisher":"Desk 3",' in first
    uow_factory = SqlUnitOfWorkFactory(empty, author="import")
    report = await import_file(uow_factory, write(tmp_path, first))
    assert (report.added["Membership"], report.replaced["Membership"]) == (1, 1)
    assert report.unchanged["Membership"] == first.count('"type":"Membership"') - 2
    assert await exported(empty) == first
    async with uow_factory.reader() as uow:
        austria = [spell for spell in (await uow.memberships.of_states(["AT"]))["AT"] if spell.organisation == "EU"]
        norway = [spell for spell in (await uow.memberships.of_states(["NO"]))["NO"] if spell.organisation == "EU"]
        entries = await uow.history.list(
            HistoryFilter(entity="Membership", actions=frozenset({ChangeAction.IMPORT})), PageRequest(first=10)
        )
    assert [(spell.left, spell.version) for spell in austria] == [(ended.left, 2)]
    assert [(spell.joined, spell.source_title) for spell in norway] == [(created.joined, created.source_title)]
    assert sorted((entry.before is None, entry.record_id) for entry in entries.items) == [(False, austria[0].id), (True, norway[0].id)]
    # The second import finds every spell as it is.
    before = await state(empty)
    again = await import_file(uow_factory, write(tmp_path, first))
    assert (again.added.get("Membership"), again.replaced.get("Membership")) == (None, None)
    assert await state(empty) == before


async def test_a_membership_differing_from_a_spell_the_user_edited_or_overlapping_one_is_refused(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    uow_factory = SqlUnitOfWorkFactory(engine)
    await edit_memberships(uow_factory)
    before = await state(engine)
    source = '"source_publisher":"Desk","source_title":"Notes","source_url":null'
    path = write(
        tmp_path,
        lines(
            f'{{"type":"Membership","organisation":"EU","state":"AT","joined":"1995-01-01","left":"2031-12-31",{source}}}',
            f'{{"type":"Membership","organisation":"EU","state":"FRA","joined":"1960","left":null,{source}}}',
            f'{{"type":"Membership","organisation":"EU","state":"SE","joined":"2026","left":null,"id":4,{source}}}',
            f'{{"type":"Membership","organisation":"FR","state":"DE","joined":"2026","left":null,{source}}}',
            f'{{"type":"Membership","organisation":"EU","state":"NO","joined":"2040","left":"2039",{source}}}',
        ),
    )
    problems = await refusal(uow_factory, path)
    assert [str(problem) for problem in problems] == [
        "line 2: Membership AT in EU from 1995-01-01: STORED_DIFFERS left: Membership AT in EU "
        "from 1995-01-01 exists with different content"
        " (left, source_publisher, source_title, source_url); --replace overwrites it",
        "line 3: Membership FR in EU from 1960: OVERLAPPING_MEMBERSHIP joined: FR is a member of "
        "EU from 1958-01-01 stored (membership 3) too;"
        " spells of one state in one organisation never overlap",
        "line 4: Membership SE in EU from 2026: UNKNOWN_FIELD id: a membership is keyed by its organisation, state and joined;"
        " its id belongs to one database and is not exchanged",
        "line 5: Membership DE in FR from 2026: NOT_AN_ORGANISATION organisation: FR is not an "
        "organisation; only an organisation has members",
        "line 6: Membership NO in EU from 2040: DATES_OUT_OF_ORDER left: the membership ends (2039) before it begins (2040)",
    ]
    assert await state(engine) == before


async def test_replace_overwrites_a_membership_the_user_edited_and_one_named_twice_is_refused(engine: AsyncEngine, tmp_path: Path) -> None:
    uow_factory = SqlUnitOfWorkFactory(engine)
    ended, _ = await edit_memberships(uow_factory)
    source = '"source_publisher":"Desk","source_title":"Notes","source_url":null'
    corrected = f'{{"type":"Membership","organisation":"EU","state":"AT","joined":"1995-01-01","left":"2031-12-31",{source}}}'
    twice = f'{{"type":"Membership","organisation":"EU","state":"AUT","joined":"1995-01-01","left":"2031-12-31",{source}}}'
    problems = await refusal(uow_factory, write(tmp_path, lines(corrected, twice)), replace=True)
    assert [str(problem) for problem in problems] == [
        "line 3: Membership AT in EU from 1995-01-01: DUPLICATE joined: Membership AT in EU from 1995-01-01 is on line 2 already;"
        " a record appears once in a file"
    ]
    report = await import_file(uow_factory.acting_as("corrector"), write(tmp_path, lines(corrected), "fixed.jsonl"), replace=True)
    assert report.replaced == {"Membership": 1}
    async with uow_factory.reader() as uow:
        (austria,) = [spell for spell in (await uow.memberships.of_states(["AT"]))["AT"] if spell.organisation == "EU"]
    assert (austria.id, austria.left, austria.source_title, austria.version) == (ended.id, PartialDate(2031, 12, 31), "Notes", 3)


async def test_a_version_1_file_is_still_read_but_holds_no_memberships(engine: AsyncEngine, tmp_path: Path) -> None:
    uow_factory = SqlUnitOfWorkFactory(engine)
    old = '{"format":"demarche-record","version":1}\n' + encode(drafts.wave(id=1)) + "\n"
    report = await import_file(uow_factory, write(tmp_path, old))
    assert report.added == {"Wave": 1}
    spell = '{"type":"Membership","organisation":"EU","state":"NO","joined":"2031","left":null,"source_publisher":"D","source_title":"T"}'
    problems = await refusal(uow_factory, write(tmp_path, old + spell + "\n", "old.jsonl"))
    assert [str(problem) for problem in problems] == [
        "line 3: Membership NO in EU from 2031: INVALID_FORMAT type: demarche-record version 1 holds no Membership; it came with version 2"
    ]


async def test_importing_a_file_twice_adds_nothing_the_second_time(
    demo: SqlUnitOfWorkFactory, engine: AsyncEngine, empty: AsyncEngine, tmp_path: Path
) -> None:
    path = write(tmp_path, await exported(engine))
    uow_factory = SqlUnitOfWorkFactory(empty, author="import")
    first = await import_file(uow_factory, path)
    before = await state(empty)
    second = await import_file(uow_factory, path)
    assert second.added == second.replaced == {}
    assert sum(second.unchanged.values()) == sum(first.added.values()) + sum(first.unchanged.values())
    assert await state(empty) == before


async def test_imported_records_keep_their_ids_and_are_in_the_history_as_imports(
    demo: SqlUnitOfWorkFactory, engine: AsyncEngine, empty: AsyncEngine, tmp_path: Path
) -> None:
    await import_file(SqlUnitOfWorkFactory(empty, author="archivist"), write(tmp_path, await exported(engine)))
    uow_factory = SqlUnitOfWorkFactory(empty)
    async with uow_factory.reader() as uow:
        answer = await uow.expulsions.get(2)
        entries = await uow.history.list(HistoryFilter(author="archivist"), PageRequest(first=100))
        total = await uow.history.count(HistoryFilter(actions=frozenset({ChangeAction.IMPORT})))
    assert answer is not None
    assert (answer.answers, answer.version) == ((1,), 1)
    assert total == 33
    first = entries.items[0]
    assert (first.action, first.entity, first.before, first.version) == (ChangeAction.IMPORT, "Mission", None, 1)
    # Records created later get ids past the imported ones.
    async with uow_factory() as uow:
        fresh = await uow.expulsions.add(drafts.measure())
        await uow.commit()
    assert fresh.id == 5


async def test_records_may_come_in_any_order_and_answer_a_measure_further_down(engine: AsyncEngine, tmp_path: Path) -> None:
    later = drafts.measure(id=2, actor="RU", target="US", answers=(1,))
    earlier = drafts.measure(id=1, announced=PartialDate(2022, 3))
    cite = drafts.citation(id=1, source_id=1, measure_id=2)
    path = write(tmp_path, lines(encode(cite), encode(later), encode(drafts.source(id=1)), encode(earlier)))
    report = await import_file(SqlUnitOfWorkFactory(engine), path)
    assert report.added == {"Expulsion": 2, "Source": 1, "Citation": 1}


async def test_a_file_with_bad_rows_writes_nothing_and_reports_every_one(
    demo: SqlUnitOfWorkFactory, engine: AsyncEngine, tmp_path: Path
) -> None:
    good = drafts.measure(id=10, announced=PartialDate(2022, 3))
    stored = next(line for line in (await exported(engine)).splitlines() if line.startswith('{"type":"Expulsion","id":2,'))
    text = lines(
        encode(good),
        encode(drafts.measure(id=11)).replace('"persona_non_grata"', '"deportation"'),
        encode(drafts.measure(id=12)).replace('"2022-03-23"', '"2022-02-30"'),
        encode(drafts.measure(id=13, wave_id=99)),
        encode(drafts.measure(id=14, actor="RU", target="US", announced=PartialDate(2022, 2), answers=(10,))),
        encode(drafts.measure(id=10)),
        '{"type":"Expulsion","id":15,"actor":"US",',
        encode(drafts.statement(id=20, measure_ids=(11,))),
        encode(drafts.measure(id=16, actor="ZZ")),
        encode(drafts.citation(id=30, source_id=77, statement_id=20)),
        '{"type":"Treaty","id":1}',
        stored.replace('"headcount":{"qualifier":"unknown","value":null}', '"headcount":{"qualifier":"exact","value":3}'),
        encode(drafts.measure(id=2**31)),
    )
    path = write(tmp_path, text)
    before = await state(engine)
    problems = await refusal(demo, path)
    assert where(problems) == [
        (3, "measure_type"),
        (4, "announced"),
        (5, "wave_id"),
        (6, "answers"),
        (7, "id"),
        (8, "json"),
        (9, "measure_ids"),
        (10, "actor"),
        (11, "source_id"),
        (12, "type"),
        (13, "headcount"),
        (14, "id"),
    ]
    reasons = {problem.line: str(problem) for problem in problems}
    assert reasons[3].startswith("line 3: Expulsion 11: INVALID_CHOICE measure_type: 'deportation' is not one of")
    assert "not a real date" in reasons[4]
    assert reasons[5] == "line 5: Expulsion 13: UNKNOWN_REFERENCE wave_id: Wave 99 does not exist"
    assert "an answer never points forward in time" in reasons[6]
    assert reasons[7] == "line 7: Expulsion 10: DUPLICATE id: Expulsion 10 is on line 2 already; a record appears once in a file"
    assert reasons[8].startswith("line 8: INVALID_FORMAT json: not valid JSON")
    assert reasons[9] == "line 9: Statement 20: DEPENDS_ON_REFUSED measure_ids: Expulsion 11 is refused (line 3)"
    assert reasons[10] == "line 10: Expulsion 16: UNKNOWN_REFERENCE actor: Actor ZZ does not exist"
    assert reasons[13] == (
        "line 13: Expulsion 2: STORED_DIFFERS headcount: Expulsion 2 exists with different content (headcount); --replace overwrites it"
    )
    assert await state(engine) == before


async def test_answers_that_close_a_cycle_are_refused(engine: AsyncEngine, tmp_path: Path) -> None:
    one = drafts.measure(id=1, answers=(3,))
    two = drafts.measure(id=2, actor="RU", target="US", answers=(1,))
    three = drafts.measure(id=3, answers=(2,))
    problems = await refusal(SqlUnitOfWorkFactory(engine), write(tmp_path, lines(encode(one), encode(two), encode(three))))
    assert [str(problem) for problem in problems] == [
        "line 3: Expulsion 2: ANSWER_CYCLE answers: these answers would close a cycle: 1 answers 3 answers 2 answers 1"
    ]


async def test_an_unknown_format_or_version_is_refused_on_line_one(engine: AsyncEngine, tmp_path: Path, repository_root: Path) -> None:
    uow_factory = SqlUnitOfWorkFactory(engine)
    newer = write(tmp_path, '{"format":"demarche-record","version":4}\n')
    assert where(await refusal(uow_factory, newer)) == [(1, "version")]
    other = write(tmp_path, '{"format":"something-else","version":1}\n', "other.jsonl")
    assert where(await refusal(uow_factory, other)) == [(1, "format")]
    demo_file = repository_root / "persistence" / "data" / "march_2022.json"
    assert where(await refusal(uow_factory, demo_file)) == [(1, "format")]
    assert where(await refusal(uow_factory, write(tmp_path, "", "empty.jsonl"))) == [(1, "format")]


async def test_replace_overwrites_differing_records_and_records_what_they_were(
    demo: SqlUnitOfWorkFactory, engine: AsyncEngine, tmp_path: Path
) -> None:
    text = await exported(engine)
    changed = text.replace('"headcount":{"qualifier":"exact","value":45}', '"headcount":{"qualifier":"at_least","value":46}', 1)
    changed = changed.replace('"name":"United Nations"', '"name":"The United Nations"')
    differing = [
        number for number, (old, new) in enumerate(zip(text.splitlines(), changed.splitlines(), strict=True), start=1) if old != new
    ]
    path = write(tmp_path, changed)
    problems = await refusal(demo, path)
    assert [(problem.line, problem.kind, problem.field) for problem in problems] == [
        (differing[0], "Actor", "name"),
        (differing[1], "Expulsion", "headcount"),
    ]
    report = await import_file(demo.acting_as("corrector"), path, replace=True)
    assert report.replaced == {"Actor": 1, "Expulsion": 1}
    assert report.added == {}
    async with demo.reader() as uow:
        measure = await uow.expulsions.get(3)
        entries = await uow.history.list(HistoryFilter(entity="Expulsion", record_id=3), PageRequest(first=10))
    assert measure is not None
    assert (measure.headcount, measure.version) == (Headcount(HeadcountQualifier.AT_LEAST, 46), 2)
    last = entries.items[-1]
    assert (last.action, last.author, last.version) == (ChangeAction.IMPORT, "corrector", 2)
    assert last.before is not None
    assert last.before["headcount"] == {"qualifier": "exact", "value": 45}
    assert await exported(engine) == changed


async def test_replace_is_refused_when_stored_records_would_no_longer_fit(
    demo: SqlUnitOfWorkFactory, engine: AsyncEngine, tmp_path: Path
) -> None:
    async with demo.reader() as uow:
        mission, first = await uow.missions.get(1), await uow.expulsions.get(1)
    assert isinstance(mission, Mission)
    assert isinstance(first, Expulsion)
    before = await state(engine)
    cases = {
        encode(Mission(**{**_fields(mission), "sending_state": "BY"})): (
            "line 2: Mission 1: STATE_MISMATCH input: stored Expulsion 1 refers to it "
            "(target_mission_id): mission 1 is BY's, not the target RU's"
        ),
        encode(Expulsion(**{**_fields(first), "announced": PartialDate(2022, 4)})): (
            "line 2: Expulsion 1: ANSWERS_FORWARD input: stored Expulsion 2 refers to it (answers): "
            "measure 1 was announced (2022-04) after this one (2022-03-23); an answer never points forward in time"
        ),
        encode(Expulsion(**{**_fields(first), "answers": (2,)})): (
            "line 2: Expulsion 1: ANSWER_CYCLE answers: these answers would close a cycle: 1 answers 2 answers 1"
        ),
        '{"type":"Actor","code":"UN","kind":"state","name":"United Nations"}': (
            "line 2: Actor UN: IMMUTABLE_FIELD kind: the kind of actor UN cannot change; only its names can be replaced"
        ),
    }
    for number, (line, expected) in enumerate(cases.items()):
        problems = await refusal(demo, write(tmp_path, lines(line), f"case{number}.jsonl"), replace=True)
        assert [str(problem) for problem in problems] == [expected]
    assert await state(engine) == before


def _fields(record: Mission | Expulsion) -> dict[str, Any]:
    return {field.name: getattr(record, field.name) for field in dataclasses.fields(record) if field.name != "version"}


CSV = (
    "id,actor,target,measure_type,announced,headcount_qualifier,headcount_value,stated_reason,answers\n"
    ',US,RU,expulsion_order,2022-03,exact,12,"Spying, at the UN",\n'
    ',rus,US,persona_non_grata,2022-03-23,unknown,,"Retaliation,\nover two lines",\n'
    "40,PL,RU,expulsion_order,2022-03-23,exact,45,,\n"
    "41,RU,PL,expulsion_order,2022-04,at_least,45,,40\n"
)


async def test_a_csv_of_measures_imports_and_importing_it_again_creates_nothing(engine: AsyncEngine, tmp_path: Path) -> None:
    uow_factory = SqlUnitOfWorkFactory(engine)
    path = write(tmp_path, CSV, "measures.csv")
    first = await import_file(uow_factory, path, format="csv")
    assert first.added == {"Expulsion": 4}
    before = await state(engine)
    second = await import_file(uow_factory, path, format="csv")
    assert (second.added, second.unchanged) == ({}, {"Expulsion": 4})
    assert await state(engine) == before
    async with uow_factory.reader() as uow:
        found = await uow.expulsions.get_many([40, 41, 42, 43])
    assert sorted(found) == [40, 41, 42, 43]
    assert (found[41].answers, found[41].headcount) == ((40,), Headcount(HeadcountQualifier.AT_LEAST, 45))
    assert (found[43].actor, found[43].stated_reason) == ("RU", "Retaliation,\nover two lines")


async def test_new_actors_follow_the_rules_of_the_api(engine: AsyncEngine, tmp_path: Path) -> None:
    text = lines(
        '{"type":"Actor","code":"QQ","kind":"state","name":"Nowhere","alpha3":null,"numeric":null,"official_name":null,"dissolved":null}',
        '{"type":"Actor","code":"RUS","kind":"organisation","name":"Clash","alpha3":null,"numeric":null,"official_name":null,"dissolved":null}',
        '{"type":"Actor","code":"ZZZZ","kind":"former_state","name":"Zland","alpha3":null,"numeric":null,"official_name":null,"dissolved":null}',
        '{"type":"Actor","code":"ASEAN","kind":"organisation","name":"ASEAN","alpha3":null,"numeric":null,"official_name":null,'
        '"dissolved":null}',
    )
    before = await state(engine)
    problems = await refusal(SqlUnitOfWorkFactory(engine), write(tmp_path, text))
    assert where(problems) == [(2, "code"), (3, "code"), (4, "code")]
    assert "ISO 3166" in str(problems[0])
    assert "already names RU" in str(problems[1])
    assert "former state" in str(problems[2])
    assert await state(engine) == before


async def test_bad_csv_rows_are_reported_by_their_physical_line(engine: AsyncEngine, tmp_path: Path) -> None:
    text = (
        "actor,target,measure_type,announced,headcount_qualifier,headcount_value,stated_reason\n"
        'US,RU,expulsion_order,2022-03,exact,12,"two\nlines"\n'
        "US,RU,expulsion_order,2022-3-1,exact,12,\n"
        "US,RU,expulsion_order,2022-03,exact,twelve,\n"
        "US,ZZ,expulsion_order,2022-03,exact,12,\n"
        "US,RU,expulsion_order,2022-03,exact,12,again\n"
        "US,RU,recall\n"
    )
    before = await state(engine)
    problems = await refusal(SqlUnitOfWorkFactory(engine), write(tmp_path, text, "bad.csv"), format="csv")
    assert where(problems) == [(4, "announced"), (5, "headcount_value"), (6, "target"), (7, "id"), (8, "row")]
    assert str(problems[3]).startswith(
        "line 7: Expulsion: DUPLICATE id: the measure US against RU, expulsion_order announced 2022-03 is on line 2"
    )
    assert await state(engine) == before
    unknown = write(tmp_path, "actor,target,kind\n", "unknown.csv")
    assert [str(problem) for problem in await refusal(SqlUnitOfWorkFactory(engine), unknown, format="csv")] == [
        "line 1: INVALID_FORMAT header: column 3 of the header is no column of a measure; its columns are " + ", ".join(CSV_COLUMNS)
    ]


async def test_a_filtered_export_holds_everything_its_measures_need(
    demo: SqlUnitOfWorkFactory, engine: AsyncEngine, empty: AsyncEngine, tmp_path: Path
) -> None:
    selection = Selection(actor="rus", announced=DateRange(PartialDate(2022, 3, 20).start, PartialDate(2022, 3, 31).end))
    text = await exported(engine, selection)
    report = await import_file(SqlUnitOfWorkFactory(empty), write(tmp_path, text))
    # Measure 2 (Russia's answer), measure 1 which it answers, their missions, the statements about them and their sources.
    assert report.added == {"Mission": 2, "Expulsion": 2, "Source": 3, "Statement": 4, "Citation": 8}
    assert report.unchanged == {"Actor": 3}
    assert await exported(empty, selection) == text
    sources_only = await exported(engine, Selection(kinds=frozenset({"Source"})))
    assert [line.split(",")[0] for line in sources_only.splitlines()] == ['{"format":"demarche-record"', *['{"type":"Source"'] * 4]


def test_an_import_report_reads_one_line_per_kind() -> None:
    report = ImportReport(added={"Expulsion": 2}, replaced={}, unchanged={"Actor": 3})
    assert report.lines() == [
        "Actor: 0 added, 0 replaced, 3 unchanged",
        "Expulsion: 2 added, 0 replaced, 0 unchanged",
        "total: 2 added, 0 replaced, 3 unchanged",
    ]
