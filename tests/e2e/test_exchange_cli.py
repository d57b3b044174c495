"""`demarche export` and `demarche import` as a user runs them: subprocesses on SQLite and PostgreSQL, with their exit codes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.exchange.demo import demo_record, load_record
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.conftest import _create_database, _drop_database, _postgres_url
from tests.integration.conftest import edit_memberships

ROOT = Path(__file__).resolve().parents[2]


def demarche(database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEMARCHE_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *arguments], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def other_url(backend: str, database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second database of the same backend, without tables: the command prepares it."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'other.db'}"
        return
    name = f"demarche_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_database(name))
    yield _postgres_url(name)
    asyncio.run(_drop_database(name))


@pytest.fixture
async def demo(engine: AsyncEngine) -> None:
    """The demo record, and the curated memberships as a user edited them (one spell ended, one created)."""
    await load_record(demo_record(), uow=SqlUnitOfWorkFactory(engine)())
    await edit_memberships(SqlUnitOfWorkFactory(engine))


@pytest.mark.usefixtures("demo")
def test_export_then_import_into_another_database_twice_then_export_gives_the_same_file(
    database_url: str, other_url: str, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    exported = demarche(database_url, "export", "--output", str(first))
    assert exported.returncode == 0, exported.stderr
    assert exported.stderr.startswith("exported ")
    imported = demarche(other_url, "import", str(first), "--author", "migration")
    assert imported.returncode == 0, imported.stderr
    assert "Expulsion: 4 added, 0 replaced, 0 unchanged" in imported.stdout
    assert "Membership: 1 added, 1 replaced, 135 unchanged" in imported.stdout
    again = demarche(other_url, "import", "--quiet", str(first))
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1].startswith("total: 0 added, 0 replaced, ")
    assert demarche(other_url, "export", "--quiet", "-o", str(second)).returncode == 0
    assert second.read_bytes() == first.read_bytes()
    to_stdout = demarche(other_url, "export", "--quiet", "--kind", "Expulsion", "Wave", "--target", "RU")
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert [line[:30] for line in to_stdout.stdout.splitlines()] == [
        '{"format":"demarche-record","v',
        '{"type":"Expulsion","id":1,"ac',
        '{"type":"Expulsion","id":3,"ac',
    ]


@pytest.mark.usefixtures("demo")
def test_a_csv_folder_export_imported_into_another_database_gives_the_same_json_lines(
    database_url: str, other_url: str, tmp_path: Path
) -> None:
    original, folder, again = tmp_path / "original.jsonl", tmp_path / "record", tmp_path / "again.jsonl"
    assert demarche(database_url, "export", "--quiet", "-o", str(original)).returncode == 0
    exported = demarche(database_url, "export", "--format", "csv", "--output", str(folder))
    assert exported.returncode == 0, exported.stderr
    assert exported.stderr.startswith("exported 460 records")
    assert exported.stderr.endswith(" 16 Citation, 137 Membership)\n")
    assert (folder / "expulsions.csv").read_bytes().startswith(b"\xef\xbb\xbfid,actor,target,")
    assert b"\r\nEU,NO,2031-01,,Desk 3," in (folder / "memberships.csv").read_bytes()
    # Exporting again over the earlier export replaces it whole, and leaves nothing else beside it.
    assert demarche(database_url, "export", "--quiet", "--format", "csv", "-o", str(folder)).returncode == 0
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []
    imported = demarche(other_url, "import", str(folder))
    assert imported.returncode == 0, imported.stderr
    assert "Citation: 16 added, 0 replaced, 0 unchanged" in imported.stdout
    assert "Membership: 1 added, 1 replaced, 135 unchanged" in imported.stdout
    assert demarche(other_url, "export", "--quiet", "-o", str(again)).returncode == 0
    assert again.read_bytes() == original.read_bytes()


def test_a_csv_export_never_writes_over_a_file_or_a_folder_of_other_files(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep me")
    (tmp_path / "file").write_text("keep me")
    for target in ("notes", "file"):
        refused = demarche(database_url, "export", "--format", "csv", "-o", str(tmp_path / target))
        assert refused.returncode == 2, refused.stderr
    assert (tmp_path / "notes" / "mine.txt").read_text() == (tmp_path / "file").read_text() == "keep me"
    assert demarche(database_url, "export", "--format", "csv").returncode == 2


@pytest.mark.usefixtures("engine")
def test_a_refused_file_exits_1_names_each_bad_row_on_stderr_and_writes_nothing(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"format":"demarche-record","version":2}\n'
        '{"type":"Wave","id":1,"name":"Spring 2022"}\n'
        '{"type":"Wave","id":2,"name":""}\n'
        '{"type":"Expulsion","id":3,"actor":"US","target":"RU","measure_type":"recall","announced":"2022","headcount":{"qualifier":"unknown"},'
        '"wave_id":9}\n',
        encoding="utf-8",
    )
    refused = demarche(database_url, "import", str(path))
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        "line 3: Wave 2: BLANK name: name must not be blank",
        "line 4: Expulsion 3: UNKNOWN_REFERENCE wave_id: Wave 9 does not exist",
        f"demarche import: {path} was refused, nothing was written: 2 bad rows",
    ]
    exported = demarche(database_url, "export", "--quiet", "--kind", "Wave")
    assert exported.stdout == '{"format":"demarche-record","version":3}\n'


@pytest.mark.usefixtures("engine")
def test_a_refused_file_prints_every_broken_rule_of_each_line_with_its_code(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    measure = '{"type":"Expulsion","id":%d,"measure_type":"recall","announced":"2022-03","headcount":{"qualifier":"unknown"},%s}\n'
    path.write_text(
        '{"format":"demarche-record","version":3}\n'
        + measure % (1, '"actor":"RU","target":"RU","stated_reason":"bad\\u0007","deadline":"2022-01"')
        + measure % (2, '"actor":"ZZ","target":"EU"')
        + '{"type":"Wave","id":3,"name":"%s"}\n' % ("x" * 201),
        encoding="utf-8",
    )
    refused = demarche(database_url, "import", str(path))
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        "line 2: Expulsion 1: CONTROL_CHARACTERS stated_reason: statedReason contains a control character or a lone surrogate "
        "(only tabs and line breaks are allowed)",
        "line 2: Expulsion 1: SELF_REFERENCE target: no state takes a measure against itself",
        "line 2: Expulsion 1: DATES_OUT_OF_ORDER deadline: the deadline to leave (2022-01) is before the measure was announced (2022-03)",
        "line 3: Expulsion 2: UNKNOWN_REFERENCE actor: Actor ZZ does not exist",
        "line 3: Expulsion 2: NOT_A_STATE target: EU is an organisation; a state is needed here",
        "line 4: Wave 3: TEXT_TOO_LONG name: name is 201 characters long; the limit is 200",
        f"demarche import: {path} was refused, nothing was written: 3 bad rows, 6 broken rules",
    ]


def test_a_csv_is_recognised_by_its_extension_and_imported_once(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "measures.csv"
    path.write_text("actor,target,measure_type,announced,headcount_qualifier,headcount_value\nPL,RU,expulsion_order,2022-03-23,exact,45\n")
    first = demarche(database_url, "import", str(path))
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "total: 1 added, 0 replaced, 0 unchanged"
    second = demarche(database_url, "import", str(path))
    assert second.stdout.splitlines()[-1] == "total: 0 added, 0 replaced, 1 unchanged"


def test_a_csv_of_measures_brings_each_figure_with_its_source_once_and_refuses_an_ambiguous_source(
    database_url: str, tmp_path: Path
) -> None:
    header = "actor,target,measure_type,announced,headcount_qualifier,headcount_value,source_publisher,source_title,source_kind,"
    header += "citation_headcount_qualifier,citation_headcount_value\n"
    path = tmp_path / "estonia.csv"
    path.write_text(
        header + "EE,RU,expulsion_order,2022-04-05,at_least,14,Estonian MFA,Estonia expels,official,exact,14\n"
        "EE,RU,expulsion_order,2022-04-05,at_least,14,Reuters,Estonia expels 14,wire_agency,at_least,14\n",
        encoding="utf-8",
    )
    first = demarche(database_url, "import", str(path))
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[1:] == [
        "Source: 2 added, 0 replaced, 0 unchanged",
        "Citation: 2 added, 0 replaced, 0 unchanged",
        "total: 5 added, 0 replaced, 0 unchanged",
    ]
    again = demarche(database_url, "import", str(path))
    assert again.stdout.splitlines()[-1] == "total: 0 added, 0 replaced, 3 unchanged"
    exported = demarche(database_url, "export", "--quiet", "--kind", "Citation")
    assert '"reported_headcount":{"qualifier":"at_least","value":14}' in exported.stdout
    # A second source of the same publisher and title makes the match ambiguous.
    twin = tmp_path / "twin.csv"
    twin.write_text(header + "LV,RU,expulsion_order,2022-04-05,exact,1,Reuters,Estonia expels 14,wire_agency,,\n", encoding="utf-8")
    assert demarche(database_url, "import", "--format", "jsonl", str(_twin_source(tmp_path))).returncode == 0
    refused = demarche(database_url, "import", str(twin))
    assert refused.returncode == 1
    assert (
        refused.stderr.splitlines()[0]
        == "line 2: Expulsion 2: AMBIGUOUS_MATCH source_title: sources 2, 3 all match; give the row's source_id"
    )


def _twin_source(tmp_path: Path) -> Path:
    path = tmp_path / "twin.jsonl"
    path.write_text(
        '{"format":"demarche-record","version":2}\n'
        '{"type":"Source","id":3,"publisher":"Reuters","title":"Estonia expels 14","kind":"wire_agency","url":null,"published":null}\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "arguments",
    [
        ["import", "record.txt"],
        ["import", "missing.jsonl"],
        ["import", "record.jsonl", "--format", "xml"],
        ["import", "record.jsonl", "--author", ""],
        ["export", "--kind", "Treaty"],
        ["export", "--from", "2022-13-01"],
        ["export", "--from", "2022-04-01", "--to", "2022-03-01"],
        ["export", "--party", "ZZ"],
        ["export", "--output", "no/such/folder/record.jsonl"],
    ],
)
def test_usage_errors_exit_2(arguments: list[str], tmp_path: Path) -> None:
    (tmp_path / "record.txt").write_text("")
    (tmp_path / "record.jsonl").write_text('{"format":"demarche-record","version":2}\n')
    arguments = [str(tmp_path / argument) if argument.startswith(("record", "missing", "no/")) else argument for argument in arguments]
    result = demarche(f"sqlite:///{tmp_path / 'usage.db'}", *arguments)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.strip()
