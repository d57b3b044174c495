"""The executor's relation loading, derived from the one declaration of every relation
(the registry's, `domain.record.kinds`, on the storage `persistence.read.model.RELATIONS` puts it on),
which the compiled reader's joins come from too.

A relation's fetch takes the parents' domain entities and answers, in the same order, each
parent's related record (or None) or list of records, wrapped in their GraphQL types: one
batched query per relation and level, whatever the number of parents.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from typing import Any

from strawberry.utils.str_converters import to_camel_case

from domain.record.kinds import KINDS, Kind
from persistence.read.model import RELATIONS, Linked, ToOne
from persistence.write import storage
from persistence.write.unit_of_work import SqlRepositories

Fetch = Callable[[SqlRepositories, Sequence[Any]], Awaitable[list[Any]]]
"""Parents' domain entities -> the relation's value for each parent, in the same order."""


def repository(kind: Kind) -> Callable[[SqlRepositories], Any]:
    """How to find the repository of `kind` among a request's repositories."""
    return lambda repositories: getattr(repositories, kind.repository)


REPOSITORIES: dict[str, Callable[[SqlRepositories], Any]] = {storage.table(kind).name: repository(kind) for kind in KINDS.values()}
"""The repository of each kind, by the name of its table."""


@cache
def builders() -> dict[str, Callable[[Any], Any]]:
    """Each kind's GraphQL type builder, by the kind's name (imported late: the types load their relations through this module)."""
    from api.graphql.types.records import BUILDERS

    return BUILDERS


@cache
def fetch(owner: Kind, name: str) -> Fetch:
    """How to load relation `name` of records of kind `owner` for a batch of them."""
    relation = RELATIONS[owner][name]
    build = builders()[relation.target.name]
    found_in = repository(relation.target)

    if isinstance(relation, ToOne):
        column = relation.column

        async def one(repositories: SqlRepositories, parents: Sequence[Any]) -> list[Any]:
            keys = {key for key in (getattr(parent, column) for parent in parents) if key is not None}
            if relation.key == "code":
                found = await repositories.actors.get_by_codes(keys)
            else:
                found = await found_in(repositories).get_many(keys)
            return [build(found[key]) if key in found else None for key in (getattr(parent, column) for parent in parents)]

        return one

    async def many(repositories: SqlRepositories, parents: Sequence[Any]) -> list[Any]:
        ids = [parent.id for parent in parents]
        if isinstance(relation, Linked):
            by_parent = await found_in(repositories).linked(relation.link, relation.owner, relation.other, ids)
        else:
            by_parent = await found_in(repositories).referencing(relation.column, ids)
        return [[build(entity) for entity in by_parent.get(parent.id, [])] for parent in parents]

    return many


def by_field(owner: Kind) -> dict[str, tuple[str, Fetch]]:
    """The relations of kind `owner` by their GraphQL field name: (attribute name, fetch)."""
    return {to_camel_case(name): (name, fetch(owner, name)) for name in RELATIONS[owner]}
