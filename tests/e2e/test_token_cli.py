"""`demarche token create|list|revoke` as a user runs them, on a SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from domain.access import digest


def demarche(database: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DEMARCHE_DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run([sys.executable, "-m", "cli.main", *arguments], env=environment, capture_output=True, text=True, timeout=120)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "tokens.db"


def test_a_token_is_created_with_its_secret_shown_once_listed_without_it_and_revoked(database: Path) -> None:
    made = demarche(database, "token", "create", "desk-3", "--role", "admin")
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert secret.startswith("dmr_")
    assert "shown once" in made.stderr

    listed = demarche(database, "token", "list")
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    assert line.split("\t")[:3] == ["desk-3", "admin", "active"]
    assert secret not in listed.stdout
    assert digest(secret) not in listed.stdout

    revoked = demarche(database, "token", "revoke", "desk-3")
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in revoked.stdout
    assert demarche(database, "token", "list").stdout.split("\t")[2].startswith("revoked")


def test_the_token_commands_refuse_a_duplicate_an_unknown_name_and_an_unknown_role(database: Path) -> None:
    assert demarche(database, "token", "create", "alice").returncode == 0
    duplicate = demarche(database, "token", "create", "alice", "--role", "reader")
    assert duplicate.returncode == 1
    assert "alice" in duplicate.stderr
    unknown = demarche(database, "token", "revoke", "nobody")
    assert unknown.returncode == 1
    assert "nobody" in unknown.stderr
    bad_role = demarche(database, "token", "create", "bob", "--role", "owner")
    assert bad_role.returncode == 2
    assert "owner" in bad_role.stderr
    for result in (duplicate, unknown, bad_role):
        assert "Traceback" not in result.stderr
    assert [line.split("\t")[:2] for line in demarche(database, "token", "list").stdout.splitlines()] == [["alice", "editor"]]
