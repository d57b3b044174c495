"""What export and import share: progress reporting and reading the store in chunks."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from sqlalchemy import select

from domain.record.kinds import KINDS
from persistence.write.base import SqlRepository
from persistence.write.read_session import SqlRepositories

CHUNK = 2_000
"""Rows per statement: well under both databases' limits on bound parameters."""


T = TypeVar("T")


class Progress(Protocol):
    """Told how far a long export or import has gone, stage by stage."""

    def stage(self, name: str, total: int | None, unit: str) -> None:
        """A new stage begins, of `total` uow_factory (None: unknown)."""
        ...

    def advance(self, amount: int) -> None: ...


class _Quiet:
    def stage(self, name: str, total: int | None, unit: str) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass


def _repository(repositories: SqlRepositories, kind: str) -> SqlRepository[Any, Any]:
    repository: SqlRepository[Any, Any] = getattr(repositories, KINDS[kind].repository)
    return repository


def _chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def _get_many(repository: SqlRepository[Any, Any], ids: Collection[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for chunk in _chunks(sorted(ids)):
        found.update(await repository.get_many(chunk))
    return found


async def _where_in(repository: SqlRepository[Any, Any], column: Any, values: Collection[Any]) -> list[Any]:
    """The records whose `column` is one of `values`, in id order."""
    found: list[Any] = []
    for chunk in _chunks(sorted(values)):
        query = select(*repository.columns()).where(column.in_(chunk)).order_by(repository.table.c.id)
        found.extend(await repository.entities((await repository.connection.execute(query)).all()))
    return found
