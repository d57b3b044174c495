"""What a request may ask for, measured on the document before anything runs.

Every measure here walks the fragment graph once: a fragment's depth, alias count and cost are
computed the first time it is spread and reused at every other spread, so a document whose
fragments spread each other ten times over seven levels costs its size to measure, not 10^7
walks (the validators these replace expanded every spread again).

- depth: how many fields with selections nest, as Strawberry's own limiter counts them
  (introspection fields do not count);
- aliases: how many aliased fields the operations select, fragments expanded;
- cost: how many objects an operation may return, in the manner of GitHub's node limit: a
  connection multiplies what it selects by its `first` or `last`, `nodes` and `_entities` by
  how many ids or representations they are given, any other list by LIST_ESTIMATE, and the
  analyses over the whole record weigh ANALYSIS_WEIGHT each; an operation that reads the
  record as it stood at a past instant (`asOf`) weighs AS_OF_WEIGHT more, once, for the copy
  of the record it may have to build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    StringValueNode,
    ValidationContext,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)

LIST_ESTIMATE = 10
"""How many items a plain list field (a measure's citations, a statement's measures) is taken to hold."""
ANALYSIS_WEIGHT = 100
"""What an analysis of the whole record (rankings, timeline, balance, threads) costs beyond its objects."""
ANALYSES = frozenset({"reciprocityThread", "bilateralBalance", "timeline", "rankings", "tally", "tallies", "compare"})
AS_OF = "asOf"
AS_OF_WEIGHT = 500
"""What reading the record at a past instant costs beyond its fields (five analyses' worth, 5 rate points): its
answer may need a copy of the record undone to that instant. The copies are built one at a time and a few kept
(persistence/read/as_of.py), so a caller asking a new instant each time holds at most one build's worth of the
server, and pays more of its rate budget for it than for an ordinary read."""
PAGING = ("first", "last")
LISTED_BY = {"nodes": "ids", "_entities": "representations"}
"""Root fields that answer one object per item of an argument: `nodes(ids:)`, and a federation router's
`_entities(representations:)`, which may ask a page of entities at once."""
META_FIELDS = {"__schema": 1000, "__type": 10}
"""What introspecting the whole schema, or one type, costs."""

Definition = OperationDefinitionNode | FragmentDefinitionNode


def _introspection(name: str) -> bool:
    return name.startswith("__")


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in context.document.definitions if isinstance(d, FragmentDefinitionNode)}


def _operations(context: ValidationContext) -> list[OperationDefinitionNode]:
    return [d for d in context.document.definitions if isinstance(d, OperationDefinitionNode)]


class _Memo:
    """A measure of selection sets, memoised per fragment; a fragment met again while it is being
    measured (a cycle, which the specification's own rule reports) counts as nothing."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], measure: Callable[[SelectionSetNode], int]) -> None:
        self.fragments = fragments
        self.measure = measure
        self.known: dict[str, int] = {}
        self.open: set[str] = set()

    def spread(self, name: str) -> int:
        if name in self.known:
            return self.known[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.open:
            return 0
        self.open.add(name)
        value = self.measure(fragment.selection_set)
        self.open.discard(name)
        self.known[name] = value
        return value


def depth_rule(max_depth: int) -> type[ASTValidationRule]:
    """Refuse an operation whose fields with selections nest deeper than `max_depth`."""

    class DepthLimit(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)

            def height(selections: SelectionSetNode) -> int:
                deepest = 0
                for selection in selections.selections:
                    if isinstance(selection, FieldNode):
                        if selection.selection_set is not None and not _introspection(selection.name.value):
                            deepest = max(deepest, 1 + height(selection.selection_set))
                    elif isinstance(selection, InlineFragmentNode):
                        deepest = max(deepest, height(selection.selection_set))
                    elif isinstance(selection, FragmentSpreadNode):
                        deepest = max(deepest, memo.spread(selection.name.value))
                return deepest

            memo = _Memo(_fragments(context), height)
            for operation in _operations(context):
                if height(operation.selection_set) > max_depth:
                    name = operation.name.value if operation.name else "anonymous"
                    context.report_error(GraphQLError(f"'{name}' exceeds maximum operation depth of {max_depth}", operation))

    return DepthLimit


def aliases_rule(max_aliases: int) -> type[ASTValidationRule]:
    """Refuse a document whose operations select more than `max_aliases` aliased fields, fragments expanded."""

    class AliasLimit(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)

            def count(selections: SelectionSetNode) -> int:
                total = 0
                for selection in selections.selections:
                    if isinstance(selection, FieldNode):
                        total += 1 if selection.alias else 0
                        if selection.selection_set is not None:
                            total += count(selection.selection_set)
                    elif isinstance(selection, InlineFragmentNode):
                        total += count(selection.selection_set)
                    elif isinstance(selection, FragmentSpreadNode):
                        total += memo.spread(selection.name.value)
                return total

            memo = _Memo(_fragments(context), count)
            total = sum(count(operation.selection_set) for operation in _operations(context))
            if total > max_aliases:
                context.report_error(GraphQLError(f"{total} aliases found. Allowed: {max_aliases}"))

    return AliasLimit


MAX_REPEATS = 100
"""Most fields in a document that repeat a response name already selected beside them. The specification's rule
that such fields can be merged compares them in pairs: 700 copies of one field cost 1.5 s of CPU to validate."""


def repeated_fields(document: Any) -> int:
    """How many fields repeat a response name selected beside them (in one selection set, its inline fragments
    included); a walk of the document without recursion."""
    repeats = 0
    stack: list[SelectionSetNode] = [d.selection_set for d in document.definitions if hasattr(d, "selection_set")]
    while stack:
        seen: set[str] = set()
        level = [stack.pop()]
        while level:
            for selection in level.pop().selections:
                if isinstance(selection, FieldNode):
                    name = (selection.alias or selection.name).value
                    repeats += name in seen
                    seen.add(name)
                    if selection.selection_set is not None:
                        stack.append(selection.selection_set)
                elif isinstance(selection, InlineFragmentNode):
                    level.append(selection.selection_set)
    return repeats


def unsafe_text(text: str) -> str | None:
    """Why a string cannot be stored as text (a NUL, or half of a UTF-16 surrogate pair), or None."""
    if "\x00" in text:
        return "contains a NUL character"
    if any("\ud800" <= character <= "\udfff" for character in text):
        return "contains a lone UTF-16 surrogate, which is not a character"
    return None


class TextArgumentsRule(ASTValidationRule):
    """Refuse a string literal of a query that no record could hold, naming the argument it was given for.

    Mutations check their text themselves, field by field, and answer with a typed ValidationError."""

    mutation = False

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        self.mutation = node.operation is OperationType.MUTATION

    def enter_fragment_definition(self, *_: Any) -> None:
        self.mutation = False

    def enter_argument(self, node: Any, *_: Any) -> None:
        if self.mutation:
            return
        for text in _strings(node.value):
            reason = unsafe_text(text)
            if reason is not None:
                self.report_error(
                    GraphQLError(
                        f"Argument '{node.name.value}' {reason}.",
                        node,
                        extensions={"code": "BAD_USER_INPUT", "argument": node.name.value},
                    )
                )
                return


def _strings(value: ValueNode) -> Iterable[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, StringValueNode):
            yield item.value
        elif isinstance(item, ListValueNode):
            stack.extend(item.values)
        elif isinstance(item, ObjectValueNode):
            stack.extend(field.value for field in item.fields)


def unsafe_variable(variables: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first variable holding a string no record could hold, and why; walked without recursion."""
    for name, value in variables.items():
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                reason = unsafe_text(item)
                if reason is not None:
                    return name, reason
            elif isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return None


@dataclass(frozen=True, slots=True)
class CostLimitExceeded:
    """An operation that may return more than the server's limit."""

    cost: int
    limit: int

    def error(self) -> GraphQLError:
        return GraphQLError(
            f"This query may return {self.cost:,} objects, more than the limit of {self.limit:,} per request. "
            "Ask for smaller pages (`first`/`last`) or fewer nested lists, and page through the rest.",
            extensions={"code": "COST_LIMIT_EXCEEDED", "cost": self.cost, "limit": self.limit},
        )


def _argument(node: FieldNode, name: str, variables: Mapping[str, Any]) -> Any:
    for argument in node.arguments or ():
        if argument.name.value == name:
            value = argument.value
            if isinstance(value, VariableNode):
                return variables.get(value.name.value)
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, ListValueNode):
                return list(value.values)  # graphql-core keeps a literal list's items in a tuple
            if isinstance(value, BooleanValueNode | StringValueNode):
                return value.value
            return None
    return None


def _skipped(node: SelectionNode, variables: Mapping[str, Any]) -> bool:
    for directive in node.directives or ():
        if directive.name.value in ("skip", "include") and directive.arguments:
            value = directive.arguments[0].value
            flag = variables.get(value.name.value) if isinstance(value, VariableNode) else getattr(value, "value", None)
            if (directive.name.value == "skip") == bool(flag):
                return True
    return False


class QueryCost:
    """The cost of one operation of a valid document under given variables; linear in the document's size."""

    def __init__(self, schema: GraphQLSchema, *, page_default: int) -> None:
        self.schema = schema
        self.page_default = page_default

    def __call__(self, document: Any, operation_name: str | None, variables: Mapping[str, Any] | None) -> int:
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        chosen = [o for o in operations if operation_name is None or (o.name is not None and o.name.value == operation_name)]
        if not chosen:
            return 0
        operation = chosen[0]
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        values = variables or {}
        known: dict[tuple[str, str, int | None], int] = {}
        open_: set[tuple[str, str, int | None]] = set()

        def field_cost(parent: GraphQLNamedType, node: FieldNode, page: int | None) -> int:
            name = node.name.value
            fields: dict[str, GraphQLField] = getattr(parent, "fields", {})
            if parent is root and name in META_FIELDS:
                # graphql-core's own rule bounds how deep introspection nests, so its answer is bounded by the schema.
                return META_FIELDS[name]
            definition = fields.get(name)
            if definition is None or node.selection_set is None:
                return 0
            returned = get_nullable_type(definition.type)
            target = get_named_type(returned)
            if is_leaf_type(target):
                return 0
            many = 1
            inner_page: int | None = None
            if is_list_type(returned):
                many = page if page is not None else LIST_ESTIMATE
                if name in LISTED_BY and parent is root:
                    listed = _argument(node, LISTED_BY[name], values)
                    many = len(listed) if isinstance(listed, list) else LIST_ESTIMATE
                if name == "rankings":
                    limit = _argument(node, "limit", values)
                    many = limit if isinstance(limit, int) else LIST_ESTIMATE
            if any(arg in definition.args for arg in PAGING):
                sizes = [_argument(node, arg, values) for arg in PAGING]
                given = [size for size in sizes if isinstance(size, int)]
                inner_page = max(0, given[0]) if given else self.page_default
            own = many * (1 + (ANALYSIS_WEIGHT if parent is root and name in ANALYSES else 0))
            return own + many * selection_cost(target, node.selection_set, inner_page)

        def selection_cost(parent: GraphQLNamedType, selections: SelectionSetNode, page: int | None) -> int:
            total = 0
            for selection in selections.selections:
                if _skipped(selection, values):
                    continue
                if isinstance(selection, FieldNode):
                    total += field_cost(parent, selection, page)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    typed = self.schema.get_type(condition.name.value) if condition is not None else parent
                    total += selection_cost(typed or parent, selection.selection_set, page)
                elif isinstance(selection, FragmentSpreadNode):
                    total += spread_cost(selection.name.value, page)
            return total

        def spread_cost(name: str, page: int | None) -> int:
            fragment = fragments.get(name)
            if fragment is None:
                return 0
            key = (name, fragment.type_condition.name.value, page)
            if key in known:
                return known[key]
            if key in open_:
                return 0
            open_.add(key)
            typed = self.schema.get_type(fragment.type_condition.name.value)
            value = selection_cost(typed, fragment.selection_set, page) if typed is not None else 0
            open_.discard(key)
            known[key] = value
            return value

        cost = selection_cost(root, operation.selection_set, None)
        if any(_argument(node, AS_OF, values) is not None for node in _root_fields(operation.selection_set, fragments, values)):
            cost += AS_OF_WEIGHT
        return cost


def _root_fields(
    selections: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]
) -> Iterable[FieldNode]:
    """The root fields an operation selects, through its fragments (each named fragment once), skipping what it skips."""
    pending, seen = [selections], set()
    while pending:
        for selection in pending.pop().selections:
            if _skipped(selection, variables):
                continue
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments and selection.name.value not in seen:
                seen.add(selection.name.value)
                pending.append(fragments[selection.name.value].selection_set)
