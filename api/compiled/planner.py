"""The planner: a validated GraphQL query, with its variables, becomes one read plan per root field.

It walks the document as graphql-core's executor would (the same field collection, so aliases,
fragments, inline fragments, `@skip`/`@include` and default arguments mean the same), and maps
each selected field to the domain's word for it through the Strawberry definitions. Whatever it
cannot map exactly raises `Unanswerable`, and the request goes to the executor instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
)
from graphql.execution.collect_fields import FieldDetailsList, collect_fields, collect_subfields
from graphql.execution.executor import Executor
from graphql.execution.values import get_argument_values
from strawberry import relay
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from api.graphql.listings import LISTINGS, for_caller
from api.graphql.types.nodes import node_ids
from api.settings import Settings
from domain.read.pagination import PageRequest, decode_cursor
from domain.read.plans import (
    Bound,
    ByCode,
    ById,
    Composite,
    Constant,
    Cursor,
    Edges,
    Ends,
    Field,
    GlobalId,
    Item,
    Items,
    Listing,
    NeverAnswerable,
    ReadPlan,
    Record,
    Related,
    Several,
    Shape,
    Total,
    Unanswerable,
    Value,
    Withheld,
)
from domain.record.actors import normalise_code

VALUE_OBJECTS = frozenset({"PartialDate", "Headcount"})
RECORD_TYPES = {record.value: record for record in Record}
PAGE_ENDS = {
    "hasNextPage": Bound.HAS_NEXT,
    "hasPreviousPage": Bound.HAS_PREVIOUS,
    "startCursor": Bound.START_CURSOR,
    "endCursor": Bound.END_CURSOR,
}
PAGE_ARGUMENTS = ("first", "after", "last", "before")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Planned:
    """A query's root fields by response key: a read plan to answer, or a JSON text known already."""

    fields: list[tuple[str, ReadPlan | str]]


def _named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _definition(field: GraphQLField) -> StrawberryField:
    found = field.extensions.get("strawberry-definition")
    if not isinstance(found, StrawberryField):
        raise Unanswerable("a field Strawberry did not define")
    return found


async def _written(field: str, code: str | None, /, *, members: bool = False) -> str | None:
    """A code as written (normalised); the compiled reader looks it up in its own statement (and there finds whether an
    organisation's members are recorded, when they must be)."""
    return None if code is None else normalise_code(field, code)


