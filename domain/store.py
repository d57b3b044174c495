"""Ports of the record store as a request meets it: its read session, the unit-of-work factory, and the change signal.

The API's GraphQL side reaches the store only through these; the SQL adapters satisfy them, and the
composition root (api/app.py) is the one place that picks the adapters.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from domain.errors import Code, InvalidInput
from domain.ports import ExpulsionRepository, HistoryRepository, Repositories, UnitOfWork
from domain.read.analysis import RecordAnalysis
from domain.read.filters import ExpulsionFilter
from domain.read.plans import Record, RecordReader
from domain.read.search import RecordSearch
from domain.record.expulsions import Expulsion
from domain.record.history import Change

Release = Callable[[], Awaitable[None]]
"""Hands a request's read connection back before one of its units of work takes another."""


class WriteNote:
    """Where one request's commits left the store, for reading them back where reads may lag (a replica): None until one
    commits with a replica in use."""

    def __init__(self) -> None:
        self.position: int | None = None


@dataclass(frozen=True, slots=True)
class Instant:
    """A past instant the record is read as it stood at: the instant asked for, in UTC, and the last history entry
    written at or before it (the latest change the answer includes)."""

    at: datetime
    entry: int


class OutOfHistory(InvalidInput):
    """An instant the history cannot answer for: one in the future, or one before its first entry."""

    def __init__(self, message: str) -> None:
        super().__init__("asOf", message, Code.OUT_OF_HISTORY)


class FollowedHistory(HistoryRepository, Protocol):
    """The history as its followers read it: entry by entry, from a known one on."""

    async def since(self, after: int, limit: int) -> list[Change]:
        """Up to `limit` entries after entry `after`, in the order they were written."""
        ...

    async def last_id(self) -> int:
        """The newest entry's id (0 for an empty history)."""
        ...


class FilteredExpulsions(ExpulsionRepository, Protocol):
    """Measures, also as a filter judges given ones."""

    async def matching(self, filter: ExpulsionFilter, ids: Collection[int]) -> dict[int, Expulsion]:
        """Those of `ids` whose records the filter keeps, judged by the same conditions as `list`."""
        ...

    async def admitting(self, filters: Sequence[ExpulsionFilter], id: int) -> list[bool]:
        """For each of `filters`, whether it keeps measure `id` (False for all once it is gone), judged by the same conditions
        as `list`: one statement for a few hundred filters, not one per filter (a change judged for many subscriptions)."""
        ...


class RelatedRecords(Protocol):
    """A record's relations, by their domain names, fetched for a whole batch of records of one kind at once."""

    async def fetch(self, owner: Record, name: str, parents: Sequence[Any]) -> list[Any]:
        """Relation `name` of each of `parents` (records of kind `owner`), in their order: the related record (None where
        there is none), or the list of related records."""
        ...


class ReadRepositories(Repositories, Protocol):
    """What one read of a request sees: every repository, and the read side's own questions, on one connection."""

    @property
    def history(self) -> FollowedHistory: ...

    @property
    def expulsions(self) -> FilteredExpulsions: ...

    @property
    def analysis(self) -> RecordAnalysis: ...

    @property
    def reader(self) -> RecordReader: ...

    @property
    def search(self) -> RecordSearch: ...

    @property
    def relations(self) -> RelatedRecords: ...


class ReadSession(Protocol):
    """The reads of one request on one connection, each use a short read transaction."""

    def use(self) -> AbstractAsyncContextManager[ReadRepositories]: ...

    def relations(self, owner: Record) -> frozenset[str]:
        """The names of the relations of records of kind `owner`, which `use`'s `relations` fetch."""
        ...

    async def close(self) -> None:
        """Hand the connection back; a later `use` takes one again."""
        ...


class ReadingUnit(UnitOfWork, Protocol):
    """A unit of work that only reads."""

    @property
    def history(self) -> FollowedHistory: ...


class RecordStore(Protocol):
    """Makes units of work and read sessions on one record store; `author` is who writers record their changes as."""

    @property
    def author(self) -> str: ...

    @property
    def replica(self) -> object | None:
        """With a replica that reads may go to: what is known of how far it has replayed; else None."""
        ...

    @property
    def note(self) -> WriteNote | None:
        """Where the commits of this factory's units of work left the store, if it keeps count."""
        ...

    def __call__(self) -> UnitOfWork: ...

    def reader(self) -> ReadingUnit: ...

    def acting_as(self, author: str) -> RecordStore:
        """The same store, recording changes as made by `author`."""
        ...

    def releasing(self, release: Release) -> RecordStore:
        """The same store, whose units of work first run `release`."""
        ...

    def noting(self, note: WriteNote) -> RecordStore:
        """The same store, whose commits write down in `note` where they left it."""
        ...

    def read_session(self) -> ReadSession: ...

    def primary_session(self) -> ReadSession:
        """A read session that sees the latest writes, whatever a replica has replayed."""
        ...

    async def session_after(self, position: int = 0, *, primary: bool = False) -> ReadSession:
        """A request's read session: one that has seen every write known here and `position`; with `primary`, the latest."""
        ...

    async def record_version(self) -> int:
        """A number that changes whenever any write commits, in any process."""
        ...

    async def session_as_of(self, at: datetime, *, personal: bool) -> tuple[ReadSession, Instant]:
        """A read session on the record as it stood at `at`, and the instant it stands for; `OutOfHistory` for an instant
        in the future or before the history's first entry. Without `personal`, a private person's identifying fields that
        only the history holds (a name since changed, a person since deleted) read as null."""
        ...


class Changes(Protocol):
    """How a process hears that the record changed: a generation that grows with every change heard.

    While `live` is false, changes may go unheard, and nothing may trust that nothing changed.
    """

    @property
    def generation(self) -> int: ...

    @property
    def live(self) -> bool: ...

    async def wait(self, seen: int) -> int:
        """Wait until the generation is past `seen`; the generation then."""
        ...
