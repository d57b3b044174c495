"""The unit tier stays fast and honest: its modules reach only the domain, the fakes and the shared test helpers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = Path(__file__).resolve().parent

FORBIDDEN = {"api", "persistence", "cli", "bench", "sqlalchemy", "sqlmodel", "strawberry", "starlette", "asyncpg", "uvicorn"}
"""The edges, the adapters and the libraries they stand on."""

LEAVES = {"tests.fakes"}
"""Trusted as they are (the brief of the unit tier: the domain and the fakes); their own imports are not followed."""


def _file_of(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported(path: Path) -> set[str]:
    """Every module `path` imports, `from package import module` counted as the module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names if _file_of(f"{node.module}.{alias.name}"))
    return found


def reached(module: str) -> dict[str, str]:
    """Each forbidden module `module` reaches through the tests' own helpers, with the helper that imports it."""
    seen: set[str] = set()
    offences: dict[str, str] = {}
    waiting = [module]
    while waiting:
        current = waiting.pop()
        if current in seen or current in LEAVES:
            continue
        seen.add(current)
        path = _file_of(current)
        if path is None:
            continue
        for name in _imported(path):
            if name.split(".")[0] in FORBIDDEN:
                offences.setdefault(name, current)
            elif name.startswith("tests."):
                waiting.append(name)
    return offences


UNIT_MODULES = sorted(f"tests.unit.{path.stem}" for path in UNIT.glob("*.py") if path.stem != "__init__")


@pytest.mark.parametrize("module", UNIT_MODULES)
def test_a_unit_test_module_reaches_only_the_domain_and_the_fakes(module: str) -> None:
    assert reached(module) == {}


def test_the_check_sees_an_adapter_imported_through_a_helper() -> None:
    assert reached("tests.integration.conftest") == {
        "persistence.write.unit_of_work": "tests.integration.conftest",
        "sqlalchemy": "tests.integration.conftest",
        "sqlmodel": "tests.integration.conftest",
    }
