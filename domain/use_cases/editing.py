"""Create, update and delete for any aggregate, each in one transaction and each recorded in the history.

An update or delete may name the version of the record it was based on; when the record
has changed since, it is refused with `StaleVersion` and nothing is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from domain.errors import Code, InvalidInput, NotFound, StaleVersion
from domain.ports import Repository, UnitOfWork
from domain.record.documents import to_document
from domain.record.history import Change, ChangeAction

E = TypeVar("E")

Check = Callable[[E, UnitOfWork], Awaitable[E]]
"""Validates an entity against the rest of the record; returns it with canonical references."""

Cascade = Callable[[int, UnitOfWork], Awaitable[None]]
"""Runs before a delete: refuses it, or records in the history what the database will remove with it."""


def changed(entity: E, changes: Mapping[str, object]) -> E:
    """A copy of `entity` with `changes` applied and every invariant checked again."""
    for fixed in ("id", "version"):
        if fixed in changes:
            raise InvalidInput(fixed, f"a record's {fixed} cannot be set by an edit", Code.IMMUTABLE_FIELD)
    try:
        return dataclasses.replace(entity, **changes)  # type: ignore[type-var]
    except TypeError as exc:
        raise InvalidInput("input", f"unknown field in changes: {exc}", Code.UNKNOWN_FIELD) from None


async def existing(repository: Repository[E, Any], entity: str, id: int, field: str = "id") -> E:
    """The stored record or `NotFound` naming `field`."""
    found = await repository.get(id)
    if found is None:
        raise NotFound(entity, id, field)
    return found


def check_version(entity: str, record: Any, expected: int | None) -> None:
    """Refuse an edit based on a version that is no longer current (no version named: no check)."""
    if expected is not None and record.version != expected:
        raise StaleVersion(entity, record.id, expected, record.version)


async def record(uow: UnitOfWork, entity: str, action: ChangeAction, before: Any, after: Any) -> None:
    """Append one history entry for a change made in `uow`'s transaction."""
    subject = after if after is not None else before
    await uow.history.append(
        Change(
            entity=entity,
            record_id=subject.id,
            action=action,
            author=uow.author,
            before=None if before is None else to_document(before),
            after=None if after is None else to_document(after),
            version=subject.version,
        )
    )


@dataclass(frozen=True)
class AggregateEditor(Generic[E]):
    """The edits every aggregate supports, with its own cross-record check."""

    kind: str
    """The name of the kind of record it edits (domain/record/kinds.py)."""
    repository: Callable[[UnitOfWork], Repository[E, Any]]
    check: Check[E]
    before_delete: Cascade | None = None

    async def add(self, draft: E, uow: UnitOfWork, *, action: ChangeAction = ChangeAction.CREATE) -> E:
        """Check, store and record a new record inside a transaction the caller holds."""
        stored = await self.repository(uow).add(await self.check(draft, uow))
        await record(uow, self.kind, action, None, stored)
        return stored

    async def create(self, draft: E, *, uow: UnitOfWork) -> E:
        async with uow:
            stored = await self.add(draft, uow)
            await uow.commit()
        return stored

    async def update(self, id: int, changes: Mapping[str, object], *, uow: UnitOfWork, expected_version: int | None = None) -> E:
        return await self.revise(id, lambda _current: changes, uow=uow, expected_version=expected_version)

    async def revise(
        self,
        id: int,
        revision: Callable[[E], Mapping[str, object]],
        *,
        uow: UnitOfWork,
        expected_version: int | None = None,
        action: ChangeAction = ChangeAction.UPDATE,
    ) -> E:
        """Apply the changes `revision` derives from the stored record, in the same transaction."""
        async with uow:
            current = await existing(self.repository(uow), self.kind, id)
            check_version(self.kind, current, expected_version)
            stored = await self.revise_within(current, revision(current), uow, action)
            await uow.commit()
        return stored

    async def revise_within(self, current: E, changes: Mapping[str, object], uow: UnitOfWork, action: ChangeAction) -> E:
        """Change a stored record inside a transaction the caller holds; the history keeps it as it was."""
        stored = await self.repository(uow).update(await self.check(changed(current, changes), uow))
        await record(uow, self.kind, action, current, stored)
        return stored

    async def delete(self, id: int, *, uow: UnitOfWork, expected_version: int | None = None) -> None:
        async with uow:
            current = await existing(self.repository(uow), self.kind, id)
            check_version(self.kind, current, expected_version)
            await self.delete_within(current, uow)
            await uow.commit()

    async def delete_within(self, current: E, uow: UnitOfWork) -> None:
        """Delete a stored record inside a transaction the caller holds; its content stays in the history."""
        id: int = current.id  # type: ignore[attr-defined]
        if self.before_delete is not None:
            await self.before_delete(id, uow)
        await self.repository(uow).delete(id)
        await record(uow, self.kind, ChangeAction.DELETE, current, None)
