"""Drawing operations from the committed schema with hypothesis-graphql, one root field at a time, and dressing each:
the session's corpus of generated documents."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from functools import cache
from typing import Any

import graphql
from graphql import (
    DocumentNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    OperationDefinitionNode,
    SchemaDefinitionNode,
    SelectionNode,
    ValueNode,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from tests.differential.rewriter import Rewriter
from tests.differential.values import (
    COMPILED_DRAWS,
    COMPILED_ROOTS,
    DATES,
    DATETIMES,
    DRESSINGS,
    EXISTING,
    MIXED_DRAWS,
    NODE_KINDS,
    SDL,
    SPEAKERS,
    STATE_CODES,
    UNCOMPILED_FIELDS,
    UNCOMPILED_ROOTS,
    Generated,
    global_id,
)


def _draw_schema(roots: Sequence[str], *, record_history: bool) -> GraphQLSchema:
    """schema.graphql with only the given root fields, no mutations and, unless asked, no per-record `history`
    (nor memberships, which the executor answers too)."""
    definitions: list[Any] = []
    for definition in graphql.parse(SDL).definitions:
        if isinstance(definition, SchemaDefinitionNode):
            continue
        name = getattr(getattr(definition, "name", None), "value", None)
        if name == "Mutation":
            continue
        if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode) and (name == "Root" or not record_history):
            kept = tuple(
                f for f in definition.fields or () if (f.name.value in roots if name == "Root" else f.name.value not in UNCOMPILED_FIELDS)
            )
            definition = definition.__class__(**{**{key: getattr(definition, key) for key in definition.keys}, "fields": kept})
        definitions.append(definition)
    built = graphql.build_ast_schema(DocumentNode(definitions=tuple(definitions)))
    root = built.get_type("Root")
    node = built.get_type("Node")
    assert isinstance(root, GraphQLObjectType)
    assert isinstance(node, GraphQLInterfaceType)
    # Only what the root reaches, and every kind of node.
    return GraphQLSchema(query=root, types=list(built.get_possible_types(node)), directives=built.directives)


def _scalars() -> dict[str, st.SearchStrategy[ValueNode]]:
    """Plausible values for the scalars the library leaves undressed (the rewriter replaces most of them)."""
    ids = [global_id(kind, EXISTING[kind][0]) for kind in NODE_KINDS]
    return {
        "Date": st.sampled_from(DATES).map(nodes.String),
        "DateTime": st.sampled_from(DATETIMES).map(nodes.String),
        "JSON": st.just(nodes.String("{}")),
        "ID": st.sampled_from(ids).map(nodes.String),
        "Int": st.integers(min_value=-1, max_value=20).map(nodes.Int),
        "String": st.sampled_from(STATE_CODES + SPEAKERS[:3]).map(nodes.String),
    }


# Dressing a drawn document ---------------------------------------------------------------------------


# Generation ------------------------------------------------------------------------------------------


def _root_fields(schema: GraphQLSchema, roots: Sequence[str]) -> st.SearchStrategy[DocumentNode]:
    """A query of one of `roots`, each as likely as another.

    Drawn over the whole root type at once, the library picks `node` and `nodes` nearly every time
    (their selections are the richest), and the listings seldom.
    """
    scalars = _scalars()
    return st.one_of(
        *(queries(schema, fields=[root], custom_scalars=scalars, allow_x00=False, print_ast=lambda document: document) for root in roots)
    )


def _draw(schema: GraphQLSchema, count: int, parts: st.SearchStrategy[list[DocumentNode]], *, foreign_ids: bool) -> list[Generated]:
    """`count` drawn operations, each of one to a few root fields, dressed `DRESSINGS` ways each."""
    drawn: list[Generated] = []

    @settings(
        max_examples=count, derandomize=True, database=None, deadline=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck)
    )
    @given(parts, st.integers(min_value=0, max_value=2**32 - 1))
    def collect(documents: list[DocumentNode], seed: int) -> None:
        selections: list[SelectionNode] = []
        for document in documents:
            operation = document.definitions[0]
            assert isinstance(operation, OperationDefinitionNode)
            selections.extend(operation.selection_set.selections)
        text = "\n".join(graphql.print_ast(document) for document in documents)
        for dressing in range(DRESSINGS):
            # Each dressing's choices follow from everything drawn, the library's argument values included.
            rng = random.Random(f"{seed}:{dressing}:{text}")
            drawn.append(Rewriter(schema, rng, foreign_ids=foreign_ids).dress(selections))

    collect()
    return drawn


@cache
def corpus() -> tuple[Generated, ...]:
    """Every generated document, drawn once per session: the compiled-only majority, then the mixed minority."""
    plain = _draw_schema(COMPILED_ROOTS, record_history=False)
    compiled = _draw(plain, COMPILED_DRAWS, st.lists(_root_fields(plain, COMPILED_ROOTS), min_size=1, max_size=2), foreign_ids=False)
    every = _draw_schema(COMPILED_ROOTS + UNCOMPILED_ROOTS, record_history=True)
    parts = st.tuples(
        st.lists(_root_fields(every, UNCOMPILED_ROOTS), min_size=1, max_size=1),
        st.lists(_root_fields(every, COMPILED_ROOTS), max_size=1),
    ).map(lambda lists: lists[0] + lists[1])
    mixed = _draw(every, MIXED_DRAWS, parts, foreign_ids=True)
    unique: dict[tuple[str, str], Generated] = {}
    for generated in (*compiled, *mixed):
        unique.setdefault((generated.query, json.dumps(generated.variables, sort_keys=True)), generated)
    return tuple(unique.values())