class Planner:
    """Plans queries against one schema; a plan is made per request, from the document's cached validation."""

    def __init__(
        self,
        schema: GraphQLSchema,
        converted: Callable[[StrawberryField, dict[str, Any]], dict[str, Any]],
        settings: Settings,
        shapes: dict[tuple[str, str], Any] | None = None,
        *,
        personal: bool = False,
    ):
        self.schema = schema
        self.converted = converted
        self.settings = settings
        self.personal = personal
        """Whether the caller may read personal fields; a plan for one who may not leaves them to the executor's guard."""
        self.shapes = {} if shapes is None else shapes
        """What each root field selects, by response key (and node type): the same for every request of one
        document, operation and `@skip`/`@include` variables, so the caller may keep it across requests."""

    async def plan(self, document: Any, variables: dict[str, Any] | None, operation_name: str | None) -> Planned:
        built = Executor.build(self.schema, document, raw_variable_values=variables, operation_name=operation_name)
        if isinstance(built, list):
            raise Unanswerable("the operation or its variables are not valid")
        operation: OperationDefinitionNode = built.operation
        if operation.operation is not OperationType.QUERY:
            raise NeverAnswerable("not a query")
        if any(details.variable_signatures for details in built.fragments.values()):
            raise NeverAnswerable("fragment variables")
        root = self.schema.query_type
        assert root is not None
        walk = _Walk(self.schema, built, personal=self.personal)
        collected = collect_fields(self.schema, built.fragments, built.variable_values, root, operation)
        if collected.new_defer_usages:
            raise Unanswerable("@defer")
        fields: list[tuple[str, ReadPlan | str]] = []
        for key, details in collected.grouped_field_set.items():
            name = details[0].node.name.value
            if name == "__typename":
                fields.append((key, f'"{root.name}"'))
                continue
            field = root.fields.get(name)
            if field is None:
                raise NeverAnswerable(f"root field {name}")
            arguments = get_argument_values(field, details[0].node, built.variable_values, details[0].fragment_variable_values)
            kwargs = self.converted(_definition(field), arguments)
            kwargs.pop("as_of", None)  # the request's read session is already on the instant it names
            fields.append((key, await self.root(walk, key, _definition(field).python_name, field, kwargs, details)))
        return Planned(fields)

    def remembered(self, key: str, variant: str, make: Callable[[], Any]) -> Any:
        found = self.shapes.get((key, variant))
        if found is None:
            found = self.shapes[(key, variant)] = make()
        return found

    async def root(
        self, walk: _Walk, key: str, name: str | None, field: GraphQLField, kwargs: dict[str, Any], details: FieldDetailsList
    ) -> ReadPlan | str:
        returns = _named(field.type)
        if name in LISTINGS:
            paging = {argument: kwargs.pop(argument, None) for argument in PAGE_ARGUMENTS}
            query = for_caller(await LISTINGS[name](_written, **kwargs), personal=self.personal)
            page = PageRequest(
                first=paging["first"],
                after=decode_cursor("after", paging["after"], query.order, query.descending),
                last=paging["last"],
                before=decode_cursor("before", paging["before"], query.order, query.descending),
                limit=self.settings.max_page_size,
                order=query.order,
                descending=query.descending,
            )
            return Listing(query.record, query.filter, page, self.remembered(key, "", lambda: walk.page(returns, details)))
        if name == "node":
            return self.node(walk, key, kwargs["id"], details) or "null"
        if name == "nodes":
            ids: list[relay.GlobalID] = kwargs["ids"]
            if len(ids) > self.settings.max_page_size:
                raise Unanswerable("more IDs than one request may ask for")
            return Several(tuple(self.node(walk, key, id, details) for id in ids))
        if name in ("state", "organisation"):
            record = Record.STATE if name == "state" else Record.ORGANISATION
            code: str = kwargs["code"]
            shape = self.remembered(key, "", lambda: walk.shape(self.schema.get_type(record.value), details, only=record))
            return ByCode(code.strip().upper(), shape)
        raise NeverAnswerable(f"root field {name} is not compiled")

    def node(self, walk: _Walk, key: str, id: relay.GlobalID, details: FieldDetailsList) -> ById | None:
        record = RECORD_TYPES.get(id.type_name)
        if record is None:
            raise Unanswerable(f"a node of type {id.type_name}")
        number = node_ids([id.node_id])[0]
        if number is None:
            return None  # as the executor answers: no record has such an id
        return ById(number, self.remembered(key, record.value, lambda: walk.node(record, details)))


