"""`demarche import --replace` of a CSV that leaves out a column keeps the stored values of that column; an empty cell
in a column the file has clears the value. Run as the command on SQLite and PostgreSQL.

The case it answers: an analyst re-imported a spreadsheet of four measures whose file had no `wave_id` column, and
`--replace` silently took the four measures out of their wave.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_history_privacy import demarche

pytestmark = pytest.mark.usefixtures("engine")

IDS = (1, 2, 3, 4)
HEADER = "id,actor,target,measure_type,announced,headcount_qualifier,headcount_value,stated_reason"


def imported(database_url: str, path: Path, *options: str) -> str:
    done = demarche(database_url, "import", *options, str(path))
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def measures(database_url: str) -> dict[int, dict[str, Any]]:
    done = demarche(database_url, "export", "--quiet", "--kind", "Expulsion")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()[1:]]
    return {line["id"]: line for line in lines}


def four_measures_in_a_wave(database_url: str, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    measure = (
        '{"type":"Expulsion","id":%d,"actor":"PL","target":"RU","measure_type":"expulsion_order","announced":"2022-03-%02d",'
        '"headcount":{"qualifier":"exact","value":%d},"stated_reason":"espionage","wave_id":1}\n'
    )
    record.write_text(
        '{"format":"demarche-record","version":3}\n'
        '{"type":"Wave","id":1,"name":"European solidarity expulsions of spring 2022"}\n'
        + "".join(measure % (id, 20 + id, id) for id in IDS),
        encoding="utf-8",
    )
    imported(database_url, record)
    assert {id: measure["wave_id"] for id, measure in measures(database_url).items()} == dict.fromkeys(IDS, 1)


def spreadsheet(tmp_path: Path, name: str, *, header: str, cells: str) -> Path:
    path = tmp_path / name
    rows = "".join(f"{id},PL,RU,expulsion_order,2022-03-{20 + id:02d},exact,{id},re-checked{cells}\n" for id in IDS)
    path.write_text(f"{header}\n{rows}", encoding="utf-8")
    return path


def test_measures_replaced_from_a_csv_without_a_wave_column_keep_their_wave(database_url: str, tmp_path: Path) -> None:
    four_measures_in_a_wave(database_url, tmp_path)
    imported(database_url, spreadsheet(tmp_path, "no-wave.csv", header=HEADER, cells=""), "--replace")
    stored = measures(database_url)
    assert {id: (measure["stated_reason"], measure["wave_id"]) for id, measure in stored.items()} == dict.fromkeys(IDS, ("re-checked", 1))


def test_measures_replaced_from_a_csv_with_empty_wave_cells_leave_their_wave(database_url: str, tmp_path: Path) -> None:
    four_measures_in_a_wave(database_url, tmp_path)
    imported(database_url, spreadsheet(tmp_path, "empty-wave.csv", header=HEADER + ",wave_id", cells=","), "--replace")
    stored = measures(database_url)
    assert {id: (measure["stated_reason"], measure["wave_id"]) for id, measure in stored.items()} == dict.fromkeys(
        IDS, ("re-checked", None)
    )


def test_a_csv_folder_without_a_column_keeps_it_and_an_unchanged_partial_file_changes_nothing(database_url: str, tmp_path: Path) -> None:
    four_measures_in_a_wave(database_url, tmp_path)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "format.json").write_text('{"format":"demarche-record","version":3}\n', encoding="utf-8")
    columns = "id,actor,target,measure_type,announced,headcount_qualifier,headcount_value"
    same = "".join(f"{id},PL,RU,expulsion_order,2022-03-{20 + id:02d},exact,{id}\n" for id in IDS)
    (folder / "expulsions.csv").write_text(f"{columns}\n{same}", encoding="utf-8")
    said = imported(database_url, folder)
    assert said.splitlines()[-1] == "total: 0 added, 0 replaced, 4 unchanged", said
    assert {id: (measure["stated_reason"], measure["wave_id"]) for id, measure in measures(database_url).items()} == dict.fromkeys(
        IDS, ("espionage", 1)
    )
    (folder / "expulsions.csv").write_text(f"{columns}\n{same.replace(',exact,1', ',exact,2')}", encoding="utf-8")
    said = imported(database_url, folder, "--replace")
    assert said.splitlines()[-1] == "total: 0 added, 1 replaced, 3 unchanged", said
    stored = measures(database_url)
    assert stored[1]["headcount"] == {"qualifier": "exact", "value": 2}
    assert {id: (measure["stated_reason"], measure["wave_id"]) for id, measure in stored.items()} == dict.fromkeys(IDS, ("espionage", 1))
