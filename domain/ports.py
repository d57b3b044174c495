"""Ports: what the domain needs from a record store, as protocols the adapters satisfy."""

from __future__ import annotations

from collections.abc import Collection
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from domain.access import ApiToken
from domain.read import filters
from domain.read.pagination import Page, PageRequest
from domain.record.actors import Actor
from domain.record.diplomats import Diplomat
from domain.record.expulsions import Expulsion, Wave
from domain.record.history import Change, HistoryFilter
from domain.record.kinds import KINDS
from domain.record.memberships import Membership
from domain.record.missions import Mission
from domain.record.sources import Citation, Source
from domain.record.statements import Statement

E = TypeVar("E")
F = TypeVar("F", contravariant=True)


class Repository(Protocol[E, F]):
    """Stores one aggregate; never commits (the unit of work does)."""

    async def get(self, id: int) -> E | None:
        """The record with this id, or None."""
        ...

    async def get_many(self, ids: Collection[int]) -> dict[int, E]:
        """The records among `ids` that exist, by id; in a writer, each held as read until the unit of work ends."""
        ...

    async def claim(self, id: int) -> E | None:
        """The record with this id, or None; in a writer, no other writer changes it, or refers to it anew, until the
        unit of work ends (the record about to be edited)."""
        ...

    async def add(self, entity: E) -> E:
        """Store a new record and return it with its id."""
        ...

    async def update(self, entity: E) -> E:
        """Replace the stored record with the same id."""
        ...

    async def add_many(self, entities: Collection[E], *, links: bool = True) -> list[E]:
        """Store new records in bulk (keeping the ids they carry) and return them as stored; with `links` False their
        links wait for `add_links`, so records linked to each other can all be added first."""
        ...

    async def add_links(self, entities: Collection[E]) -> None:
        """Store the links of records added with `add_many(..., links=False)`."""
        ...

    async def replace_many(self, entities: Collection[E]) -> list[E]:
        """Replace many stored records, each only from the version it was read at, and return them as stored."""
        ...

    async def delete(self, id: int) -> None:
        """Remove the record; raise `Conflict` if others still depend on it."""
        ...

    async def list(self, filter: F, page: PageRequest) -> Page[E]:
        """One keyset page of the records matching `filter`, in id order."""
        ...

    async def count(self, filter: F) -> int:
        """How many records match `filter`."""
        ...


class ActorRepository(Repository[Actor, filters.ActorFilter], Protocol):
    async def get_by_codes(self, codes: Collection[str]) -> dict[str, Actor]:
        """The actors among `codes` (upper-case) that exist, by code."""
        ...


class MissionRepository(Repository[Mission, filters.MissionFilter], Protocol):
    pass


class DiplomatRepository(Repository[Diplomat, filters.DiplomatFilter], Protocol):
    async def of_measures(self, measure_ids: Collection[int]) -> dict[int, list[Diplomat]]:
        """The named people of each measure, by measure id."""
        ...


class ExpulsionRepository(Repository[Expulsion, filters.ExpulsionFilter], Protocol):
    async def answered_transitively(self, ids: Collection[int]) -> set[int]:
        """Every measure reachable from `ids` by following "answers" links (excluding `ids`)."""
        ...

    async def answering(self, ids: Collection[int]) -> dict[int, list[int]]:
        """For each measure id, the ids of the measures that answer it."""
        ...


class WaveRepository(Repository[Wave, filters.NoFilter], Protocol):
    pass


class StatementRepository(Repository[Statement, filters.StatementFilter], Protocol):
    async def about_measures(self, measure_ids: Collection[int]) -> dict[int, list[Statement]]:
        """The statements about each measure, by measure id."""
        ...


class SourceRepository(Repository[Source, filters.NoFilter], Protocol):
    pass


class CitationRepository(Repository[Citation, filters.CitationFilter], Protocol):
    async def of_measures(self, measure_ids: Collection[int]) -> dict[int, list[Citation]]:
        """The citations backing each measure, by measure id."""
        ...

    async def of_statements(self, statement_ids: Collection[int]) -> dict[int, list[Citation]]:
        """The citations backing each statement, by statement id."""
        ...


class MembershipRepository(Repository[Membership, filters.MembershipFilter], Protocol):
    async def recorded(self, organisations: Collection[str]) -> dict[str, bool]:
        """Whether any spell of membership is recorded for each organisation (by code): False for one whose members
        the record does not hold, whose filters would otherwise answer a silent nothing."""
        ...

    async def of_states(self, codes: Collection[str]) -> dict[str, list[Membership]]:
        """Each state's spells in any organisation, by state code, in id order."""
        ...


class HistoryRepository(Protocol):
    """The append-only history: entries are added and read, never changed or removed, but for one
    audited exception, a person's erasure (`redact`)."""

    async def append(self, change: Change) -> Change:
        """Store an entry, stamped with the current time, and return it with its id."""
        ...

    async def get(self, id: int) -> Change | None: ...

    async def get_many(self, ids: Collection[int]) -> dict[int, Change]: ...

    async def list(self, filter: HistoryFilter, page: PageRequest) -> Page[Change]:
        """One keyset page of the matching entries, in the order they were written."""
        ...

    async def count(self, filter: HistoryFilter) -> int: ...

    async def redact(self, entity: str, record_id: int, *, before: int) -> int:
        """Blank the kind's personal fields in every entry about the record older than the REDACT entry `before`;
        how many entries changed."""
        ...


class TokenRepository(Protocol):
    """Bearer tokens by the digest of their secret."""

    async def add(self, token: ApiToken) -> ApiToken: ...

    async def by_digest(self, digest: str) -> ApiToken | None: ...

    async def by_name(self, name: str) -> ApiToken | None: ...

    async def all(self) -> list[ApiToken]:
        """Every token, active or revoked, oldest first."""
        ...

    async def revoke(self, token: ApiToken) -> ApiToken:
        """Store the token's revocation time."""
        ...


class Repositories(Protocol):
    """Every repository, on one connection."""

    @property
    def history(self) -> HistoryRepository: ...

    @property
    def tokens(self) -> TokenRepository: ...

    @property
    def actors(self) -> ActorRepository: ...

    @property
    def missions(self) -> MissionRepository: ...

    @property
    def diplomats(self) -> DiplomatRepository: ...

    @property
    def expulsions(self) -> ExpulsionRepository: ...

    @property
    def waves(self) -> WaveRepository: ...

    @property
    def statements(self) -> StatementRepository: ...

    @property
    def sources(self) -> SourceRepository: ...

    @property
    def citations(self) -> CitationRepository: ...

    @property
    def memberships(self) -> MembershipRepository: ...


class UnitOfWork(Repositories, Protocol):
    """One transaction over every repository: commit keeps all of it, anything else none of it.

    `author` is who the changes are recorded as in the history (a token's name).
    """

    @property
    def author(self) -> str: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None:
        """Make every change since entering durable, or raise and keep none."""
        ...

    async def exclusive(self, topic: str) -> None:
        """Until this unit of work ends, no other that asked for the same `topic` goes past this call: for a check that
        spans records no single record guards (no answer cycle, no overlapping spells)."""
        ...


def repository_of(uow: Repositories, kind: str) -> Repository[Any, Any]:
    """The repository of a kind of record: the unit of work's attribute the registry names."""
    found: Repository[Any, Any] = getattr(uow, KINDS[kind].repository)
    return found


assert {kind.repository for kind in KINDS.values()} <= set(vars(Repositories)), "a kind of record without its repository in the port"
