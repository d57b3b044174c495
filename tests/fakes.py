"""Dict-backed fakes of the domain ports, for unit tests that never touch a database.

They mirror the repositories of `persistence/write/` and `persistence/write/unit_of_work.py`: keyset pages in
the same orderings with the same keys, the same filters judged by their domain criteria (full-text search is not faked: see
`SearchNotFaked`), link tuples read back in id order, foreign keys that refuse a dangling reference
or the delete of a record still referenced (as `Conflict`), the same cascades, and a unit of
work that keeps its changes only when committed. Writers are not serialised: tests run one
use case at a time, and a commit after another unit of work's commit fails loudly.
"""

from __future__ import annotations

import builtins
import copy
import dataclasses
from collections.abc import Callable, Collection, Container, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar

from domain.access import ApiToken
from domain.errors import Code, Conflict, InvalidInput, StaleVersion
from domain.ports import UnitOfWork
from domain.read.criteria import admits
from domain.read.filters import (
    ActorFilter,
    CitationFilter,
    DiplomatFilter,
    ExpulsionFilter,
    MembershipFilter,
    MissionFilter,
    NoFilter,
    StatementFilter,
)
from domain.read.pagination import Key, Order, Page, PageRequest
from domain.record.actors import Actor, named_by
from domain.record.diplomats import Diplomat
from domain.record.expulsions import Expulsion, Wave
from domain.record.history import Change, HistoryFilter, redacted
from domain.record.kinds import KINDS
from domain.record.memberships import Membership
from domain.record.missions import Mission
from domain.record.sources import Citation, Source
from domain.record.statements import Statement
from persistence.catalogue import ORGANISATIONS, IsoStateCatalogue

E = TypeVar("E")
F = TypeVar("F")

AGGREGATES = tuple(kind.repository for kind in KINDS.values())
"""The tables of the kinds of record, by the unit of work's names for their repositories."""
STORES = ("history", "tokens")


@dataclass(slots=True)
class Tables:
    """The whole record. Stored entities are never changed in place, so a shallow copy is a snapshot."""

    rows: dict[str, dict[int, Any]]
    last_ids: dict[str, int]

    @classmethod
    def empty(cls) -> Tables:
        return cls({name: {} for name in (*AGGREGATES, *STORES)}, dict.fromkeys((*AGGREGATES, *STORES), 0))

    def copy(self) -> Tables:
        return Tables({name: dict(rows) for name, rows in self.rows.items()}, dict(self.last_ids))

    def store(self, name: str, entity: Any, id: int | None = None) -> Any:
        """Keep a fresh copy of `entity` under `id` (a new id when None), as a table row would."""
        if id is None:
            self.last_ids[name] += 1
            id = self.last_ids[name]
        self.last_ids[name] = max(self.last_ids[name], id)
        self.rows[name][id] = dataclasses.replace(entity, id=id)
        return self.rows[name][id]

    def codes(self) -> set[str]:
        return {actor.code for actor in self.rows["actors"].values()}


UNKNOWN_SORTS_AFTER = 2**31 - 1


class SearchNotFaked(NotImplementedError):
    """The fakes do not search text: full-text search (stemming, stop words, ranking) is the databases' own (FTS5,
    PostgreSQL's text search), which no dictionary-backed stand-in can match. Its contract runs on SQLite and PostgreSQL
    only (tests/integration/test_search.py); a unit test needing a search belongs there."""

    def __init__(self) -> None:
        super().__init__("the fakes do not search text: test searches against the databases (tests/integration/test_search.py)")


class RecordFacts:
    """The rest of the record, as the domain's filters judge a record by it (see `domain.read.filters.Facts`)."""

    def __init__(self, tables: Tables) -> None:
        self.rows = tables.rows

    def measure(self, id: int) -> Expulsion | None:
        found: Expulsion | None = self.rows["expulsions"].get(id)
        return found

    def answering(self, measure: Expulsion) -> builtins.list[Expulsion]:
        return [later for later in self.rows["expulsions"].values() if measure.id in later.answers]

    def citations(self, measure: Expulsion) -> builtins.list[Citation]:
        return [citation for citation in self.rows["citations"].values() if citation.measure_id == measure.id]

    def spells(self, organisation: str, state: str) -> builtins.list[Membership]:
        spells = self.rows["memberships"].values()
        return [spell for spell in spells if spell.organisation == organisation and spell.state == state]

    def holds_words(self, text: str, words: str) -> bool:
        raise SearchNotFaked


