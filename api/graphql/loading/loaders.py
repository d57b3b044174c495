"""Per-request DataLoaders: every relation is fetched in one batched query per level."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from graphql.pyutils import Path
from strawberry.dataloader import DataLoader

from api.graphql.loading.relations import fetch
from domain.ports import Repositories
from domain.read.plans import Record
from domain.store import ReadSession

K = TypeVar("K")


Fetch = Callable[[Repositories, list[Any]], Awaitable[dict[Any, Any]]]

# Records by id (for `node`) and actors by code; relations load through `related`, from their one declaration.
FETCHES: dict[str, tuple[Fetch, Any]] = {
    "actor_by_code": (lambda uow, keys: uow.actors.get_by_codes(keys), None),
    "actor": (lambda uow, keys: uow.actors.get_many(keys), None),
    "mission": (lambda uow, keys: uow.missions.get_many(keys), None),
    "diplomat": (lambda uow, keys: uow.diplomats.get_many(keys), None),
    "expulsion": (lambda uow, keys: uow.expulsions.get_many(keys), None),
    "wave": (lambda uow, keys: uow.waves.get_many(keys), None),
    "statement": (lambda uow, keys: uow.statements.get_many(keys), None),
    "source": (lambda uow, keys: uow.sources.get_many(keys), None),
    "citation": (lambda uow, keys: uow.citations.get_many(keys), None),
    "membership": (lambda uow, keys: uow.memberships.get_many(keys), None),
    "memberships_of_state": (lambda uow, keys: uow.memberships.of_states(keys), []),
    "members_recorded": (lambda uow, keys: uow.memberships.recorded(keys), False),
}


def field_path(path: Path | None) -> tuple[str, ...]:
    """A field's place in the response without list indices: the same for every item of a list."""
    parts: list[str] = []
    while path is not None:
        if isinstance(path.key, str):
            parts.append(path.key)
        path = path.prev
    return tuple(parts)


class Loaders:
    """Batching loaders for one request; nothing is cached across requests.

    There is one loader per kind of fetch *and per place in the query*, so every list at
    one level of nesting is fetched in exactly one batch, whatever the page size and
    however the event loop interleaves the levels.
    """

    def __init__(self, reads: ReadSession) -> None:
        self._reads = reads
        self._loaders: dict[tuple[str, tuple[str, ...]], DataLoader[Any, Any]] = {}

    def _loader(self, kind: str) -> DataLoader[Any, Any]:
        fetch, missing = FETCHES[kind]

        async def load(keys: Sequence[Any]) -> list[Any]:
            async with self._reads.use() as repositories:
                found = await fetch(repositories, list(keys))
            return [found.get(key, missing) for key in keys]

        return DataLoader(load_fn=load)

    def at(self, info: Any, kind: str) -> DataLoader[Any, Any]:
        """The loader of `kind` for the field `info` resolves."""
        key = (kind, field_path(info.path))
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = self._loader(kind)
        return loader

    def related(self, info: Any, kind: Record, name: str) -> DataLoader[Any, Any]:
        """The loader of relation `name` of records of `kind` for the field `info` resolves; keys are the parents' entities."""
        key = (f"{kind.value}.{name}", field_path(info.path))
        loader = self._loaders.get(key)
        if loader is None:

            async def load(parents: Sequence[Any]) -> list[Any]:
                async with self._reads.use() as repositories:
                    return await fetch(repositories, kind, name, parents)

            loader = self._loaders[key] = DataLoader(load_fn=load, cache_key_fn=lambda entity: entity.id)
        return loader

    async def load(self, info: Any, kind: str, key: Any) -> Any:
        return await self.at(info, kind).load(key)

    async def present(self, info: Any, kind: str, keys: Sequence[K]) -> list[Any]:
        """The loaded values for `keys`, skipping any that no longer exist."""
        return [value for value in await self.at(info, kind).load_many(list(keys)) if value is not None]
