"""The Strawberry schema: queries, mutations, and the limits every request is held to."""

from __future__ import annotations

from functools import partial

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import AddValidationRules, MaskErrors, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.types import ExecutionContext
from strawberry.types.base import get_object_definition

from api.access import ForbiddenError, ReadAccess, RequireRole, UnauthenticatedError, guard_fields
from api.analysis import AnalysisQueries
from api.errors import ConflictError, NotFoundError, UnavailableError, ValidationError, VersionConflictError, should_mask
from api.journal import JournalMutations, JournalQueries
from api.mutations.actors import ActorMutations
from api.mutations.expulsions import ExpulsionMutations
from api.mutations.missions import MissionMutations
from api.mutations.statements import StatementMutations
from api.queries import Query
from api.types.actors import Organisation, State
from api.types.expulsions import Expulsion, Wave
from api.types.history import HistoryEntry
from api.types.missions import Diplomat, Mission
from api.types.statements import Citation, Source, Statement
from domain.access import Role


@strawberry.type(description="Every change to the record; each runs in one transaction and returns the record or a typed failure.")
class Mutation(ActorMutations, MissionMutations, ExpulsionMutations, StatementMutations, JournalMutations):
    pass


@strawberry.type(description="Everything Demarche can be asked: records, lists, and analyses of the whole record.")
class Root(Query, AnalysisQueries, JournalQueries):
    pass


NODE_TYPES = [State, Organisation, Mission, Diplomat, Expulsion, Wave, Statement, Source, Citation, HistoryEntry]
ERROR_TYPES = [ValidationError, NotFoundError, ConflictError, VersionConflictError, UnavailableError, UnauthenticatedError, ForbiddenError]


class DemarcheSchema(strawberry.Schema):
    """Logs only unexpected errors (MaskErrors already logged each with its traceback); a client's
    bad input is answered, not logged."""

    limit_rules: tuple[type[ASTValidationRule], ...] = ()
    """The rules every document is validated with beyond the specification's own."""
    max_tokens: int = 0

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        return None


def build_schema(*, max_depth: int = 12, max_aliases: int = 30, max_tokens: int = 5000) -> DemarcheSchema:
    """The schema with its request limits; unexpected errors reach clients only as 'Unexpected error.'."""
    # Every root field is guarded: reads by ReadAccess, mutations by the editor role unless they ask for more.
    guard_fields(get_object_definition(Root, strict=True).fields, ReadAccess, ReadAccess)
    guard_fields(get_object_definition(Mutation, strict=True).fields, lambda: RequireRole(Role.EDITOR), RequireRole)
    depth_rule = depth_validator(max_depth, None, None)
    aliases_rule = aliases_validator(max_aliases)
    schema = DemarcheSchema(
        query=Root,
        mutation=Mutation,
        types=[*NODE_TYPES, *ERROR_TYPES],
        extensions=[
            # Factories, not instances: Strawberry then makes fresh extensions for every request.
            # The limit rules are made once, so the validation cache below sees the same rules
            # every time and validates each document once, not on every request.
            partial(AddValidationRules, [depth_rule, aliases_rule]),
            partial(MaxTokensLimiter, max_token_count=max_tokens),
            partial(MaskErrors, should_mask_error=should_mask),
            # Parsing and validating a document dominate small queries; do it once per document.
            partial(ParserCache, maxsize=256),
            partial(ValidationCache, maxsize=256),
        ],
    )
    schema.limit_rules, schema.max_tokens = (depth_rule, aliases_rule), max_tokens
    return schema


def sdl() -> str:
    """The schema as SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"