def _bound(key: Key, *, width: int) -> tuple[Any, ...]:
    """A cursor's key as comparable values; cursors carry dates as ISO strings."""
    if len(key) != width:
        raise InvalidInput("after", "the cursor was issued for another ordering of this list", Code.INVALID_CURSOR)
    try:
        return tuple(date.fromisoformat(value) if isinstance(value, str) else value for value in key)
    except ValueError:
        raise InvalidInput("after", "the cursor is damaged", Code.INVALID_CURSOR) from None


def dangling(what: str, references: Iterable[object], existing: Container[object]) -> None:
    """Refuse a reference to a record that does not exist, as a foreign key does; None refers to nothing."""
    for key in references:
        if key is not None and key not in existing:
            raise Conflict(f"the change conflicts with the stored record ({what} {key!r} does not exist)", code=Code.UNKNOWN_REFERENCE)


def still_referenced(what: str, id: object, by: Iterable[object]) -> None:
    """Refuse to delete a record that others still reference (ON DELETE RESTRICT)."""
    referring = sorted(str(other) for other in by)
    if referring:
        raise Conflict(
            f"the change conflicts with the stored record ({what} {id!r} is referenced by {', '.join(referring)})",
            code=Code.STILL_REFERENCED,
        )


class FakeRepository(Generic[E, F]):
    """Keyset-paged storage of one aggregate in a dict, mirroring `SqlRepository`."""

    name: ClassVar[str]
    links: ClassVar[tuple[str, ...]] = ()

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    @property
    def rows(self) -> dict[int, E]:
        return self.tables.rows[self.name]

    def matches(self, entity: E, filter: F) -> bool:
        return admits(filter, entity, RecordFacts(self.tables))

    def sort_columns(self, page: PageRequest, filter: F) -> builtins.list[Callable[[E], object]]:
        """The sort values before the id tie-breaker, for the page's ordering."""
        if page.order is Order.ID:
            return []
        raise InvalidInput("orderBy", f"this list cannot be ordered by {page.order.value}", Code.INVALID_ORDERING)

    def check_references(self, entity: E) -> None:
        """Raise `Conflict` where a database constraint would refuse the row."""

    def before_delete(self, id: int) -> None:
        """Refuse (RESTRICT) or carry out (CASCADE) what the delete does to referring rows."""

    def _write(self, entity: E, id: int | None, version: int) -> E:
        self.check_references(entity)
        # Link tables come back ordered by the linked id, whatever order they were written in.
        linked = {link: tuple(sorted(getattr(entity, link))) for link in self.links}
        stored: E = self.tables.store(self.name, dataclasses.replace(entity, **linked, version=version), id)  # type: ignore[type-var]
        return copy.copy(stored)

    async def get(self, id: int) -> E | None:
        found = self.rows.get(id)
        return None if found is None else copy.copy(found)

    async def get_many(self, ids: Collection[int]) -> dict[int, E]:
        return {id: copy.copy(self.rows[id]) for id in ids if id in self.rows}

    async def claim(self, id: int) -> E | None:
        return await self.get(id)

    async def add(self, entity: E) -> E:
        given: int | None = getattr(entity, "id", None)
        if given is not None and given in self.rows:
            raise Conflict("a record with the same key already exists; nothing was written", code=Code.DUPLICATE)
        return self._write(entity, given, getattr(entity, "version", 0) + 1)

    async def update(self, entity: E) -> E:
        id: int | None = getattr(entity, "id", None)
        if id is None or id not in self.rows:
            raise LookupError(f"{self.name} {id!r} is not stored; update replaces an existing record")
        stored_version: int = getattr(self.rows[id], "version", 0)
        if stored_version != getattr(entity, "version", 0):
            raise StaleVersion(type(entity).__name__, id, getattr(entity, "version", 0), stored_version)
        return self._write(entity, id, stored_version + 1)

    async def add_many(self, entities: Collection[E], *, links: bool = True) -> list[E]:
        return [await self.add(entity) for entity in entities]

    async def add_links(self, entities: Collection[E]) -> None:
        """Links are fields of the stored record here: `add_many` stored them already."""

    async def replace_many(self, entities: Collection[E]) -> list[E]:
        return [await self.update(entity) for entity in entities]

    async def delete(self, id: int) -> None:
        if id in self.rows:
            self.before_delete(id)
            del self.rows[id]

    async def list(self, filter: F, page: PageRequest) -> Page[E]:
        sorts = self.sort_columns(page, filter)
        keys: list[tuple[Any, ...]] = sorted(
            (*(sort(entity) for sort in sorts), id) for id, entity in self.rows.items() if self.matches(entity, filter)
        )
        reading_down = page.descending != page.backward
        ahead, behind = list(keys), []
        boundary = PageRequest.as_key(page.before if page.backward else page.after)
        if boundary is not None:
            bound = _bound(boundary, width=len(sorts) + 1)
            ahead = [key for key in keys if (key < bound if reading_down else key > bound)]
            behind = [key for key in keys if (key >= bound if reading_down else key <= bound)]
        if reading_down:
            ahead.reverse()
        chosen = ahead[: page.size]
        if page.backward:
            chosen.reverse()
        items = self._read(key[-1] for key in chosen)
        more, earlier = len(ahead) > page.size, bool(behind)
        if page.backward:
            return Page(items, has_next=earlier, has_previous=more, keys=chosen)
        return Page(items, has_next=more, has_previous=earlier, keys=chosen)

    async def count(self, filter: F) -> int:
        return sum(1 for entity in self.rows.values() if self.matches(entity, filter))

    def _read(self, ids: Iterable[int]) -> builtins.list[E]:
        return [copy.copy(self.rows[id]) for id in ids]

    def _sorted(self, entities: Iterable[Any]) -> builtins.list[E]:
        return [copy.copy(entity) for entity in sorted(entities, key=lambda entity: entity.id)]


