"""Per-request DataLoaders: every relation is fetched in one batched query per level."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from domain.actors import Actor
from domain.expulsions import Expulsion, Wave
from domain.missions import Mission
from domain.people import Diplomat
from domain.sources import Citation, Source
from domain.statements import Statement
from persistence.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

K = TypeVar("K")
V = TypeVar("V")


class Loaders:
    """Batching loaders for one request; nothing is cached across requests."""

    def __init__(self, units: SqlUnitOfWorkFactory) -> None:
        self._units = units

        def batch(fetch: Callable[[SqlUnitOfWork, list[Any]], Awaitable[dict[Any, Any]]], missing: Any = None) -> DataLoader[Any, Any]:
            async def load(keys: Sequence[Any]) -> list[Any]:
                async with self._units.reader() as uow:
                    found = await fetch(uow, list(keys))
                return [found.get(key, missing) for key in keys]

            return DataLoader(load_fn=load)

        self.actor_by_code: DataLoader[str, Actor | None] = batch(lambda uow, keys: uow.actors.get_by_codes(keys))
        self.actor: DataLoader[int, Actor | None] = batch(lambda uow, keys: uow.actors.get_many(keys))
        self.mission: DataLoader[int, Mission | None] = batch(lambda uow, keys: uow.missions.get_many(keys))
        self.diplomat: DataLoader[int, Diplomat | None] = batch(lambda uow, keys: uow.diplomats.get_many(keys))
        self.expulsion: DataLoader[int, Expulsion | None] = batch(lambda uow, keys: uow.expulsions.get_many(keys))
        self.wave: DataLoader[int, Wave | None] = batch(lambda uow, keys: uow.waves.get_many(keys))
        self.statement: DataLoader[int, Statement | None] = batch(lambda uow, keys: uow.statements.get_many(keys))
        self.source: DataLoader[int, Source | None] = batch(lambda uow, keys: uow.sources.get_many(keys))
        self.citation: DataLoader[int, Citation | None] = batch(lambda uow, keys: uow.citations.get_many(keys))
        self.people_of_measure: DataLoader[int, list[Diplomat]] = batch(lambda uow, keys: uow.diplomats.of_measures(keys), [])
        self.answering: DataLoader[int, list[int]] = batch(lambda uow, keys: uow.expulsions.answering(keys), [])
        self.statements_about: DataLoader[int, list[Statement]] = batch(lambda uow, keys: uow.statements.about_measures(keys), [])
        self.citations_of_measure: DataLoader[int, list[Citation]] = batch(lambda uow, keys: uow.citations.of_measures(keys), [])
        self.citations_of_statement: DataLoader[int, list[Citation]] = batch(lambda uow, keys: uow.citations.of_statements(keys), [])

    async def present(self, loader: DataLoader[K, V | None], keys: Sequence[K]) -> list[V]:
        """The loaded values for `keys`, skipping any that no longer exist."""
        return [value for value in await loader.load_many(list(keys)) if value is not None]
