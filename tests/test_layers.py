"""The layer contracts ([tool.importlinter] in pyproject.toml): the tree keeps them, and each one catches the import it forbids."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
FRAMEWORKS = {"sqlmodel", "sqlalchemy", "strawberry", "starlette", "uvicorn", "pydantic", "pydantic_settings", "asyncpg", "aiosqlite"}
"""What the domain may never import, at the least."""

PACKAGES = [
    "domain",
    "persistence",
    "api",
    "api/graphql",
    "api/graphql/types",
    "api/compiled",
    "api/http",
    "api/documents",
    "api/limits",
    "api/live",
    "api/ops",
    "cli",
]
"""A small tree with every package the contracts name, into which one forbidden import at a time is put."""


def contracts(repository_root: Path) -> dict[str, object]:
    with (repository_root / "pyproject.toml").open("rb") as file:
        config: dict[str, object] = tomllib.load(file)["tool"]["importlinter"]
    return config


def lint_imports(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=directory,
        env={"PYTHONPATH": str(directory), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_tree_keeps_every_layer_contract(repository_root: Path) -> None:
    run = lint_imports(repository_root)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "BROKEN" not in run.stdout


LEAKS = [
    ("layers", "domain.leak_store", "persistence.sql", "import persistence.sql\n"),
    ("layers", "domain.leak_api", "api.app", "from api import app\n"),
    ("layers", "persistence.leak", "api.graphql", "import api.graphql\n"),
    ("layers", "api.leak", "cli.main", "import cli.main\n"),
    ("pure-domain", "domain.leak_sql", "sqlalchemy", "import sqlalchemy\n"),
    ("pure-domain", "domain.leak_graphql", "strawberry", "from strawberry import relay\n"),
    ("pure-domain", "domain.leak_settings", "pydantic_settings", "import pydantic_settings\n"),
    ("graphql-through-ports", "api.graphql.types.leak", "persistence.model", "from persistence import model\n"),
    # Through another module of the API: a resolver may not reach the store by way of the live side either.
    ("graphql-through-ports", "api.graphql.leak", "api.live.hub", "import api.live.hub\n"),
    ("graphql-through-ports", "api.live.hub", "persistence.write", "import persistence.write\n"),
    ("adapters-at-the-root", "api.live.hub", "persistence.write", "import persistence.write\n"),
    ("adapters-at-the-root", "api.http.leak", "persistence.sql", "from persistence import sql\n"),
    ("adapters-at-the-root", "api.documents.leak", "persistence.sql", "from persistence import sql\n"),
    ("http-and-ops-at-the-edge", "api.limits.leak", "api.http.server", "from api.http import server\n"),
    ("http-and-ops-at-the-edge", "api.compiled.leak", "api.ops", "import api.ops\n"),
]
"""(contract id, importer, imported, the importer's text): one forbidden import each, into a small tree of the same packages."""
TARGETS = {
    "persistence/sql.py": "",
    "persistence/model.py": "",
    "persistence/write.py": "",
    "api/app.py": "import persistence.sql\n",
    "api/settings.py": "",
    "api/http/server.py": "import api.app\n",
    "cli/main.py": "",
}
"""Modules the leaks import, and what the tree itself does: its composition root picks an adapter, its server runs it."""


def skeleton(repository_root: Path, root: Path) -> None:
    """Every package the contracts name, empty, under the tree's own contracts."""
    for package in PACKAGES:
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").write_text("")
    for target, text in TARGETS.items():
        (root / target).write_text(text)
    (root / "pyproject.toml").write_text(_toml(contracts(repository_root)))


def test_the_domain_contract_forbids_every_framework(repository_root: Path) -> None:
    pure = next(entry for entry in contracts(repository_root)["contracts"] if entry["id"] == "pure-domain")  # type: ignore[attr-defined]
    assert set(pure["source_modules"]) == {"domain"}
    assert set(pure["forbidden_modules"]) >= FRAMEWORKS


@pytest.fixture(scope="module")
def broken_report(repository_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What lint-imports says of the small tree with every leak in it: its report of each contract, by contract id."""
    root = tmp_path_factory.mktemp("leaky")
    skeleton(repository_root, root)
    for _contract, importer, _imported, text in LEAKS:
        (root / (importer.replace(".", "/") + ".py")).write_text(text)
    run = lint_imports(root)
    assert run.returncode == 1, run.stdout + run.stderr
    report = " ".join(run.stdout.split())
    names = {str(entry["id"]): str(entry["name"]) for entry in contracts(repository_root)["contracts"]}  # type: ignore[attr-defined]
    tail = report.split("Broken contracts", 1)[-1]
    starts = sorted((tail.find(f"{name} -"), key) for key, name in names.items() if f"{name} BROKEN" in report)
    return {key: tail[at : starts[i + 1][0] if i + 1 < len(starts) else len(tail)] for i, (at, key) in enumerate(starts)}


def test_the_small_tree_keeps_the_contracts_until_something_leaks(repository_root: Path, tmp_path: Path) -> None:
    skeleton(repository_root, tmp_path)
    run = lint_imports(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize(("contract", "importer", "imported", "text"), LEAKS, ids=[f"{leak[0]}:{leak[1]}->{leak[2]}" for leak in LEAKS])
def test_a_forbidden_import_breaks_its_contract(
    broken_report: dict[str, str], contract: str, importer: str, imported: str, text: str
) -> None:
    assert contract in broken_report, f"the {contract} contract held with {importer} importing {imported}"
    assert f"{importer} -> {imported}" in broken_report[contract]


def _toml(config: dict[str, object]) -> str:
    """The tree's own [tool.importlinter] section, written out again for a project of its own."""
    lines = ["[tool.importlinter]", *(f"{key} = {_value(value)}" for key, value in config.items() if key != "contracts")]
    for contract in config["contracts"]:  # type: ignore[attr-defined]
        lines += ["", "[[tool.importlinter.contracts]]", *(f"{key} = {_value(value)}" for key, value in contract.items())]
    return "\n".join(lines) + "\n"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