class _Walk:
    """Selections under one operation, collected as the executor collects them."""

    def __init__(self, schema: GraphQLSchema, built: Executor[Any], *, personal: bool) -> None:
        self.schema = schema
        self.built = built
        self.personal = personal

    def subfields(self, type_: GraphQLObjectType, details: FieldDetailsList) -> dict[str, FieldDetailsList]:
        collected = collect_subfields(self.schema, self.built.fragments, self.built.variable_values, self.built.operation, type_, details)
        if collected.new_defer_usages:
            raise Unanswerable("@defer")
        for field_details in collected.grouped_field_set.values():
            if field_details[0].node.arguments:
                raise Unanswerable("a field with arguments below the root")
        return collected.grouped_field_set

    def node(self, record: Record, details: FieldDetailsList) -> Shape:
        return self.shape(self.schema.get_type(record.value), details, only=record)

    def shape(self, type_: GraphQLNamedType | None, details: FieldDetailsList, only: Record | None = None) -> Shape:
        if isinstance(type_, GraphQLInterfaceType):
            concrete: Sequence[GraphQLObjectType] = self.schema.get_possible_types(type_)
        elif isinstance(type_, GraphQLObjectType):
            concrete = [type_]
        else:
            raise Unanswerable("a place that holds neither a record nor records")
        variants: list[tuple[Record, tuple[Field, ...]]] = []
        for object_type in concrete:
            record = RECORD_TYPES.get(object_type.name)
            if record is None:
                raise Unanswerable(f"records of type {object_type.name}")
            if only is None or record is only:
                variants.append((record, self.fields(object_type, details)))
        if only is not None and not variants:
            record_type = self.schema.get_type(only.value)
            assert isinstance(record_type, GraphQLObjectType)
            variants.append((only, self.fields(record_type, details)))
        return Shape(tuple(variants))

    def each(
        self, type_: GraphQLObjectType, details: FieldDetailsList, read: Callable[[str, str, FieldDetailsList], R]
    ) -> list[R | Constant]:
        """`read(key, name, details)` of each field selected on `type_`, in order; `__typename` is the type's name."""
        found: list[R | Constant] = []
        for key, field_details in self.subfields(type_, details).items():
            name = field_details[0].node.name.value
            found.append(Constant(key, type_.name) if name == "__typename" else read(key, name, field_details))
        return found

    def fields(self, type_: GraphQLObjectType, details: FieldDetailsList) -> tuple[Field, ...]:
        def read(key: str, name: str, field_details: FieldDetailsList) -> Field:
            field = type_.fields[name]
            python_name = _definition(field).python_name
            if not self.personal and _definition(field).metadata.get("personal"):
                return Withheld(key)  # as the executor's guard answers: null
            returns = _named(field.type)
            if name == "id":
                return GlobalId(key, type_.name)
            if returns.name in VALUE_OBJECTS:
                return Composite(key, python_name, self.parts(returns, field_details))
            if isinstance(returns, GraphQLObjectType | GraphQLInterfaceType):
                return Related(key, python_name, self.shape(returns, field_details))
            return Value(key, python_name)

        return tuple(self.each(type_, details, read))

    def parts(self, type_: GraphQLObjectType, details: FieldDetailsList) -> tuple[Value | Constant, ...]:
        return tuple(self.each(type_, details, lambda key, name, _: Value(key, _definition(type_.fields[name]).python_name)))

    def page(self, type_: GraphQLNamedType, details: FieldDetailsList) -> tuple[Edges | Items | Ends | Total | Constant, ...]:
        assert isinstance(type_, GraphQLObjectType)

        def read(key: str, name: str, field_details: FieldDetailsList) -> Edges | Items | Ends | Total:
            if name == "totalCount":
                return Total(key)
            if name == "nodes":
                return Items(key, self.shape(_named(type_.fields[name].type), field_details))
            if name == "pageInfo":
                info = _named(type_.fields[name].type)
                return Ends(key, tuple(self.each(info, field_details, lambda end_key, end, _: (end_key, PAGE_ENDS[end]))))
            if name == "edges":
                edge = _named(type_.fields[name].type)

                def part(part_key: str, part: str, part_details: FieldDetailsList) -> Cursor | Item:
                    if part == "cursor":
                        return Cursor(part_key)
                    return Item(part_key, self.shape(_named(edge.fields[part].type), part_details))

                return Edges(key, tuple(self.each(edge, field_details, part)))
            raise Unanswerable(f"connection field {name}")

        return tuple(self.each(type_, details, read))


def strawberry_arguments(schema: Any) -> Callable[[StrawberryField, dict[str, Any]], dict[str, Any]]:
    """Arguments as the executor hands them to a resolver: Python names, Strawberry's own types."""

    def convert(field: StrawberryField, arguments: dict[str, Any]) -> dict[str, Any]:
        return convert_arguments(arguments, field.arguments, scalar_registry=schema.schema_converter.scalar_registry, config=schema.config)

    return convert
