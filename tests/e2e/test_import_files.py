"""`demarche import` of a CSV folder reads the folder's own files only and never prints a file's text in its errors,
run as the command on SQLite and PostgreSQL.

The attack it answers: a `sources.csv` that is a link to /etc/passwd printed that file's first line as an unknown
column of the header.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from tests.e2e.test_history_privacy import demarche

WAVES = "id,name,description\n1,Spring of links,\n"


def imported(database_url: str, path: Path) -> tuple[int, str]:
    done = demarche(database_url, "import", str(path))
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


def waves(database_url: str) -> str:
    done = demarche(database_url, "export", "--kind", "Wave")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_link_out_of_the_folder_is_refused_unread_and_nothing_is_written(database_url: str, tmp_path: Path) -> None:
    secret = f"SECRET-{uuid.uuid4().hex}:x:0:0:root:/root:/bin/bash"
    outside = tmp_path / "elsewhere.txt"
    outside.write_text(secret + "\nsecond line\n", encoding="utf-8")
    folder = tmp_path / "record"
    folder.mkdir()
    (folder / "waves.csv").write_text(WAVES, encoding="utf-8")
    (folder / "sources.csv").symlink_to(outside)
    code, said = imported(database_url, folder)
    assert code != 0
    assert "sources.csv is a link to a file outside the folder" in said
    assert "SECRET" not in said
    assert "Spring of links" not in waves(database_url)
    (folder / "sources.csv").unlink()
    (folder / "sources.csv").symlink_to("/etc/passwd")
    code, said = imported(database_url, folder)
    assert code != 0
    assert "root:" not in said


def test_a_link_that_stays_in_the_folder_is_read(database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "record"
    (folder / "kept").mkdir(parents=True)
    (folder / "kept" / "waves.csv").write_text(WAVES, encoding="utf-8")
    (folder / "waves.csv").symlink_to(folder / "kept" / "waves.csv")
    code, said = imported(database_url, folder)
    assert code == 0, said
    assert "Spring of links" in waves(database_url)


def test_a_file_that_is_no_csv_of_the_record_is_refused_without_its_text(database_url: str, tmp_path: Path) -> None:
    secret = f"SECRET-{uuid.uuid4().hex}"
    folder = tmp_path / "record"
    folder.mkdir()
    (folder / "sources.csv").write_text(f"{secret}:x:0:0\nmore {secret}\n", encoding="utf-8")
    code, said = imported(database_url, folder)
    assert code != 0
    assert "column 1 of the header is no column of a Source" in said
    assert secret not in said
    measures = tmp_path / "measures.csv"
    measures.write_text(f"actor,{secret}\n", encoding="utf-8")
    code, said = imported(database_url, measures)
    assert (code != 0, "column 2 of the header" in said, secret in said) == (True, True, False)
    for header in (
        {"format": secret, "version": 1},
        {"format": "demarche-record", "version": secret},
        {"format": "demarche-record", "version": 2},
    ):
        lines = tmp_path / "record.jsonl"
        lines.write_text(json.dumps(header) + "\n" + json.dumps({"type": secret}) + "\n", encoding="utf-8")
        code, said = imported(database_url, lines)
        assert code != 0
        assert secret not in said
