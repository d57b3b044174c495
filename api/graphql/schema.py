"""The Strawberry schema: queries, mutations, and the limits every request is held to."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.base import get_object_definition

from api.graphql.analysis import AnalysisQueries
from api.graphql.as_of import AsOfResults, with_as_of
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


class DemarcheSchema(strawberry.Schema):
    """Logs only unexpected errors (MaskErrors already logged each with its traceback); a client's
    bad input is answered, not logged."""

    documents: Documents
    """Every document's one parse and validation, with the limits below."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        return None


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


def sdl() -> str:
    """The schema as SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"