class FakeActorRepository(FakeRepository[Actor, ActorFilter]):
    name = "actors"

    def check_references(self, entity: Actor) -> None:
        if any(other.code == entity.code and other.id != entity.id for other in self.rows.values()):
            raise Conflict(f"the change conflicts with the stored record (actor code {entity.code} is taken)", code=Code.DUPLICATE)

    def before_delete(self, id: int) -> None:
        code, rows = self.rows[id].code, self.tables.rows
        referring = [
            *(f"mission {m.id}" for m in rows["missions"].values() if code in (m.sending_state, m.host_state, m.accredited_to)),
            *(f"diplomat {d.id}" for d in rows["diplomats"].values() if d.sending_state == code),
            *(f"expulsion {x.id}" for x in rows["expulsions"].values() if code in (x.actor, x.target)),
            *(f"statement {s.id}" for s in rows["statements"].values() if s.on_behalf_of == code),
            *(f"membership {m.id}" for m in rows["memberships"].values() if code in (m.organisation, m.state)),
        ]
        still_referenced("actor", code, referring)

    async def get_by_codes(self, codes: Collection[str]) -> dict[str, Actor]:
        """Codes first, then alpha-3 codes, as `named_by` ranks them."""
        return {code: copy.copy(actor) for code, actor in named_by(set(codes), self.rows.values()).items()}


class FakeMissionRepository(FakeRepository[Mission, MissionFilter]):
    name = "missions"

    def check_references(self, entity: Mission) -> None:
        dangling("actor", (entity.sending_state, entity.host_state, entity.accredited_to), self.tables.codes())

    def before_delete(self, id: int) -> None:
        rows = self.tables.rows
        still_referenced(
            "mission",
            id,
            [
                *(f"diplomat {d.id}" for d in rows["diplomats"].values() if d.mission_id == id),
                *(f"expulsion {x.id}" for x in rows["expulsions"].values() if x.target_mission_id == id),
            ],
        )


