"""Relations a query planned ahead: a resolver returns the preloaded value, or loads it itself."""

from __future__ import annotations

import typing
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import strawberry

from api.graphql.context import Info
from domain.read.plans import Record
from domain.record.kinds import ACTOR, TYPES, followed

PRELOADED = "_preloaded"
T = TypeVar("T")


def preloaded(owner: Any, name: str, load: Callable[[], Awaitable[Any]]) -> Any:
    """The value a prefetch stored for this relation, else the awaitable that loads it.

    Returning a plain value keeps the field synchronous, which spares graphql-core a task
    per field; the fallback serves entry points that did not plan ahead (a `node` lookup).
    """
    store: dict[str, Any] = getattr(owner, PRELOADED)
    if name in store:
        return store[name]
    return load()


def related(owner: Any, info: Any, kind: Record, name: str) -> Any:
    """Relation `name` of a record of `kind`: as preloaded, or loaded through the request's batching loader."""
    store: dict[str, Any] = getattr(owner, PRELOADED)
    if name in store:
        return store[name]
    return info.context.loaders.related(info, kind, name).load(owner._entity)


def with_relations(record: Record) -> Callable[[type[T]], type[T]]:
    """Give a GraphQL type of records a field for each relation of its kind in the registry (domain/record/kinds.py),
    after its own fields; apply it under `strawberry.type`."""

    def give(cls: type[T]) -> type[T]:
        for declared in TYPES[record.value].relations:
            setattr(cls, declared.name, _relation(record, declared.name, declared.description))
        return cls

    return give


def _relation(record: Record, name: str, description: str) -> Any:
    """The GraphQL field of relation `name` of `record`'s kind, preloaded or batch-loaded.

    Its type follows from where the relation leads: a list when it reaches many records, else the one record, or null
    when the entity's reference may be empty; an actor is a State when the reference takes only states.
    """
    kind = TYPES[record.value]
    declared = next(relation for relation in kind.relations if relation.name == name)
    target, reference, back = followed(kind, declared)
    type_name = ("State" if reference.states_only else "Actor") if target is ACTOR else target.name
    reached: Any = Annotated[type_name, strawberry.lazy("api.graphql.types.records")]
    if back or reference.link:
        reached = list[reached]
    elif type(None) in typing.get_args(typing.get_type_hints(kind.entity)[reference.field]):
        reached = reached | None

    def resolve(self: Any, info: Info) -> Any:
        return related(self, info, record, name)

    resolve.__name__ = name
    return strawberry.field(resolver=resolve, graphql_type=reached, description=description)
