"""Shared machinery for types that are Relay nodes backed by a per-request loader."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from domain.record.values import record_id


def node_ids(raw: Iterable[str]) -> list[int | None]:
    """Database ids from the id part of global IDs; None for one that cannot be an id."""
    return [record_id(value) for value in raw]


async def resolve_nodes(info: Any, kind: str, raw_ids: Iterable[str], build: Callable[[Any], Any]) -> list[Any]:
    """Load the entities named by `raw_ids` and wrap each in its GraphQL type (None if absent)."""
    ids = node_ids(raw_ids)
    wanted = [id for id in ids if id is not None]
    loaded = dict(zip(wanted, await info.context.loaders.at(info, kind).load_many(wanted), strict=True))
    return [build(loaded[id]) if id is not None and loaded.get(id) is not None else None for id in ids]