class FakeDiplomatRepository(FakeRepository[Diplomat, DiplomatFilter]):
    name = "diplomats"

    def check_references(self, entity: Diplomat) -> None:
        dangling("actor", [entity.sending_state], self.tables.codes())
        dangling("mission", [entity.mission_id], self.tables.rows["missions"])

    def before_delete(self, id: int) -> None:
        expulsions = self.tables.rows["expulsions"].values()
        still_referenced("diplomat", id, (f"expulsion {x.id}" for x in expulsions if id in x.diplomat_ids))

    async def of_measures(self, measure_ids: Collection[int]) -> dict[int, builtins.list[Diplomat]]:
        measures = self.tables.rows["expulsions"]
        return {
            id: self._sorted(self.rows[person] for person in (measures[id].diplomat_ids if id in measures else ())) for id in measure_ids
        }


class FakeExpulsionRepository(FakeRepository[Expulsion, ExpulsionFilter]):
    name = "expulsions"
    links = ("answers", "diplomat_ids")

    def sort_columns(self, page: PageRequest, filter: ExpulsionFilter) -> builtins.list[Callable[[Expulsion], object]]:
        if page.order is Order.ANNOUNCED:
            return [lambda measure: measure.announced.start]
        if page.order is Order.HEADCOUNT:
            unknown_last = -1 if page.descending else UNKNOWN_SORTS_AFTER
            return [lambda measure: unknown_last if measure.headcount.value is None else measure.headcount.value]
        return super().sort_columns(page, filter)

    def check_references(self, entity: Expulsion) -> None:
        rows = self.tables.rows
        dangling("actor", (entity.actor, entity.target), self.tables.codes())
        dangling("mission", [entity.target_mission_id], rows["missions"])
        dangling("wave", [entity.wave_id], rows["waves"])
        dangling("expulsion", entity.answers, rows["expulsions"])
        dangling("diplomat", entity.diplomat_ids, rows["diplomats"])

    def before_delete(self, id: int) -> None:
        rows = self.tables.rows
        still_referenced("expulsion", id, (f"expulsion {x.id}" for x in rows["expulsions"].values() if id in x.answers))
        for statement in [s for s in rows["statements"].values() if id in s.measure_ids]:
            others = tuple(measure for measure in statement.measure_ids if measure != id)
            self.tables.store("statements", dataclasses.replace(statement, measure_ids=others), statement.id)
        for citation in [c for c in rows["citations"].values() if c.measure_id == id]:
            del rows["citations"][citation.id]

    async def answered_transitively(self, ids: Collection[int]) -> set[int]:
        # Like the recursive CTE: every id reached through "answers" links, starting from `ids`.
        reached: set[int] = set()
        frontier = builtins.list(ids)
        while frontier:
            measure = self.rows.get(frontier.pop())
            for answered in measure.answers if measure is not None else ():
                if answered not in reached:
                    reached.add(answered)
                    frontier.append(answered)
        return reached

    async def answering(self, ids: Collection[int]) -> dict[int, builtins.list[int]]:
        return {id: sorted(later for later, measure in self.rows.items() if id in measure.answers) for id in ids}


class FakeWaveRepository(FakeRepository[Wave, NoFilter]):
    name = "waves"

    def before_delete(self, id: int) -> None:
        expulsions = self.tables.rows["expulsions"].values()
        still_referenced("wave", id, (f"expulsion {x.id}" for x in expulsions if x.wave_id == id))


class FakeStatementRepository(FakeRepository[Statement, StatementFilter]):
    name = "statements"
    links = ("measure_ids",)

    def sort_columns(self, page: PageRequest, filter: StatementFilter) -> builtins.list[Callable[[Statement], object]]:
        if page.order is Order.SAID_ON:
            undated_last = date(1, 1, 1) if page.descending else date(9999, 12, 31)
            return [lambda statement: undated_last if statement.said_on is None else statement.said_on.start]
        if page.order is Order.RELEVANCE:
            if filter.search is None:
                raise InvalidInput("orderBy", "ordering by relevance needs a search", Code.INVALID_ORDERING)
            raise SearchNotFaked
        return super().sort_columns(page, filter)

    def check_references(self, entity: Statement) -> None:
        dangling("actor", [entity.on_behalf_of], self.tables.codes())
        dangling("expulsion", entity.measure_ids, self.tables.rows["expulsions"])

    def before_delete(self, id: int) -> None:
        citations = self.tables.rows["citations"]
        for citation in [c for c in citations.values() if c.statement_id == id]:
            del citations[citation.id]

    async def about_measures(self, measure_ids: Collection[int]) -> dict[int, builtins.list[Statement]]:
        return {id: self._sorted(s for s in self.rows.values() if id in s.measure_ids) for id in measure_ids}


