"""The executor's relation loading: a relation of a batch of records is fetched by its domain name through the read
session's `RelatedRecords` port (the store's one declaration of every relation, which the compiled reader's joins come
from too), and each related record is wrapped in its GraphQL type.

A fetch takes the parents' domain entities and answers, in the same order, each parent's related
record (or None) or list of records: one batched query per relation and level, whatever the number of parents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from domain.ports import Repositories, Repository
from domain.read.plans import Record
from domain.record.kinds import KINDS, TYPES
from domain.store import ReadRepositories


def _repository(attribute: str) -> Callable[[Repositories], Repository[Any, Any]]:
    return lambda repositories: getattr(repositories, attribute)


REPOSITORIES: dict[Record, Callable[[Repositories], Repository[Any, Any]]] = {
    record: _repository(TYPES[record.value].repository) for record in Record
}
"""The repository that holds each type of record read: its kind's, from the registry."""


@cache
def builders() -> dict[type, Callable[[Any], Any]]:
    """Each domain entity's GraphQL type builder (imported late: the types load their relations through this module)."""
    from api.graphql.types.records import BUILDERS

    return {KINDS[name].entity: build for name, build in BUILDERS.items()}


async def fetch(repositories: ReadRepositories, owner: Record, name: str, parents: Sequence[Any]) -> list[Any]:
    """Relation `name` of each of `parents` (records of kind `owner`), in their GraphQL types."""
    build = builders()
    values = await repositories.relations.fetch(owner, name, parents)
    return [[build[type(one)](one) for one in value] if isinstance(value, list) else _one(build, value) for value in values]


def _one(build: dict[type, Callable[[Any], Any]], entity: Any) -> Any:
    return None if entity is None else build[type(entity)](entity)
