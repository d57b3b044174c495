"""Dressing a drawn operation the way clients write queries: plausible arguments, aliases, fragments, variables,
directives and named operations; now and then a wrong value on purpose."""

from __future__ import annotations

import base64
import random
from collections.abc import Callable, Sequence
from typing import Any, cast

import graphql
from graphql import (
    ArgumentNode,
    BooleanValueNode,
    ConstValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
)

from tests.differential.values import (
    ABSENT_IDS,
    AUTHORS,
    COMPILED_ROOTS,
    CURSOR,
    DATES,
    DATETIMES,
    EXISTING,
    ID_KINDS,
    MISSING,
    NODE_KINDS,
    ORGANISATION_CODES,
    PAGE_ARGUMENTS,
    RECORD_TYPES,
    RECORDED_ORGANISATION_CODES,
    SEARCHES,
    SPEAKERS,
    STATE_CODES,
    UNCOMPILED_FIELDS,
    UNKNOWN_CODES,
    Generated,
    cursor,
    global_id,
    literal,
    out_of_order,
)


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
            if low in chosen and high in chosen and self.rng.random() < 0.9 and out_of_order(plain(chosen[low]), plain(chosen[high])):
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
            "memberOf": lambda: self.code(*(RECORDED_ORGANISATION_CODES,) * 8, ORGANISATION_CODES, STATE_CODES),
            "targetMemberOf": lambda: self.code(*(RECORDED_ORGANISATION_CODES,) * 8, ORGANISATION_CODES, STATE_CODES),
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