class FakeSourceRepository(FakeRepository[Source, NoFilter]):
    name = "sources"

    def before_delete(self, id: int) -> None:
        citations = self.tables.rows["citations"].values()
        still_referenced("source", id, (f"citation {c.id}" for c in citations if c.source_id == id))


class FakeCitationRepository(FakeRepository[Citation, CitationFilter]):
    name = "citations"

    def check_references(self, entity: Citation) -> None:
        rows = self.tables.rows
        dangling("source", [entity.source_id], rows["sources"])
        dangling("expulsion", [entity.measure_id], rows["expulsions"])
        dangling("statement", [entity.statement_id], rows["statements"])

    async def of_measures(self, measure_ids: Collection[int]) -> dict[int, builtins.list[Citation]]:
        return {id: self._sorted(c for c in self.rows.values() if c.measure_id == id) for id in measure_ids}

    async def of_statements(self, statement_ids: Collection[int]) -> dict[int, builtins.list[Citation]]:
        return {id: self._sorted(c for c in self.rows.values() if c.statement_id == id) for id in statement_ids}


class FakeMembershipRepository(FakeRepository[Membership, MembershipFilter]):
    name = "memberships"

    def check_references(self, entity: Membership) -> None:
        dangling("actor", (entity.organisation, entity.state), self.tables.codes())

    async def recorded(self, organisations: Collection[str]) -> dict[str, bool]:
        return {code: any(m.organisation == code for m in self.rows.values()) for code in organisations}

    async def of_states(self, codes: Collection[str]) -> dict[str, builtins.list[Membership]]:
        return {code: self._sorted(m for m in self.rows.values() if m.state == code) for code in codes}


class FakeHistoryRepository(FakeRepository[Change, HistoryFilter]):
    name = "history"

    def matches(self, entity: Change, filter: HistoryFilter) -> bool:
        return filter.admits(entity)

    async def redact(self, entity: str, record_id: int, *, before: int) -> int:
        written = 0
        for id, change in sorted(self.rows.items()):
            if change.entity == entity and change.record_id == record_id and id < before:
                blanked = dataclasses.replace(change, before=redacted(entity, change.before), after=redacted(entity, change.after))
                if blanked != change:
                    self.rows[id] = blanked
                    written += 1
        return written

    async def append(self, change: Change) -> Change:
        stored: Change = self.tables.store(self.name, dataclasses.replace(change, at=datetime.now(UTC)))
        return stored

    async def update(self, entity: Change) -> Change:
        raise TypeError("the history is append-only")

    async def delete(self, id: int) -> None:
        raise TypeError("the history is append-only")


class FakeTokenRepository:
    def __init__(self, tables: Tables) -> None:
        self.rows: dict[int, ApiToken] = tables.rows["tokens"]
        self.tables = tables

    async def add(self, token: ApiToken) -> ApiToken:
        if any(other.name == token.name or other.digest == token.digest for other in self.rows.values()):
            raise Conflict("a record with the same key already exists; nothing was written", code=Code.DUPLICATE)
        stored: ApiToken = self.tables.store("tokens", token)
        return dataclasses.replace(stored)

    async def by_digest(self, digest: str) -> ApiToken | None:
        return next((dataclasses.replace(t) for t in self.rows.values() if t.digest == digest), None)

    async def by_name(self, name: str) -> ApiToken | None:
        return next((dataclasses.replace(t) for t in self.rows.values() if t.name == name), None)

    async def all(self) -> builtins.list[ApiToken]:
        return [dataclasses.replace(self.rows[id]) for id in sorted(self.rows)]

    async def revoke(self, token: ApiToken) -> ApiToken:
        assert token.id is not None
        self.rows[token.id] = dataclasses.replace(token)
        return token


R = TypeVar("R")


class _Opened(Generic[R]):
    """One repository of a unit of work, made over the unit's private copy of the record; only inside `async with uow:`."""

    def __init__(self, make: Callable[[Tables], R]) -> None:
        self.make = make
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, uow: FakeUnitOfWork, owner: type | None = None) -> R:
        found: R = uow.opened(self.name)
        return found


