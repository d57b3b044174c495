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
from domain.record.actors import Actor
from domain.record.diplomats import Diplomat
from domain.record.expulsions import Expulsion, Wave
from domain.record.missions import Mission
from domain.record.sources import Citation, Source
from domain.record.statements import Statement
from domain.store import ReadRepositories

REPOSITORIES: dict[Record, Callable[[Repositories], Repository[Any, Any]]] = {
    Record.STATE: lambda r: r.actors,
    Record.ORGANISATION: lambda r: r.actors,
    Record.MISSION: lambda r: r.missions,
    Record.DIPLOMAT: lambda r: r.diplomats,
    Record.EXPULSION: lambda r: r.expulsions,
    Record.WAVE: lambda r: r.waves,
    Record.STATEMENT: lambda r: r.statements,
    Record.SOURCE: lambda r: r.sources,
    Record.CITATION: lambda r: r.citations,
}
"""The repository that holds each kind of record."""


@cache
def builders() -> dict[type, Callable[[Any], Any]]:
    """Each domain entity's GraphQL type builder (imported late: the types load their relations through this module)."""
    from api.graphql.types import actors, expulsions, missions, statements

    return {
        Actor: actors.actor_type,
        Mission: missions.Mission.from_domain,
        Diplomat: missions.Diplomat.from_domain,
        Expulsion: expulsions.Expulsion.from_domain,
        Wave: expulsions.Wave.from_domain,
        Statement: statements.Statement.from_domain,
        Source: statements.Source.from_domain,
        Citation: statements.Citation.from_domain,
    }


async def fetch(repositories: ReadRepositories, owner: Record, name: str, parents: Sequence[Any]) -> list[Any]:
    """Relation `name` of each of `parents` (records of kind `owner`), in their GraphQL types."""
    build = builders()
    values = await repositories.relations.fetch(owner, name, parents)
    return [[build[type(one)](one) for one in value] if isinstance(value, list) else _one(build, value) for value in values]


def _one(build: dict[type, Callable[[Any], Any]], entity: Any) -> Any:
    return None if entity is None else build[type(entity)](entity)
