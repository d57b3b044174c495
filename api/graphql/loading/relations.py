"""The executor's relation loading, derived from the one declaration of every relation
(`persistence.read.model.RELATIONS`), which the compiled reader's joins come from too.

A relation's fetch takes the parents' domain entities and answers, in the same order, each
parent's related record (or None) or list of records, wrapped in their GraphQL types: one
batched query per relation and level, whatever the number of parents.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from typing import Any

from strawberry.utils.str_converters import to_camel_case

from persistence.read.model import ACTOR, CITATION, DIPLOMAT, EXPULSION, MISSION, RELATIONS, SOURCE, STATEMENT, WAVE, Linked, ToOne
from persistence.write.unit_of_work import SqlRepositories

Fetch = Callable[[SqlRepositories, Sequence[Any]], Awaitable[list[Any]]]
"""Parents' domain entities -> the relation's value for each parent, in the same order."""

REPOSITORIES: dict[str, Callable[[SqlRepositories], Any]] = {
    ACTOR: lambda r: r.actors,
    MISSION: lambda r: r.missions,
    DIPLOMAT: lambda r: r.diplomats,
    EXPULSION: lambda r: r.expulsions,
    WAVE: lambda r: r.waves,
    STATEMENT: lambda r: r.statements,
    SOURCE: lambda r: r.sources,
    CITATION: lambda r: r.citations,
}


@cache
def builders() -> dict[str, Callable[[Any], Any]]:
    """Each table's GraphQL type builder (imported late: the types load their relations through this module)."""
    from api.graphql.types.actors import actor_type
    from api.graphql.types.expulsions import Expulsion, Wave
    from api.graphql.types.missions import Diplomat, Mission
    from api.graphql.types.statements import Citation, Source, Statement

    return {
        ACTOR: actor_type,
        MISSION: Mission.from_domain,
        DIPLOMAT: Diplomat.from_domain,
        EXPULSION: Expulsion.from_domain,
        WAVE: Wave.from_domain,
        STATEMENT: Statement.from_domain,
        SOURCE: Source.from_domain,
        CITATION: Citation.from_domain,
    }


@cache
def fetch(owner: str, name: str) -> Fetch:
    """How to load relation `name` of records of table `owner` for a batch of them."""
    relation = RELATIONS[owner][name]
    build = builders()[relation.target]
    repository = REPOSITORIES[relation.target]

    if isinstance(relation, ToOne):
        column = relation.column

        async def one(repositories: SqlRepositories, parents: Sequence[Any]) -> list[Any]:
            keys = {key for key in (getattr(parent, column) for parent in parents) if key is not None}
            if relation.key == "code":
                found = await repositories.actors.get_by_codes(keys)
            else:
                found = await repository(repositories).get_many(keys)
            return [build(found[key]) if key in found else None for key in (getattr(parent, column) for parent in parents)]

        return one

    async def many(repositories: SqlRepositories, parents: Sequence[Any]) -> list[Any]:
        ids = [parent.id for parent in parents]
        if isinstance(relation, Linked):
            by_parent = await repository(repositories).linked(relation.link, relation.owner, relation.other, ids)
        else:
            by_parent = await repository(repositories).referencing(relation.column, ids)
        return [[build(entity) for entity in by_parent.get(parent.id, [])] for parent in parents]

    return many


def by_field(owner: str) -> dict[str, tuple[str, Fetch]]:
    """The relations of table `owner` by their GraphQL field name: (attribute name, fetch)."""
    return {to_camel_case(name): (name, fetch(owner, name)) for name in RELATIONS.get(owner, {})}
