"""Create, update and delete for any aggregate, each in one transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from domain.errors import InvalidInput, NotFound
from domain.ports import Repository, UnitOfWork

E = TypeVar("E")

Check = Callable[[E, UnitOfWork], Awaitable[E]]
"""Validates an entity against the rest of the record; returns it with canonical references."""


def changed(entity: E, changes: Mapping[str, object]) -> E:
    """A copy of `entity` with `changes` applied and every invariant checked again."""
    if "id" in changes:
        raise InvalidInput("id", "a record's id cannot change")
    try:
        return dataclasses.replace(entity, **changes)  # type: ignore[type-var]
    except TypeError as exc:
        raise InvalidInput("input", f"unknown field in changes: {exc}") from None


async def existing(repository: Repository[E, Any], entity: str, id: int, field: str = "id") -> E:
    """The stored record or `NotFound` naming `field`."""
    found = await repository.get(id)
    if found is None:
        raise NotFound(entity, id, field)
    return found


@dataclass(frozen=True)
class AggregateEditor(Generic[E]):
    """The three edits every aggregate supports, with its own cross-record check."""

    entity: str
    repository: Callable[[UnitOfWork], Repository[E, Any]]
    check: Check[E]
    before_delete: Callable[[int, UnitOfWork], Awaitable[None]] | None = None

    async def add(self, draft: E, uow: UnitOfWork) -> E:
        """Check and store a new record inside a transaction the caller holds."""
        return await self.repository(uow).add(await self.check(draft, uow))

    async def create(self, draft: E, *, uow: UnitOfWork) -> E:
        async with uow:
            stored = await self.add(draft, uow)
            await uow.commit()
        return stored

    async def update(self, id: int, changes: Mapping[str, object], *, uow: UnitOfWork) -> E:
        return await self.revise(id, lambda _current: changes, uow=uow)

    async def revise(self, id: int, revision: Callable[[E], Mapping[str, object]], *, uow: UnitOfWork) -> E:
        """Apply the changes `revision` derives from the stored record, in the same transaction."""
        async with uow:
            repository = self.repository(uow)
            current = await existing(repository, self.entity, id)
            stored = await repository.update(await self.check(changed(current, revision(current)), uow))
            await uow.commit()
        return stored

    async def delete(self, id: int, *, uow: UnitOfWork) -> None:
        async with uow:
            repository = self.repository(uow)
            await existing(repository, self.entity, id)
            if self.before_delete is not None:
                await self.before_delete(id, uow)
            await repository.delete(id)
            await uow.commit()
