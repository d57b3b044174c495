"""Shared machinery for types that are Relay nodes backed by a per-request loader."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, Self

from strawberry import relay
from strawberry.types.base import get_object_definition

from api.graphql.context import Info
from api.graphql.types.values import HeadcountType, PartialDateType
from domain.record.kinds import TYPES
from domain.record.values import Headcount, PartialDate, record_id


def node_ids(raw: Iterable[str]) -> list[int | None]:
    """Database ids from the id part of global IDs; None for one that cannot be an id."""
    return [record_id(value) for value in raw]


async def resolve_nodes(info: Any, kind: str, raw_ids: Iterable[str], build: Callable[[Any], Any]) -> list[Any]:
    """Load the entities named by `raw_ids` and wrap each in its GraphQL type (None if absent)."""
    ids = node_ids(raw_ids)
    wanted = [id for id in ids if id is not None]
    loaded = dict(zip(wanted, await info.context.loaders.at(info, kind).load_many(wanted), strict=True))
    return [build(loaded[id]) if id is not None and loaded.get(id) is not None else None for id in ids]


def _as_answered(value: Any) -> Any:
    """A domain value as a GraphQL field holds it: a partial date or a headcount as its GraphQL type."""
    if isinstance(value, PartialDate):
        return PartialDateType.from_domain(value)
    if isinstance(value, Headcount):
        return HeadcountType.from_domain(value)
    return value


class FromEntity:
    """A GraphQL type of records that is its domain entity's face: each field without a resolver is the entity's field
    of the same name, and `_entity` (where the type keeps it, for its relations) is the entity itself. Its records are
    Relay nodes, loaded through the request's loader of its kind."""

    @classmethod
    @functools.cache
    def _copied(cls) -> tuple[tuple[str, ...], bool]:
        definition = get_object_definition(cls, strict=True)
        plain = tuple(
            field.python_name
            for field in definition.fields
            if field.base_resolver is None and field.python_name != "id" and not field.python_name.startswith("_")
        )
        return plain, "_entity" in cls.__dataclass_fields__  # type: ignore[attr-defined]

    @classmethod
    def from_domain(cls, entity: Any) -> Self:
        assert entity.id is not None
        plain, keeps_entity = cls._copied()
        values = {name: _as_answered(getattr(entity, name)) for name in plain}
        build: Callable[..., Self] = cls  # a Strawberry type: its dataclass takes its fields
        return build(id=entity.id, **values, **({"_entity": entity} if keeps_entity else {}))

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        kind = TYPES[get_object_definition(cls, strict=True).name]
        return await resolve_nodes(info, kind.name.lower(), node_ids, cls.from_domain)

    @classmethod
    async def resolve_reference(cls, info: Info, id: str) -> Self | None:
        """The record a federation router names by its key, `@key(fields: "id")`: the global ID this server gave it;
        null when there is no such record of this type. The representations of one request load together, in one batch
        per kind, through the request's loaders."""
        named = relay.GlobalID.from_id(id)
        if named.type_name != get_object_definition(cls, strict=True).name:
            return None
        found: list[Self | None] = await cls.resolve_nodes(info=info, node_ids=[named.node_id])
        return found[0]
