"""Relations a query planned ahead: a resolver returns the preloaded value, or loads it itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from domain.record.kinds import Kind

PRELOADED = "_preloaded"


def preloaded(owner: Any, name: str, load: Callable[[], Awaitable[Any]]) -> Any:
    """The value a prefetch stored for this relation, else the awaitable that loads it.

    Returning a plain value keeps the field synchronous, which spares graphql-core a task
    per field; the fallback serves entry points that did not plan ahead (a `node` lookup).
    """
    store: dict[str, Any] = getattr(owner, PRELOADED)
    if name in store:
        return store[name]
    return load()


def related(owner: Any, info: Any, kind: Kind, name: str) -> Any:
    """Relation `name` of a record of `kind`: as preloaded, or loaded through the request's batching loader."""
    store: dict[str, Any] = getattr(owner, PRELOADED)
    if name in store:
        return store[name]
    return info.context.loaders.related(info, kind, name).load(owner._entity)
