"""The Strawberry schema: queries, mutations, the limits every request is held to, and its face as a federation subgraph."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, Literal

import strawberry
import strawberry.federation
from graphql import GraphQLError, GraphQLNamedType, GraphQLObjectType, GraphQLSchema, print_schema
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.federation.schema import FederationAny
from strawberry.federation.schema_directives import Key
from strawberry.types import ExecutionContext
from strawberry.types.base import get_object_definition

from api.graphql.analysis import AnalysisQueries
from api.graphql.as_of import AsOfResults, with_as_of
from api.graphql.context import Info
from api.graphql.errors import ConflictError, NotFoundError, UnavailableError, ValidationError, VersionConflictError, should_mask
from api.graphql.history import HistoryMutations, HistoryQueries
from api.graphql.mutations.actors import ActorMutations
from api.graphql.mutations.expulsions import ExpulsionMutations
from api.graphql.mutations.memberships import MembershipMutations
from api.graphql.mutations.missions import MissionMutations
from api.graphql.mutations.statements import StatementMutations
from api.graphql.queries import Query
from api.graphql.search import SearchQueries
from api.graphql.types.history import HistoryEntry
from api.graphql.types.records import RECORD_TYPES
from api.limits.access import ForbiddenError, ReadAccess, RequireRole, UnauthenticatedError, guard_fields
from api.limits.cost import TextArgumentsRule, aliases_rule, depth_rule
from api.limits.documents import Documents, PreparedDocuments
from api.live.subscriptions import Subscription
from domain.access import Role
from domain.errors import Code, InvalidInput


@strawberry.type(description="Every change to the record; each runs in one transaction and returns the record or a typed failure.")
class Mutation(ActorMutations, MissionMutations, ExpulsionMutations, StatementMutations, MembershipMutations, HistoryMutations):
    pass


@strawberry.type(
    description=(
        "Everything Demarche can be asked: records, lists, and analyses of the whole record. Every root field is nullable: "
        "a field that fails answers null, with its error in `errors`, and the other fields still answer."
    )
)
class Root(Query, AnalysisQueries, HistoryQueries, SearchQueries):
    pass


NODE_TYPES = [*RECORD_TYPES, HistoryEntry]
ERROR_TYPES = [ValidationError, NotFoundError, ConflictError, VersionConflictError, UnavailableError, UnauthenticatedError, ForbiddenError]


FEDERATION_VERSION: Literal["2.0"] = "2.0"
"""The federation spec the subgraph links: the oldest that has everything it uses (`@key`), so any Federation 2 router takes it."""
FEDERATION_FIELDS = frozenset({"_entities", "_service"})
"""The root fields Apollo Federation adds for a router: they are not part of the API clients call (see `client_schema`)."""
FEDERATION_TYPES = frozenset({"_Any", "_Entity", "_Service", "_FieldSet", "link__Import", "link__Purpose"})
"""The types those fields and federation's directives need."""
FEDERATION_DIRECTIVES = frozenset({"key", "link"})
"""Federation's directives this subgraph uses: `@link` imports the federation spec, `@key` names each entity's key."""


