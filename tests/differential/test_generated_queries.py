"""Generated queries answered alike by the compiled path and the executor.

hypothesis-graphql draws operations from the committed schema.graphql, restricted to the `Root` type,
one root field at a time (one to two of them per document) so that every root field is drawn about
as often as another. Each drawn operation is then dressed, twice, the way clients write queries:
plausible argument values (actor codes, page sizes of 0 to 20, global IDs of records that exist,
cursors issued for the ordering asked for, valid dates in order), aliases, named fragments,
variables (some left to their defaults), `@skip`/`@include` and named operations among several.
Now and then a value is wrong on purpose; the executor refuses those, and they must fall back.

Most documents select only the root fields the compiled path plans, without the per-record
`history` connection; a minority mixes in the uncompiled root fields and `history`, so the
fall-back is exercised as well. Generation is deterministic (derandomised, no example database) and
runs once per session. Both backends are asked every document on the demo record, and an even
sample of them on the generated record of 10,000 statements.

Wherever the compiled path answers, the executor must answer alike. Of the compiled-only documents
the executor answers, the compiled path must answer at least 95%: it leaves to the executor what it
cannot plan exactly (a cursor over a relevance ranking, lists nested deeper than SQLite's parser takes).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import graphql
import pytest
from graphql import (
    FieldNode,
    OperationDefinitionNode,
)

from tests.differential.conftest import Differ, Outcome
from tests.differential.drawing import corpus
from tests.differential.values import (
    COMPILED_ROOTS,
    CONCURRENCY,
    GENERATED_RECORD_DOCUMENTS,
    MINIMUM_COMPILED_SHARE,
    MINIMUM_DOCUMENTS,
    UNCOMPILED_ROOTS,
    Generated,
)

# The test --------------------------------------------------------------------------------------------


def _null_lookup(generated: Generated, reference: str) -> bool:
    """Whether a root `node`, `state` or `organisation` found nothing: the compiled path leaves that to the executor."""
    answer = json.loads(reference)
    document = graphql.parse(generated.query)
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if generated.operation_name is not None and (definition.name is None or definition.name.value != generated.operation_name):
            continue
        for selection in definition.selection_set.selections:
            if isinstance(selection, FieldNode) and selection.name.value in ("node", "state", "organisation"):
                key = (selection.alias or selection.name).value
                if key in answer and answer[key] is None:
                    return True
    return False


@dataclass
class Tally:
    """What one backend and record made of the generated documents."""

    label: str
    total: int = 0
    answered: int = 0
    compiled: int = 0
    fell_back: int = 0
    compilable_answered: int = 0
    compilable_compiled: int = 0
    declined_null: int = 0
    """Compilable documents left to the executor because a root lookup found nothing."""
    declined: list[tuple[Generated, Outcome]] = field(default_factory=list)
    """Compilable documents the executor answered but the compiled path left to it, for another reason."""
    mismatches: list[str] = field(default_factory=list)

    def share(self) -> float:
        return self.compilable_compiled / self.compilable_answered if self.compilable_answered else 0.0

    def add(self, generated: Generated, outcome: Outcome) -> None:
        self.total += 1
        self.answered += outcome.reference is not None
        self.compiled += outcome.compiled is not None
        self.fell_back += outcome.compiled is None
        if generated.compilable and outcome.reference is not None:
            self.compilable_answered += 1
            self.compilable_compiled += outcome.compiled is not None
            if outcome.compiled is None:
                if _null_lookup(generated, outcome.reference):
                    self.declined_null += 1
                else:
                    self.declined.append((generated, outcome))

    def summary(self, elapsed: float) -> str:
        return (
            f"{self.label}: {self.total} documents in {elapsed:.1f}s; executor answered {self.answered}, compiled {self.compiled}, "
            f"fell back {self.fell_back}; of the {self.compilable_answered} compiled-only documents the executor answered, "
            f"compiled {self.compilable_compiled} ({self.share():.1%}), left to the executor {self.declined_null} for a root lookup "
            f"that found nothing and {len(self.declined)} for another reason; mismatches {len(self.mismatches)}"
        )


def _report(label: str, generated: Generated, outcome: Outcome | None, problem: str) -> str:
    parts = [
        f"--- {label}: {problem}",
        f"query:\n{generated.query}",
        f"variables: {json.dumps(generated.variables)}",
        f"operation: {generated.operation_name}",
    ]
    if outcome is not None:
        parts += [f"compiled:  {outcome.compiled}", f"reference: {outcome.reference}", f"errors: {json.dumps(outcome.errors)}"]
    return "\n".join(parts)


def test_the_generator_draws_enough_documents() -> None:
    documents = corpus()
    assert len(documents) >= MINIMUM_DOCUMENTS, len(documents)
    assert sum(document.compilable for document in documents) > len(documents) * 3 // 4
    assert sum(bool(document.roots - set(COMPILED_ROOTS)) for document in documents) > len(documents) // 20
    assert {root for document in documents for root in document.roots} == set(COMPILED_ROOTS + UNCOMPILED_ROOTS)
    texts = "\n".join(document.query for document in documents)
    for feature in (
        "fragment F",
        "...F",
        "... on ",
        "$v",
        "$b",
        "@skip",
        "@include",
        "query Generated",
        "query Other",
        " a1: ",
        "__typename",
    ):
        assert feature in texts, feature
    assert any(document.variables for document in documents)


async def _ask(differ: Differ, generated: Generated, tally: Tally) -> None:
    try:
        outcome = await differ.check(generated.query, generated.variables, generated.operation_name)
    except AssertionError as failure:
        again = await differ.both(generated.query, generated.variables, generated.operation_name)
        problem = str(failure).splitlines()[0].removeprefix(f"{differ.label}: ")
        tally.mismatches.append(_report(differ.label, generated, again, problem))
        tally.total += 1
    except Exception as failure:
        tally.mismatches.append(_report(differ.label, generated, None, f"raised {failure!r}"))
        tally.total += 1
    else:
        tally.add(generated, outcome)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_generated_queries_answer_alike(differ: Differ, record: str) -> None:
    documents = corpus()
    if record == "generated":
        # An even spread, so the mixed minority is asked too.
        documents = documents[:: max(1, len(documents) // GENERATED_RECORD_DOCUMENTS)][:GENERATED_RECORD_DOCUMENTS]
    tally = Tally(differ.label)
    started = time.perf_counter()
    # A few requests at a time, as a server would take them: one's database work overlaps another's parsing.
    for start in range(0, len(documents), CONCURRENCY):
        await asyncio.gather(*(_ask(differ, generated, tally) for generated in documents[start : start + CONCURRENCY]))
    print(f"\n{tally.summary(time.perf_counter() - started)}")
    for generated, outcome in tally.declined:
        print(_report(differ.label, generated, outcome, "left to the executor although compiled-only"))
    for mismatch in tally.mismatches:
        print(mismatch)
    if record == "demo":
        assert tally.total >= MINIMUM_DOCUMENTS
    assert not tally.mismatches, f"{len(tally.mismatches)} mismatches\n" + "\n".join(tally.mismatches[:5])
    assert tally.share() >= MINIMUM_COMPILED_SHARE, tally.summary(0)
