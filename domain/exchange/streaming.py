"""The import plan of a file read in chunks: the same checks as `ImportPlan`, keeping only keys and glimpses of records.

The adapter feeds the rows as they are read, a chunk at a time, and writes what each chunk adds or replaces
to a spool of its own; the plan keeps, of every good record, its line (in the reader's `KeyLines`) and the
fields other records' rules read (`Glimpses`). References the file makes to records it brings later, or to
actors it names later, wait to the end; so do the memberships, the records that refer to replaced ones and
the answer cycles, which need the whole file.

Its stages are typed, each reached only from the one before: `StreamingPlan.chunk` gives a `Chunk`, whose
`classify` (given the stored records it `wanted`) gives what to write; once every row was read, `finish` gives the
`LastChunk`, whose `classify` also gives the `Ending`, which classifies the memberships and whose `check` (given
the stored records that refer to replaced ones, and the stored answers) gives the `Verdict`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.errors import Code, InvalidInput
from domain.exchange.compact import Glimpses
from domain.exchange.format import ImportReport, Key, Problem, Row, _references, snake
from domain.exchange.matching import _Actors, _misfit, _new_actor_refusal
from domain.exchange.plan import ImportPlan, answer_cycles
from domain.exchange.reader import RecordFileReader
from domain.record.actors import Actor, normalise_code
from domain.record.catalogue import StateCatalogue
from domain.record.kinds import KINDS
from domain.record.memberships import Membership

Writes = tuple[dict[str, list[Any]], dict[str, list[tuple[Any, Any]]]]
"""What a chunk adds, by kind, and what it replaces (each stored record with the record replacing it)."""


_FITTED = frozenset((kind.name, reference.field) for kind in KINDS.values() for reference in kind.references if reference.fit is not None)
"""The references that must fit the record they name (`Reference.fit`), by kind and field."""


@dataclass(frozen=True, slots=True)
class _Waiting:
    """A reference that could not be checked when its row was read: to a record neither stored nor read yet, or (with
    --replace) fitted to a stored record the file may still replace. `entity` is the referring record when the
    reference has a rule to fit (`Reference.fit`), else None."""

    line: int
    kind: str
    key: Key | None
    file: str | None
    field: str
    target: str
    id: int
    entity: Any


class StreamingPlan(ImportPlan):
    """An `ImportPlan` fed a chunk of rows at a time, keeping only what later checks need of each record."""

    def __init__(
        self, reader: RecordFileReader, stored_actors: Iterable[Actor], catalogue: StateCatalogue | None, *, replace: bool = False
    ) -> None:
        super().__init__(reader, replace=replace)
        self.glimpses = Glimpses()
        self._by_code = {actor.code: actor for actor in stored_actors}
        self._stored_actors = _Actors(self._by_code.values())
        self._actors = self._stored_actors
        self._catalogue = catalogue
        self._waiting_rows: list[Row] = []
        self._memberships: list[Row] = []
        self._waiting: list[_Waiting] = []
        self._fitted_to_stored: list[_Waiting] = []
        self._replaced_ids: dict[str, set[int]] = {}
        self._added_count: Counter[str] = Counter()
        self._replaced_count: Counter[str] = Counter()
        self._files: dict[str, str | None] = {}

    @property
    def size(self) -> int:
        return sum(self._added_count.values()) + sum(self._replaced_count.values())

    def report(self) -> ImportReport:
        return ImportReport(added=dict(+self._added_count), replaced=dict(+self._replaced_count), unchanged=dict(self.unchanged))

    def _keep(self, row: Row) -> None:
        if row.kind in ("Actor", "Membership"):
            super()._keep(row)
        else:
            self.glimpses.add(row.kind, row.entity)

    def holds(self, kind: str, id: int) -> bool:
        return self.glimpses.holds(kind, id)

    def chunk(self, rows: Sequence[Row]) -> Chunk:
        """Start on the next rows read: file the actors among them, and name every actor the others refer to by its own code.

        A row naming an actor that is neither stored nor read yet waits for the end of the file; memberships too."""
        others: list[Row] = []
        added = False
        for row in rows:
            self._files.setdefault(row.kind, row.file)
            if row.kind == "Actor":
                added = self._take_actor(row) or added
            elif row.kind == "Membership":
                self._memberships.append(row)
            else:
                others.append(row)
        if added:
            self._actors = _Actors([*self._by_code.values(), *self._final["Actor"].values()])
        self._rows = []
        for row in others:
            if self._names_unknown_actor(row):
                self._waiting_rows.append(row)
            elif self._canonical(row, self._actors):
                self._rows.append(row)
        return Chunk(self)

    def _take_actor(self, row: Row) -> bool:
        existing = self._by_code.get(row.entity.code)
        count = len(self.problems)
        if existing is None:
            refusal = _new_actor_refusal(row.entity, self._stored_actors, self._catalogue)
            if refusal is not None:
                self._refuse(row, "code", refusal[1], refusal[0])
            else:
                self.added["Actor"].append(row.entity)
        else:
            self._compare(row, existing)
        if len(self.problems) == count:
            self._keep(row)
            return existing is None
        return False

    def _names_unknown_actor(self, row: Row) -> bool:
        for reference in KINDS[row.kind].references:
            code = getattr(row.entity, reference.field) if reference.target == "Actor" else None
            if code is None:
                continue
            try:
                wanted = normalise_code(reference.field, code)
            except InvalidInput:
                return False
            if self._actors.find(wanted) is None:
                return True
        return False

    def wanted(self) -> dict[str, set[int]]:
        """The ids of stored records the chunk must see, by kind: its own keys and every id it refers to not read yet."""
        found: dict[str, set[int]] = {}
        for row in self._rows:
            assert row.key is not None, "a streaming import reads only records with their keys"
            found.setdefault(row.kind, set()).add(int(row.key))
            for _, kind, id in _references(row.kind, row.entity):
                if not self.glimpses.holds(kind, id):
                    found.setdefault(kind, set()).add(id)
        return found

    def _check_rows(self) -> None:
        """Check every reference of the chunk's good records against the file read so far and the stored records."""
        for row in self._rows:
            assert row.key is not None
            if not self.glimpses.holds(row.kind, int(row.key)):
                continue
            for field_name, kind, id in _references(row.kind, row.entity):
                fitted = (row.kind, field_name) in _FITTED
                other: Any = None
                if self.glimpses.holds(kind, id):
                    if not fitted:
                        continue
                    other = self.glimpses.get(kind, id)
                else:
                    other = self._stored.get(kind, {}).get(id)
                    waiting = _Waiting(row.line, row.kind, row.key, row.file, field_name, kind, id, row.entity if fitted else None)
                    if other is None:
                        self._waiting.append(waiting)
                        continue
                    if fitted and self.replace:
                        self._fitted_to_stored.append(waiting)
                refusal = _misfit(row.entity, field_name, other)
                if refusal is not None:
                    self._refuse(row, field_name, refusal[1], refusal[0])

    def _writes(self) -> Writes:
        added, replaced = self.added, self.replaced
        for kind, group in added.items():
            self._added_count[kind] += len(group)
        for kind, pairs in replaced.items():
            self._replaced_count[kind] += len(pairs)
            if pairs:
                self._replaced_ids.setdefault(kind, set()).update(after.id for _, after in pairs)
        self.added = {kind: [] for kind in KINDS}
        self.replaced = {kind: [] for kind in KINDS}
        return added, replaced

    def finish(self) -> LastChunk:
        """The rows that waited for an actor the file named later, as the last chunk, once every row was read."""
        waiting, self._waiting_rows = self._waiting_rows, []
        self._rows = [row for row in waiting if self._canonical(row, self._actors)]
        return LastChunk(self)

    def replaced_ids(self) -> dict[str, set[int]]:
        return self._replaced_ids

    def answer_frontier(self) -> set[int]:
        return {id for answers in self.glimpses.answering().values() for id in answers if not self.glimpses.holds("Expulsion", id)}

    def _problem(self, line: int | None, kind: str, key: Key | None, field: str, reason: str, code: Code) -> None:
        self.problems.append(Problem(line or 0, kind, None if key is None else str(key), snake(field), reason, self._files.get(kind), code))

    def _refuse_waiting(self, waiting: _Waiting, refusal: tuple[Code, str] | None) -> None:
        if refusal is not None:
            key = str(waiting.key)
            self.problems.append(Problem(waiting.line, waiting.kind, key, snake(waiting.field), refusal[1], waiting.file, refusal[0]))

    def waiting_ids(self) -> dict[str, set[int]]:
        """The records that references which waited name and the file does not hold, by kind: the stored ones among them
        are shown to `Ending.check` (a field kept from a stored record, see `Row.absent`, may name one no row named)."""
        found: dict[str, set[int]] = {}
        for waiting in self._waiting:
            if not self.glimpses.holds(waiting.target, waiting.id):
                found.setdefault(waiting.target, set()).add(waiting.id)
        return found

    def _check_waiting(self, stored: Mapping[str, Mapping[int, Any]]) -> None:
        for waiting in self._waiting:
            other: Any = self.glimpses.get(waiting.target, waiting.id)
            if other is None:
                other = stored.get(waiting.target, {}).get(waiting.id)
            if other is None:
                self._refuse_waiting(waiting, self._missing(waiting.target, waiting.id))
            elif waiting.entity is not None:
                self._refuse_waiting(waiting, _misfit(waiting.entity, waiting.field, other))
        for waiting in self._fitted_to_stored:
            if waiting.id not in self._replaced_ids.get(waiting.target, ()):
                continue
            other = self.glimpses.get(waiting.target, waiting.id)
            if other is not None:
                self._refuse_waiting(waiting, _misfit(waiting.entity, waiting.field, other))

    def _check_dependants(self, dependants: Mapping[str, Iterable[Any]]) -> None:
        replaced = self._replaced_ids
        for kind, records in dependants.items():
            for record in records:
                if (kind, record.id) in self.reader.lines or (kind, record.id) in self.reader.refused:
                    continue
                for field_name, target, id in _references(kind, record):
                    if id not in replaced.get(target, set()):
                        continue
                    refusal = _misfit(record, field_name, self.glimpses.get(target, id))
                    if refusal is not None:
                        because = f"stored {kind} {record.id} refers to it ({field_name}): {refusal[1]}"
                        self._problem(self.reader.lines.get((target, id)), target, id, "input", because, refusal[0])

    def _check_cycles(self, stored_answers: Mapping[int, Sequence[int]]) -> None:
        answering = self.glimpses.answering()

        def answered(id: int) -> Sequence[int]:
            return answering.get(id, ()) if self.glimpses.holds("Expulsion", id) else stored_answers.get(id, ())

        for culprit, because in answer_cycles(sorted(answering), answered, lambda id: self.glimpses.holds("Expulsion", id)):
            self._problem(self.reader.lines.get(("Expulsion", culprit)), "Expulsion", culprit, "answers", because, Code.ANSWER_CYCLE)


