"""`asOf` on both read paths: asked about a past instant, the compiled reads and the executor answer alike.

A server on a fresh database takes a seeded sequence of writes through the API (the one `tests/e2e/test_as_of.py`
holds to copies of the database); the instants between them are remembered. Then every generated document of the
session's corpus that the compiled path plans is asked at one of those instants, with `asOf` on each of its root
fields, through both paths in-process, on the same database; and so is the e2e test's query of the whole record.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    StringValueNode,
    parse,
    print_ast,
)

from api.compiled.reads import CompiledReads
from api.graphql.as_of import ARGUMENT
from api.graphql.schema import build_schema
from api.settings import Settings
from persistence.sql.engine import create_engine
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.differential.conftest import Differ
from tests.differential.drawing import corpus
from tests.differential.values import Generated
from tests.e2e.helpers import BACKENDS, LiveServer
from tests.e2e.test_as_of import Writer, live_on, record_query

WRITES = 12
DOCUMENTS = 150
"""Generated documents asked at the past instants (an even spread over the compiled-only part of the corpus)."""


@dataclass(frozen=True)
class Written:
    """A database after the writes, with the instants taken between them."""

    url: str
    instants: list[datetime]


@pytest.fixture(params=BACKENDS)
def written(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Written]:
    with live_on(request.param, tmp_path) as (server, url):
        yield Written(url, _write(server))


def _write(server: LiveServer) -> list[datetime]:
    writer = Writer(server, seed=23)
    instants = []
    for step in range(WRITES):
        writer.step()
        if step % 4 == 3:
            time.sleep(0.01)
            instants.append(datetime.now(UTC))
            time.sleep(0.01)
    return instants


@pytest.fixture
async def differ(written: Written) -> AsyncIterator[Differ]:
    engine = create_engine(written.url)
    settings = Settings(database_url=written.url)
    schema = build_schema(max_depth=settings.max_query_depth)
    factory = SqlUnitOfWorkFactory(engine)
    try:
        yield Differ(engine, factory, schema, CompiledReads(schema), settings, f"asOf/{written.url.partition(':')[0]}")
    finally:
        await factory.snapshots.close()
        await engine.dispose()


def at_instant(query: str, instant: datetime | None, root_arguments: dict[str, set[str]]) -> str:
    """The document with `asOf: "<instant>"` (in place of any it had; none for None) on every root field of its queries
    that takes it."""
    literal = () if instant is None else (ArgumentNode(name=NameNode(value=ARGUMENT), value=StringValueNode(value=instant.isoformat())),)

    def dress(selections: SelectionSetNode) -> SelectionSetNode:
        dressed: list[SelectionNode] = []
        for selection in selections.selections:
            if isinstance(selection, InlineFragmentNode):
                selection = replace(selection, selection_set=dress(selection.selection_set))
            elif isinstance(selection, FieldNode) and ARGUMENT in root_arguments.get(selection.name.value, set()):
                kept = tuple(argument for argument in selection.arguments or () if argument.name.value != ARGUMENT)
                selection = replace(selection, arguments=(*kept, *literal))
            dressed.append(selection)
        return replace(selections, selections=tuple(dressed))

    definitions = [
        replace(definition, selection_set=dress(definition.selection_set))
        if isinstance(definition, OperationDefinitionNode) and definition.operation is OperationType.QUERY
        else definition
        for definition in parse(query).definitions
    ]
    return print_ast(DocumentNode(definitions=tuple(definitions)))


def _root_arguments(differ: Differ) -> dict[str, set[str]]:
    root = differ.schema.documents.schema.query_type
    assert root is not None
    return {name: set(field.args) for name, field in root.fields.items()}


async def test_past_instants_answer_alike_on_both_paths(written: Written, differ: Differ) -> None:
    roots = _root_arguments(differ)
    documents = [generated for generated in corpus() if generated.compilable and not _names_fragment_on_root(generated)]
    documents = documents[:: max(1, len(documents) // DOCUMENTS)][:DOCUMENTS]
    draw = random.Random(23)
    compiled = compiled_now = differing = 0
    for generated in documents:
        instant = draw.choice(written.instants)
        query = at_instant(generated.query, instant, roots)
        outcome = await differ.check(query, generated.variables, generated.operation_name)
        now = await differ.check(at_instant(generated.query, None, roots), generated.variables, generated.operation_name)
        compiled += outcome.compiled is not None
        compiled_now += now.compiled is not None
        differing += outcome.reference is not None and now.reference is not None and now.reference != outcome.reference
    # `asOf` makes the compiled path decline nothing it answers for now, so what was compared was its answer.
    assert compiled == compiled_now > len(documents) // 2, (compiled, compiled_now, len(documents))
    # And the instants are in the past: some answers then are not the answers now.
    assert differing > 0

    whole = record_query()
    answers = []
    for instant in written.instants:
        outcome = await differ.check(whole, {"at": instant.isoformat()})
        assert outcome.reference is not None, outcome.errors
        answers.append(outcome.reference)
    assert len(set(answers)) == len(answers), "the writes between the instants changed nothing the whole record's query shows"


def _names_fragment_on_root(generated: Generated) -> bool:
    """Whether a root field is selected through a named fragment, which `at_instant` does not reach."""
    for definition in parse(generated.query).definitions:
        if isinstance(definition, OperationDefinitionNode) and any(
            not isinstance(selection, FieldNode | InlineFragmentNode) for selection in definition.selection_set.selections
        ):
            return True
    return False


def test_at_instant_puts_as_of_on_every_root_field_that_takes_it() -> None:
    roots = {"expulsions": {"first", ARGUMENT}, "viewer": set()}
    instant = datetime(2026, 12, 1, tzinfo=UTC)
    query = "query { a: expulsions(first: 2) { totalCount } ... on Query { expulsions { totalCount } } viewer { name } }"
    dressed = at_instant(query, instant, roots)
    assert dressed.count('asOf: "2026-12-01T00:00:00+00:00"') == 2
    assert "asOf" not in at_instant(dressed, None, roots)
    assert "viewer {" in dressed
    assert "viewer(" not in dressed
