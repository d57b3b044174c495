"""The published contract and the layering rules, checked on every run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from api.graphql.schema import build_schema, sdl

FRAMEWORKS = {"sqlmodel", "sqlalchemy", "strawberry", "starlette", "uvicorn", "pydantic", "pydantic_settings", "asyncpg", "aiosqlite"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_committed_schema_matches_the_code(repository_root: Path) -> None:
    committed = (repository_root / "schema.graphql").read_text(encoding="utf-8")
    assert committed == sdl(), "schema.graphql is stale: run `demarche schema --write` and commit it"


def test_every_type_field_and_argument_is_described() -> None:
    schema = build_schema()._schema
    missing: list[str] = []
    for name, kind in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID", "Date"}:
            continue
        if not kind.description:
            missing.append(name)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in kind.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for argument_name, argument in getattr(field, "args", {}).items():
                    if not argument.description:
                        missing.append(f"{name}.{field_name}({argument_name})")
    assert missing == []


@pytest.mark.parametrize("package", ["domain"])
def test_domain_imports_no_framework(repository_root: Path, package: str) -> None:
    offenders = {
        str(path.relative_to(repository_root)): sorted(imported_roots(path) & FRAMEWORKS)
        for path in (repository_root / package).rglob("*.py")
        if imported_roots(path) & FRAMEWORKS
    }
    assert offenders == {}


def test_domain_imports_neither_persistence_nor_api(repository_root: Path) -> None:
    offenders = [
        str(path.relative_to(repository_root))
        for path in (repository_root / "domain").rglob("*.py")
        if imported_roots(path) & {"persistence", "api"}
    ]
    assert offenders == []


def test_persistence_never_imports_the_api(repository_root: Path) -> None:
    offenders = [
        str(path.relative_to(repository_root)) for path in (repository_root / "persistence").rglob("*.py") if "api" in imported_roots(path)
    ]
    assert offenders == []
