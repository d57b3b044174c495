"""Every query the project itself shows or sends — the README, the docs, the benchmark and the
end-to-end tests — answered alike by the compiled path and the executor."""

from __future__ import annotations

import ast
import base64
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse

from tests.differential.conftest import Differ

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"```graphql\n(.*?)```", re.DOTALL)


def _is_query(text: str) -> bool:
    try:
        document = parse(text)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return bool(operations) and all(d.operation is OperationType.QUERY for d in operations)


def known_queries() -> list[tuple[str, str]]:
    """(where, query) for every GraphQL query document in the README, docs/, bench/ and the e2e tests."""
    found: dict[str, str] = {}
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for index, block in enumerate(FENCE.findall(path.read_text())):
            if _is_query(block):
                found.setdefault(block, f"{path.name}#{index}")
    sources = [
        *sorted((ROOT / "tests" / "e2e").glob("*.py")),
        ROOT / "bench" / "operations.py",
        # Not the request limits' probes (test_limits.py): documents built to be refused or costly, not what clients send.
        *sorted(path for path in (ROOT / "tests" / "api").glob("*.py") if path.name != "test_limits.py"),
    ]
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "{" in node.value and _is_query(node.value):
                found.setdefault(node.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return [(where, query) for query, where in found.items()]


KNOWN = known_queries()


def global_id(type_name: str, number: int) -> str:
    return base64.b64encode(f"{type_name}:{number}".encode()).decode()


# Records both the demo record and the generated one hold (190 is Russia, 282 the United Nations).
EXISTING_IDS = [
    global_id("Expulsion", 1),
    global_id("Statement", 1),
    global_id("State", 190),
    global_id("Organisation", 282),
    global_id("Mission", 1),
    global_id("Source", 1),
    global_id("Citation", 1),
]
VALUES: dict[str, list[Any]] = {
    "id": EXISTING_IDS,
    "ids": [[global_id("Expulsion", 1), global_id("Statement", 2), global_id("State", 190), global_id("Source", 1)]],
    "author": ["demarche"],
    "since": ["2020-01-01T00:00:00Z"],
    "first": [5],
    "last": [3],
    "c": ["RU"],
    "actor": ["PL"],
    "between": [["RU", "US"]],
    "actors": [["POL", "de", "GB"], "PL"],
    "at": ["2018-03-14", "2022-03-23", None],
    "code": ["GBR", "PL", "US"],
    "text": ["expel"],
    "kinds": [None, ["CITATION", "EXPULSION"]],
    "after": [None],
    "before": [None],
    "diplomat": [global_id("Diplomat", 1)],
    "statement": [global_id("Statement", 1)],
    "speaker": ["Blinken", "spokes"],
    "limit": [3],
    "wave2018": [global_id("Wave", 1)],
    "wave2022": [global_id("Wave", 2)],
}
"""Realistic values by variable name; several for `id`, so that each kind of record is asked for."""


def declared(query: str) -> list[str]:
    """The variables the query's operations declare."""
    return [
        definition.variable.name.value
        for operation in parse(query).definitions
        if isinstance(operation, OperationDefinitionNode)
        for definition in operation.variable_definitions or ()
    ]


def variable_sets(query: str) -> list[dict[str, Any]]:
    """Every combination of the table's values for the variables the query declares (none when it declares none)."""
    names = declared(query)
    if not names:
        return []
    choices = [[(name, value) for value in VALUES[name]] for name in names if name in VALUES]
    return [dict(combination) for combination in itertools.product(*choices)]


def test_every_declared_variable_has_realistic_values() -> None:
    names = {name for _, query in KNOWN for name in declared(query)}
    assert names >= {"id", "ids", "first", "c"}
    assert names <= VALUES.keys(), names - VALUES.keys()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_known_queries_answer_alike(differ: Differ) -> None:
    compiled = 0
    compiled_with_variables = 0
    for where, query in KNOWN:
        outcome = await differ.check(query)
        compiled += outcome.compiled is not None
        assert where
        for variables in variable_sets(query):
            outcome = await differ.check(query, variables)
            compiled_with_variables += outcome.compiled is not None
    assert compiled > 0
    assert compiled_with_variables > 0
