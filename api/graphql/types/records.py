"""The GraphQL type of every kind of record, in the registry's order: the Actor kind has two, State and Organisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strawberry.types.base import get_object_definition

from api.graphql.types.actors import Actor as Actor  # the relations' lazy types (preloading.relation) find it here
from api.graphql.types.actors import Organisation, State, actor_type
from api.graphql.types.expulsions import Expulsion, Wave
from api.graphql.types.memberships import Membership
from api.graphql.types.missions import Diplomat, Mission
from api.graphql.types.statements import Citation, Source, Statement
from domain.record.kinds import ACTOR, KINDS, TYPES, Kind

RECORD_TYPES: tuple[type, ...] = (State, Organisation, Mission, Diplomat, Wave, Expulsion, Source, Statement, Citation, Membership)
"""Each type of record of the registry (`Kind.types`), in its order."""

NAMED: dict[str, type] = {get_object_definition(cls, strict=True).name: cls for cls in RECORD_TYPES}
assert list(NAMED) == list(TYPES), "the GraphQL types of records are the registry's types, in its order"


def _builder(kind: Kind) -> Callable[[Any], Any]:
    if kind is ACTOR:
        return actor_type  # an actor's own kind picks State or Organisation
    build: Callable[[Any], Any] = NAMED[kind.name].from_domain  # type: ignore[attr-defined]
    return build


BUILDERS: dict[str, Callable[[Any], Any]] = {name: _builder(kind) for name, kind in KINDS.items()}
"""How a domain entity of each kind, by the kind's name, becomes its GraphQL type."""
