"""`demarche serve --workers N`: the count is checked as it is read, and several workers on SQLite are refused before anything starts."""

from __future__ import annotations

import pytest

from api.settings import MAX_WORKERS
from cli.main import main, parser


def test_the_worker_count_is_read_from_the_command_line() -> None:
    assert parser().parse_args(["serve", "--workers", "3"]).workers == 3
    assert parser().parse_args(["serve"]).workers is None  # DEMARCHE_WORKERS, or 1


@pytest.mark.parametrize("count", ["0", "-1", "two", str(MAX_WORKERS + 1)])
def test_a_worker_count_out_of_range_is_refused_with_the_range(count: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(["serve", "--workers", count])
    assert exited.value.code == 2
    assert "--workers" in capsys.readouterr().err


def test_several_workers_on_sqlite_are_refused_with_the_reason(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DEMARCHE_DATABASE_URL", "sqlite:///never-made.db")
    monkeypatch.setenv("DEMARCHE_WORKERS", "2")
    assert main(["serve"]) == 2
    assert "several worker processes need PostgreSQL" in capsys.readouterr().err
