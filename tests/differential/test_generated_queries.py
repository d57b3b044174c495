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
import base64
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

import graphql
import pytest
from graphql import (
    ArgumentNode,
    BooleanValueNode,
    ConstValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    InterfaceTypeDefinitionNode,
    IntValueNode,
    ListValueNode,
    NamedTypeNode,
    NameNode,
    NullValueNode,
    ObjectTypeDefinitionNode,
    OperationDefinitionNode,
    OperationType,
    SchemaDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from tests.differential.conftest import Differ, Outcome

ROOT = Path(__file__).resolve().parents[2]
SDL = (ROOT / "schema.graphql").read_text()

COMPILED_ROOTS = (
    "states",
    "organisations",
    "missions",
    "diplomats",
    "expulsions",
    "waves",
    "statements",
    "sources",
    "node",
    "nodes",
    "state",
    "organisation",
)
UNCOMPILED_FIELDS = ("history", "members", "memberships", "answerLags", "answeredLags", "sourceFigures")
"""Fields below the root the compiled path leaves to the executor (the history, memberships, and a measure's derived lags and figures)."""
UNCOMPILED_ROOTS = ("reciprocityThread", "bilateralBalance", "timeline", "rankings", "history", "viewer", "tokens", "search")
RECORD_TYPES = ("State", "Organisation", "Mission", "Diplomat", "Expulsion", "Wave", "Statement", "Source", "Citation")
PAGE_ARGUMENTS = ("first", "after", "last", "before")

COMPILED_DRAWS = 1_000
"""Selections drawn over the compiled root fields only, with no `history` below the root."""
MIXED_DRAWS = 150
"""Selections drawn over every root field, `history` included: the minority that must mostly fall back."""
DRESSINGS = 2
"""Documents made of each drawn selection, each with its own arguments, aliases, fragments and variables."""
GENERATED_RECORD_DOCUMENTS = 300
"""How many of the documents the 10,000-statement record is asked (every one goes to the demo record)."""
MINIMUM_DOCUMENTS = 2_000
CONCURRENCY = 4
MINIMUM_COMPILED_SHARE = 0.95

# Codes and records that exist in both records (the demo record and the generated one); a few that do not.
STATE_CODES = (
    "RU",
    "US",
    "PL",
    "GB",
    "DE",
    "FR",
    "UA",
    "BY",
    "CZ",
    "LT",
    "EE",
    "CN",
    "RUS",
    "USA",
    "POL",
    "ru",
    " pl ",
    "XK",
    "SUHH",
    "DDR",
)
ORGANISATION_CODES = ("UN", "EU", "NATO", "OSCE", "un", "Nato")
UNKNOWN_CODES = ("ZZ", "WHO", "")
EXISTING = {
    "State": (1, 2, 180, 190, 235, 250, 259, 275),
    "Organisation": (282, 283, 284, 285),
    "Mission": (1, 2),
    "Expulsion": (1, 2, 3, 4),
    "Statement": (1, 2, 3, 4, 5, 6, 7),
    "Source": (1, 2, 3, 4),
    "Citation": (1, 2, 5, 16),
    "Diplomat": (1, 2),
    "Wave": (1, 2),
}
ABSENT_IDS = (0, 99_999)
NODE_KINDS = ("Expulsion", "Statement", "State") * 3 + ("Organisation", "Mission", "Source", "Citation") * 2
"""What `node(id:)` is mostly asked for: the demo record has no diplomats and no waves, and a node that is
not there is answered by the executor (null), which the compiled path leaves to it."""
ID_KINDS = (*NODE_KINDS, "Diplomat", "Wave")
SPEAKERS = ("Kaminski", "blinken", "spokesman", "Ministry", "State Department", "Zakharova", "")
SEARCHES = (
    "expel",
    "diplomats",
    "persona non grata",
    "unhelpful",
    "spies",
    "spy",
    "espionage",
    "Kaminski",
    "vcdr article",
    "retaliation",
    "the",
    "careful review",
    "",
    "x" * 501,
)
DATES = ("2022-03-23", "2022-03-01", "2022-03-31", "2022-04-30", "2021-01-01", "2014-06-15", "1960-01-01", "2025-12-31", "2022-03-24")
DATETIMES = ("2020-01-01T00:00:00Z", "2000-01-01T00:00:00+00:00", "2030-01-01T00:00:00Z")
AUTHORS = ("demarche", "cli", "nobody")


def global_id(type_name: str, number: object) -> str:
    return base64.b64encode(f"{type_name}:{number}".encode()).decode()


def cursor(order: str, descending: bool, key: list[Any]) -> str:
    payload = json.dumps({"o": order, "d": descending, "k": key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode()


# Schemas to draw from ----------------------------------------------------------------------------------


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


class _Missing:
    """An argument left out of the document."""


MISSING = _Missing()


class _Cursor:
    """A cursor to choose once the listing's other arguments (its ordering) are known."""


CURSOR = _Cursor()


def literal(value: Any) -> ValueNode:
    """A GraphQL literal for a JSON value (enum values stay as the library drew them)."""
    if value is None:
        return NullValueNode()
    if isinstance(value, bool):
        return BooleanValueNode(value=value)
    if isinstance(value, int):
        return IntValueNode(value=str(value))
    if isinstance(value, float):
        return FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return StringValueNode(value=value)
    if isinstance(value, list):
        return ListValueNode(values=tuple(literal(item) for item in value))
    raise TypeError(value)


def _out_of_order(one: object, other: object) -> bool:
    """Two bounds of one kind (texts or numbers), the first past the second."""
    if isinstance(one, str) and isinstance(other, str):
        return one > other
    return isinstance(one, int) and isinstance(other, type(one)) and isinstance(other, int) and one > other


@dataclass
class Generated:
    """One document as both paths are asked it."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    roots: frozenset[str]
    compilable: bool
    """Selects compiled root fields only, no per-record `history`, and names no node of an uncompiled type."""


class Rewriter:
    """Dresses one drawn document; every choice comes from `rng`, itself drawn by Hypothesis."""

    def __init__(self, schema: GraphQLSchema, rng: random.Random, *, foreign_ids: bool) -> None:
        self.schema = schema
        self.rng = rng
        self.foreign_ids = foreign_ids
        self.count = 0
        self.variables: dict[str, Any] = {}
        self.signatures: list[VariableDefinitionNode] = []
        self.fragments: list[FragmentDefinitionNode] = []
        self.roots: set[str] = set()
        self.compilable = True

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def dress(self, drawn: Sequence[SelectionNode]) -> Generated:
        root = self.schema.query_type
        assert root is not None
        selections = self.selections(drawn, root, depth=0)
        operation_name = self.name("Generated") if self.rng.random() < 0.3 else None
        dressed = OperationDefinitionNode(
            operation=OperationType.QUERY,
            name=NameNode(value=operation_name) if operation_name else None,
            variable_definitions=tuple(self.signatures),
            directives=(),
            selection_set=SelectionSetNode(selections=tuple(selections)),
        )
        if self.rng.random() < 0.5:
            self.rng.shuffle(self.fragments)
        definitions: list[Any] = [dressed, *self.fragments]
        if operation_name and self.rng.random() < 0.3:
            # Another operation in the same document: only the named one may be answered.
            other = graphql.parse("query Other { __typename }").definitions[0]
            definitions.insert(self.rng.randrange(len(definitions) + 1), other)
        text = graphql.print_ast(DocumentNode(definitions=tuple(definitions)))
        variables = self.variables if self.variables or self.rng.random() < 0.5 else None
        self.compilable = self.compilable and self.roots <= set(COMPILED_ROOTS)
        return Generated(text, variables, operation_name, frozenset(self.roots), self.compilable)

    def selections(self, selections: Sequence[SelectionNode], parent: Any, depth: int) -> list[SelectionNode]:
        dressed: list[SelectionNode] = []
        for selection in selections:
            if isinstance(selection, FieldNode):
                # A root field drawn twice gets a key of its own: the two may differ in arguments.
                again = depth == 0 and selection.name.value in self.roots
                dressed.append(self.field(selection, parent, depth, alias=again))
                if depth == 0 and selection.name.value != "__typename" and self.rng.random() < 0.1:
                    # The same root field again under another key, with other arguments.
                    dressed.append(self.field(selection, parent, depth, alias=True))
            elif isinstance(selection, InlineFragmentNode):
                assert selection.type_condition is not None
                condition = self.schema.get_type(selection.type_condition.name.value)
                inner = self.selections(selection.selection_set.selections, condition, depth)
                if self.rng.random() < 0.3:
                    dressed.append(self.fragment(selection.type_condition.name.value, inner))
                else:
                    dressed.append(
                        InlineFragmentNode(
                            type_condition=selection.type_condition, directives=(), selection_set=SelectionSetNode(selections=tuple(inner))
                        )
                    )
            else:  # pragma: no cover - the library draws fields and inline fragments only
                dressed.append(selection)
        if self.rng.random() < 0.08:
            dressed.insert(self.rng.randrange(len(dressed) + 1), FieldNode(name=NameNode(value="__typename"), arguments=(), directives=()))
        return dressed

    def fragment(self, type_name: str, selections: list[SelectionNode]) -> FragmentSpreadNode:
        name = self.name("F")
        self.fragments.append(
            FragmentDefinitionNode(
                name=NameNode(value=name),
                type_condition=NamedTypeNode(name=NameNode(value=type_name)),
                variable_definitions=None,
                directives=(),
                selection_set=SelectionSetNode(selections=tuple(selections)),
            )
        )
        return FragmentSpreadNode(name=NameNode(value=name), directives=())

    def field(self, node: FieldNode, parent: Any, depth: int, *, alias: bool = False) -> FieldNode:
        name = node.name.value
        if name == "__typename":
            return node
        definition = parent.fields[name]
        if depth == 0:
            self.roots.add(name)
        elif name in UNCOMPILED_FIELDS:
            self.compilable = False
        arguments = self.arguments(node.arguments or (), definition.args, name)
        selection_set = None
        if node.selection_set is not None:
            named = graphql.get_named_type(definition.type)
            inner = self.selections(node.selection_set.selections, named, depth + 1)
            if self.rng.random() < 0.12:
                # The whole selection as a named fragment on the field's own type.
                inner = [self.fragment(named.name, inner)]
                if self.rng.random() < 0.3:
                    inner.append(FieldNode(name=NameNode(value="__typename"), arguments=(), directives=()))
            selection_set = SelectionSetNode(selections=tuple(inner))
        key = node.alias
        if key is None and (alias or self.rng.random() < 0.15):
            key = NameNode(value=self.name("a"))
        directives: tuple[DirectiveNode, ...] = ()
        if self.rng.random() < 0.04:
            directives = (self.condition(),)
        return FieldNode(alias=key, name=node.name, arguments=tuple(arguments), directives=directives, selection_set=selection_set)

    def condition(self) -> DirectiveNode:
        """`@skip` or `@include`, by a literal or a variable."""
        which = self.rng.choice(("skip", "include"))
        value: ValueNode
        if self.rng.random() < 0.5:
            value = BooleanValueNode(value=self.rng.random() < 0.5)
        else:
            variable = self.name("b")
            self.signatures.append(
                VariableDefinitionNode(
                    variable=VariableNode(name=NameNode(value=variable)), type=graphql.parse_type("Boolean!"), directives=()
                )
            )
            self.variables[variable] = self.rng.random() < 0.5
            value = VariableNode(name=NameNode(value=variable))
        return DirectiveNode(name=NameNode(value=which), arguments=(ArgumentNode(name=NameNode(value="if"), value=value),))

    # Arguments -----------------------------------------------------------------------------------------

    def arguments(self, given: Sequence[ArgumentNode], definitions: dict[str, GraphQLArgument], field_name: str) -> list[ArgumentNode]:
        drawn = {argument.name.value: argument.value for argument in given}
        paging = self.paging() if set(PAGE_ARGUMENTS) <= definitions.keys() else {}
        chosen: dict[str, Any] = {}
        for name, definition in definitions.items():
            required = graphql.is_non_null_type(definition.type) and definition.default_value is graphql.Undefined
            value: Any
            if name in paging:
                value = paging[name]
            elif not required and self.rng.random() < 0.55:
                value = MISSING
            else:
                value = self.plausible(name, field_name)
                if value is MISSING or self.rng.random() < 0.1:
                    value = drawn.get(name, MISSING)
            if value is not MISSING:
                chosen[name] = value
        self.tidy(chosen, field_name)
        dressed: list[ArgumentNode] = []
        for name, value in chosen.items():
            definition = definitions[name]
            node = value if isinstance(value, ValueNode) else literal(value)
            python = graphql.value_from_ast_untyped(node)
            if graphql.get_named_type(definition.type).name == "ID":
                self.check_ids(python)
            if self.rng.random() < 0.35:
                node = self.hoist(definition, node, python)
            dressed.append(ArgumentNode(name=NameNode(value=name), value=node))
        self.rng.shuffle(dressed)
        return dressed

    def tidy(self, chosen: dict[str, Any], field_name: str) -> None:
        """Mostly what a client would send: bounds in order, cursors issued for the ordering asked for."""

        def plain(value: Any) -> Any:
            return graphql.value_from_ast_untyped(value) if isinstance(value, ValueNode) else value

        for low, high in (("announcedFrom", "announcedTo"), ("saidFrom", "saidTo"), ("from", "to"), ("headcountMin", "headcountMax")):
            if low in chosen and high in chosen and self.rng.random() < 0.9 and _out_of_order(plain(chosen[low]), plain(chosen[high])):
                chosen[low], chosen[high] = chosen[high], chosen[low]
        for name in ("after", "before"):
            if chosen.get(name) is CURSOR:
                if self.rng.random() < 0.85:
                    chosen[name] = self.cursor(*self.ordering(field_name, {key: plain(value) for key, value in chosen.items()}))
                else:
                    chosen[name] = self.any_cursor()

    @staticmethod
    def ordering(field_name: str, values: dict[str, Any]) -> tuple[str, bool]:
        """The ordering a listing's arguments ask for, as its cursors name it."""
        descending = values.get("direction") == "DESC" or values.get("descending") is True
        sort: str | None = values.get("orderBy")
        if field_name == "expulsions":
            return {"HEADCOUNT": "headcount", "RECORDED": "id"}.get(sort or "", "announced"), descending
        if field_name == "statements":
            if sort is None:
                return ("relevance" if values.get("search") else "said_on"), descending
            return {"SAID_ON": "said_on", "RELEVANCE": "relevance"}.get(sort or "", "id"), descending
        return "id", descending

    def hoist(self, definition: GraphQLArgument, node: ValueNode, python: Any) -> VariableNode:
        """The value as a variable: usually given, sometimes its definition's default, sometimes left out."""
        variable = self.name("v")
        type_ = definition.type
        default = None
        choice = self.rng.random()
        if choice < 0.8:
            self.variables[variable] = python
        elif choice < 0.9:
            default = node
        elif graphql.is_non_null_type(type_) and definition.default_value is not graphql.Undefined:
            # Left out, declared nullable: the argument then takes its own default.
            type_ = type_.of_type
        elif graphql.is_non_null_type(type_) and self.rng.random() < 0.8:
            self.variables[variable] = python
        # else: left out; the argument then takes its own default, or the executor refuses a required one
        self.signatures.append(
            VariableDefinitionNode(
                variable=VariableNode(name=NameNode(value=variable)),
                type=graphql.parse_type(str(type_)),
                # Drawn and generated literals hold no variables (graphql-core's `Const`), though typed as any value.
                default_value=cast(ConstValueNode | None, default),
                directives=(),
            )
        )
        return VariableNode(name=NameNode(value=variable))

    def check_ids(self, value: Any) -> None:
        for one in value if isinstance(value, list) else [value]:
            if not isinstance(one, str):
                continue
            try:
                type_name = base64.b64decode(one, validate=True).decode().partition(":")[0]
            except ValueError:
                continue
            if type_name not in RECORD_TYPES:
                self.compilable = False

    def paging(self) -> dict[str, Any]:
        """One way through a connection: none, forward, backward, or anything at all."""
        rng = self.rng
        mode = rng.random()
        if mode < 0.35:
            return dict.fromkeys(PAGE_ARGUMENTS, MISSING)
        if mode < 0.7:
            return {"first": self.size(), "after": self.after_before(), "last": MISSING, "before": MISSING}
        if mode < 0.9:
            return {"last": self.size(), "before": self.after_before(), "first": MISSING, "after": MISSING}
        return {
            "first": rng.choice((MISSING, None, self.size())),
            "after": rng.choice((MISSING, None, CURSOR)),
            "last": rng.choice((MISSING, None, self.size())),
            "before": rng.choice((MISSING, None, CURSOR)),
        }

    def size(self) -> Any:
        return self.rng.choice((0, 1, 2, 3, 5, 5, 10, 20, None, -1, 101)) if self.rng.random() < 0.2 else self.rng.randint(0, 20)

    def after_before(self) -> Any:
        choice = self.rng.random()
        return MISSING if choice < 0.5 else None if choice < 0.65 else CURSOR

    def cursor(self, order: str, descending: bool) -> str:
        """A cursor as the API issues them for `order`, at a record that exists."""
        rng = self.rng
        number = rng.choice(EXISTING["Expulsion"] + EXISTING["Statement"])
        keys: dict[str, list[Any]] = {
            "announced": [rng.choice(DATES), number],
            "said_on": [rng.choice(DATES), number],
            "headcount": [rng.choice((1, 12, 45)), number],
            "relevance": [rng.choice((0.1, 0.5)), number],
        }
        return cursor(order, descending, keys.get(order, [number]))

    def any_cursor(self) -> str:
        """A cursor for any ordering, or none the API could have issued."""
        if self.rng.random() < 0.2:
            return self.rng.choice(("bm90IGEgY3Vyc29y", "%%%", ""))
        return self.cursor(self.rng.choice(("id", "announced", "said_on", "headcount", "relevance")), self.rng.random() < 0.3)

    def node_id(self, *kinds: str) -> str:
        """Mostly a record that exists, of the kind asked for; now and then one that does not, or no ID at all."""
        rng = self.rng
        if self.foreign_ids and rng.random() < 0.1:
            return rng.choice((global_id("HistoryEntry", rng.choice((1, 2, 3))), global_id("Nothing", 1), "not-a-global-id"))
        kind = rng.choice(kinds) if rng.random() < 0.95 else rng.choice(ID_KINDS)
        choice = rng.random()
        number: object = rng.choice(EXISTING[kind]) if choice < 0.97 else rng.choice(ABSENT_IDS) if choice < 0.99 else "abc"
        return global_id(kind, number)

    def code(self, *pools: tuple[str, ...]) -> str:
        return self.rng.choice(UNKNOWN_CODES if self.rng.random() < 0.03 else self.rng.choice(pools))

    def codes(self, *pools: tuple[str, ...]) -> str | list[str]:
        """One code as a client writes it for a list argument, or a list of one to four (rarely none)."""
        if self.rng.random() < 0.5:
            return self.code(*pools)
        return [self.code(*pools) for _ in range(self.rng.choice((0, 1, 2, 2, 3, 4)) if self.rng.random() < 0.97 else 0)]

    def plausible(self, name: str, field_name: str) -> Any:
        """A value clients would plausibly send for an argument of this name; MISSING when there is no table."""
        rng = self.rng
        states = (STATE_CODES,) * 9 + (ORGANISATION_CODES,)
        table: dict[str, Callable[[], Any]] = {
            "code": lambda: self.code(ORGANISATION_CODES) if field_name == "organisation" else self.code(STATE_CODES),
            "sendingState": lambda: self.code(*states),
            "hostState": lambda: self.code(*states),
            "target": lambda: self.codes(*states),
            "party": lambda: self.codes(*states),
            "actor": lambda: self.codes(STATE_CODES, ORGANISATION_CODES),
            "memberOf": lambda: self.code(ORGANISATION_CODES, STATE_CODES),
            "targetMemberOf": lambda: self.code(ORGANISATION_CODES, STATE_CODES),
            "onBehalfOf": lambda: self.code(STATE_CODES, ORGANISATION_CODES),
            "between": lambda: [self.code(*states) for _ in range(2 if rng.random() < 0.95 else rng.choice((0, 1, 3)))],
            "id": lambda: self.node_id(*NODE_KINDS),
            "ids": lambda: [self.node_id(*ID_KINDS) for _ in range(rng.choice((0, 1, 2, 2, 3, 4, 5)))],
            "missionId": lambda: self.node_id("Mission"),
            "waveId": lambda: self.node_id("Wave"),
            "measureId": lambda: self.node_id("Expulsion"),
            "recordId": lambda: self.node_id(*ID_KINDS),
            "speaker": lambda: rng.choice(SPEAKERS),
            "search": lambda: rng.choice(SEARCHES),
            "text": lambda: rng.choice(SEARCHES),
            "announcedFrom": lambda: rng.choice(DATES),
            "announcedTo": lambda: rng.choice(DATES),
            "saidFrom": lambda: rng.choice(DATES),
            "saidTo": lambda: rng.choice(DATES),
            "from": lambda: rng.choice(DATES),
            "to": lambda: rng.choice(DATES),
            "since": lambda: rng.choice(DATETIMES),
            "until": lambda: rng.choice(DATETIMES),
            "author": lambda: rng.choice(AUTHORS),
            "headcountMin": lambda: rng.choice((0, 1, 5, 12, 45, 100)),
            "headcountMax": lambda: rng.choice((0, 1, 5, 12, 45, 100)),
            "statements": lambda: rng.randint(0, 12),
            "limit": lambda: rng.randint(0, 20),
        }
        make = table.get(name)
        return MISSING if make is None else make()


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