class DemarcheSchema(strawberry.federation.Schema):
    """An Apollo Federation 2 subgraph (`_service`, `_entities`, and each entity type's `@key`) that logs only
    unexpected errors (MaskErrors already logged each with its traceback); a client's bad input is answered, not logged."""

    documents: Documents
    """Every document's one parse and validation, with the limits below."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        return None

    def _get_federation_query_type(self, query: Any, *rest: Any) -> type:
        # Strawberry's hook (its version is pinned) merges its two fields into a root type it calls Query; ours keeps its
        # published name, Root (test_contract fails otherwise), and the two fields are guarded like every other root
        # field (a router reads with a reader's token where reads need one).
        merged: type = super()._get_federation_query_type(query, *rest)
        definition = get_object_definition(merged, strict=True)
        definition.name = get_object_definition(query, strict=True).name
        for field in definition.fields:
            if field.name in FEDERATION_DESCRIPTIONS:
                field.description = FEDERATION_DESCRIPTIONS[field.name]
        guard_fields(definition.fields, ReadAccess, ReadAccess)
        return merged

    def entities_resolver(self, info: Info, representations: list[FederationAny]) -> list[FederationAny]:
        # As `nodes` does, at most a page of records at once; each representation loads through the request's loaders,
        # so a batch of them costs one query per kind. Strawberry takes each representation apart: it gets a copy.
        if len(representations) > info.context.settings.max_page_size:
            raise InvalidInput("representations", f"ask for at most {info.context.settings.max_page_size} entities at once", Code.TOO_MANY)
        keys = self.entity_keys
        copies: list[FederationAny] = []
        for representation in representations:
            given: Any = representation
            key = keys.get(str(given.get("__typename"))) if isinstance(given, dict) else None
            if key is None:
                raise InvalidInput(
                    "representations", f"each representation names one of {', '.join(keys)} as its `__typename`", Code.INVALID_SHAPE
                )
            if set(given) != {"__typename", key} or not isinstance(given[key], str):
                raise InvalidInput(
                    "representations",
                    f"a representation of {given['__typename']} gives its `{key}`, a string, and no more",
                    Code.INVALID_SHAPE,
                )
            copies.append(FederationAny(dict(given)))
        return super().entities_resolver(info, copies)

    @functools.cached_property
    def entity_keys(self) -> dict[str, str]:
        """Each entity type's key field, by the type's name: what a representation of it gives."""
        return {
            name: str(directive.fields)
            for name, kind in self.schema_converter.type_map.items()
            for directive in getattr(kind.definition, "directives", None) or ()
            if isinstance(directive, Key)
        }


FEDERATION_DESCRIPTIONS = {
    "_entities": (
        "For a federation router: the entities named by these representations (`__typename` and the type's key), "
        "in order; null for each that does not exist."
    ),
    "_service": "For a federation router: this subgraph's SDL, with its `@link` and `@key`s (as in schema.subgraph.graphql).",
}


def build_schema(
    *, max_depth: int = 12, max_aliases: int = 30, max_tokens: int = 5000, page_default: int = 100, tracing: bool = False
) -> DemarcheSchema:
    """The schema with its request limits; unexpected errors reach clients only as 'Unexpected error.'.

    With `tracing`, every operation the executor runs is an OpenTelemetry span (needs the `otel` extra).
    """
    # Every root field is guarded: reads by ReadAccess, mutations by the editor role unless they ask for more.
    guard_fields(get_object_definition(Root, strict=True).fields, ReadAccess, ReadAccess)
    guard_fields(get_object_definition(Mutation, strict=True).fields, lambda: RequireRole(Role.EDITOR), RequireRole)
    with_as_of(get_object_definition(Root, strict=True).fields)  # every root read field answers for a past instant too
    schema = DemarcheSchema(
        federation_version=FEDERATION_VERSION,
        query=Root,
        mutation=Mutation,
        subscription=Subscription,
        types=[*NODE_TYPES, *ERROR_TYPES],
        extensions=[
            # Factories, not instances: Strawberry makes fresh extensions for every request; they all
            # share the schema's one cache of parsed and validated documents.
            lambda: PreparedDocuments(schema.documents),
            partial(MaskErrors, should_mask_error=should_mask),
            AsOfResults,
            *([_operation_spans()] if tracing else []),
        ],
    )
    rules = (depth_rule(max_depth), aliases_rule(max_aliases), TextArgumentsRule)
    schema.documents = Documents(schema._schema, rules, max_tokens=max_tokens, page_default=page_default)
    return schema


def _operation_spans() -> Callable[[], SchemaExtension]:
    from strawberry.extensions.tracing import OpenTelemetryExtension

    # Arguments stay out of the spans: they are the variables' values.
    return partial(OpenTelemetryExtension, arg_filter=lambda _arguments, _info: {})


def client_schema(schema: GraphQLSchema) -> GraphQLSchema:
    """The schema as clients call it: without what federation adds for a router (`_entities`, `_service` and their types)."""
    root = schema.query_type
    assert root is not None
    query = GraphQLObjectType(
        root.name,
        {name: field for name, field in root.fields.items() if name not in FEDERATION_FIELDS},
        interfaces=root.interfaces,
        description=root.description,
    )
    # In name order, as Strawberry prints them.
    kept: Iterable[GraphQLNamedType] = (
        query if kind is root else kind
        for name, kind in sorted(schema.type_map.items())
        if name not in FEDERATION_TYPES and not name.startswith("__")
    )
    return GraphQLSchema(
        query=query,
        mutation=schema.mutation_type,
        subscription=schema.subscription_type,
        types=list(kept),
        directives=[directive for directive in schema.directives if directive.name not in FEDERATION_DIRECTIVES],
        description=schema.description,
    )


def sdl() -> str:
    """The schema clients call, as SDL, as committed in schema.graphql: without federation's additions."""
    return print_schema(client_schema(build_schema()._schema)) + "\n"


def subgraph_sdl() -> str:
    """The schema as an Apollo Federation 2 subgraph, as `_service { sdl }` answers and schema.subgraph.graphql holds it."""
    return build_schema().as_str() + "\n"