class FakeUnitOfWork:
    """Works on a private copy of the record; `commit` publishes it, leaving without commit drops it."""

    actors = _Opened(FakeActorRepository)
    missions = _Opened(FakeMissionRepository)
    diplomats = _Opened(FakeDiplomatRepository)
    expulsions = _Opened(FakeExpulsionRepository)
    waves = _Opened(FakeWaveRepository)
    statements = _Opened(FakeStatementRepository)
    sources = _Opened(FakeSourceRepository)
    citations = _Opened(FakeCitationRepository)
    memberships = _Opened(FakeMembershipRepository)
    history = _Opened(FakeHistoryRepository)
    tokens = _Opened(FakeTokenRepository)

    def __init__(self, factory: FakeUnitOfWorkFactory, *, writing: bool = True, author: str | None = None) -> None:
        self.author = author or factory.author
        self._factory = factory
        self._writing = writing
        self._entered = False
        self._tables: Tables | None = None
        self._repositories: dict[str, Any] | None = None
        self._commits_seen = 0

    def opened(self, name: str) -> Any:
        if self._repositories is None:
            raise RuntimeError("repositories are used only inside `async with uow:`")
        return self._repositories[name]

    async def __aenter__(self) -> Self:
        if self._entered:
            raise RuntimeError("a unit of work is entered once")
        self._entered = True
        self._commits_seen = self._factory.commits
        self._tables = self._factory.tables.copy()
        tables = self._tables
        self._repositories = {name: opened.make(tables) for name, opened in _REPOSITORIES.items()}
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._tables, self._repositories = None, None

    async def commit(self) -> None:
        if self._tables is None:
            raise RuntimeError("commit outside the unit of work")
        if not self._writing:
            raise RuntimeError("a read-only unit of work does not commit")
        if self._factory.commits != self._commits_seen:
            # The SQL adapter serialises writers; publishing this copy would silently undo the other's commit.
            raise RuntimeError("another unit of work committed meanwhile; the fake does not merge concurrent writers")
        self._factory.tables = self._tables.copy()
        self._factory.commits += 1
        self._commits_seen = self._factory.commits

    async def exclusive(self, topic: str) -> None:
        """The fake refuses concurrent writers outright (see `commit`): nothing to wait for."""


_REPOSITORIES = {name: opened for name, opened in vars(FakeUnitOfWork).items() if isinstance(opened, _Opened)}
assert set(AGGREGATES) <= _REPOSITORIES.keys(), "a kind of record without its fake repository"


class FakeUnitOfWorkFactory:
    """Makes units of work over one in-memory record, as `SqlUnitOfWorkFactory` does over one engine."""

    def __init__(self, actors: Iterable[Actor] = (), *, author: str = "tester") -> None:
        self.tables = Tables.empty()
        self.commits = 0
        self.author = author
        for actor in actors:
            self.tables.store("actors", actor)

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self, writing=True)

    def reader(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self, writing=False)

    def acting_as(self, author: str) -> ActingAs:
        """Units of work over the same record whose changes the history credits to `author`."""
        return ActingAs(self, author)

    def committed(self) -> dict[str, dict[int, Any]]:
        """The committed record, to compare before and after a use case."""
        return {name: dict(rows) for name, rows in self.tables.rows.items() if name in AGGREGATES}

    def history(self) -> list[Change]:
        """The committed history, oldest first."""
        return [self.tables.rows["history"][id] for id in sorted(self.tables.rows["history"])]


@dataclass(frozen=True)
class ActingAs:
    """A fake factory's units of work, credited to another author (`SqlUnitOfWorkFactory.acting_as`)."""

    factory: FakeUnitOfWorkFactory
    author: str

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.factory, writing=True, author=self.author)

    def reader(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.factory, writing=False, author=self.author)

    def acting_as(self, author: str) -> ActingAs:
        return ActingAs(self.factory, author)


def reference_actors() -> list[Actor]:
    """Every ISO 3166 state, current and former, and the usual organisations, unsaved."""
    return [*IsoStateCatalogue().all_states(), *(dataclasses.replace(organisation) for organisation in ORGANISATIONS)]


def _satisfies_the_port(uow: FakeUnitOfWork) -> UnitOfWork:
    """Never called; mypy checks here that the fake fits the `UnitOfWork` protocol."""
    return uow