class Chunk:
    """Rows of the file with their actors named, waiting for the stored records they name (`wanted`)."""

    def __init__(self, plan: StreamingPlan) -> None:
        self._plan = plan

    def wanted(self) -> dict[str, set[int]]:
        return self._plan.wanted()

    def classify(self, stored: Mapping[str, Mapping[int, Any]]) -> Writes:
        """File every row as added, replacing a stored record, or unchanged, check its references, and give what to write."""
        self._plan.classify(stored)
        self._plan._check_rows()
        self._plan._stored = {}
        return self._plan._writes()


class LastChunk:
    """The rows that waited for actors; classifying them ends the reading, giving the `Ending`."""

    def __init__(self, plan: StreamingPlan) -> None:
        self._chunk = Chunk(plan)
        self._plan = plan

    def wanted(self) -> dict[str, set[int]]:
        return self._chunk.wanted()

    def classify(self, stored: Mapping[str, Mapping[int, Any]]) -> tuple[Writes, Ending]:
        return self._chunk.classify(stored), Ending(self._plan)


class Ending:
    """The whole file read: the memberships, then the checks that need every record."""

    def __init__(self, plan: StreamingPlan) -> None:
        self._plan = plan
        plan._rows = [row for row in plan._memberships if plan._canonical(row, plan._actors)]

    def membership_pairs(self) -> set[tuple[str, str]]:
        return self._plan.membership_pairs()

    def classify_memberships(self, stored: Iterable[Membership], reference: Iterable[Membership], fresh_id: int) -> Writes:
        plan = self._plan
        plan.classify_memberships(stored, reference, fresh_id)
        return plan._writes()

    def replaced_ids(self) -> dict[str, set[int]]:
        return self._plan.replaced_ids()

    def answer_frontier(self) -> set[int]:
        return self._plan.answer_frontier()

    def holds(self, kind: str, id: int) -> bool:
        return self._plan.holds(kind, id)

    def waiting_ids(self) -> dict[str, set[int]]:
        return self._plan.waiting_ids()

    def check(
        self, waited: Mapping[str, Mapping[int, Any]], dependants: Mapping[str, Iterable[Any]], stored_answers: Mapping[int, Sequence[int]]
    ) -> Verdict:
        """Check the references that waited (given the stored records of `waiting_ids`), the stored records that refer to
        replaced ones, and answer cycles; every problem, with the reader's."""
        plan = self._plan
        plan._check_waiting(waited)
        plan._check_dependants(dependants)
        plan._check_cycles(stored_answers)
        return Verdict([*plan.reader.problems, *plan.problems], plan.report(), plan.size)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Every problem of the file (none: it may be written), and what writing it does."""

    problems: Sequence[Problem]
    report: ImportReport
    size: int
