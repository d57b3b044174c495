"""What an import will do against the store: add, replace or keep each record, and check every reference."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from domain.errors import Code, InvalidInput
from domain.exchange.format import KEYED_BY_FIELDS, ImportReport, Key, Problem, Row, _references, membership_key, snake
from domain.exchange.matching import NaturalKey, _Actors, _document, _misfit, _new_actor_refusal, natural_key
from domain.exchange.reader import RecordFileReader
from domain.record.actors import Actor, ActorKind, normalise_code
from domain.record.catalogue import StateCatalogue
from domain.record.documents import changed_fields
from domain.record.expulsions import Expulsion
from domain.record.kinds import KINDS
from domain.record.memberships import Membership
from domain.record.values import MAX_RECORD_ID
from domain.use_cases.actors import FIXED_FIELDS


class ImportPlan:
    """What importing a file will do, worked out step by step against what the store holds.

    The adapter calls, in order: `resolve_actors` with every stored actor; `find_keyless` with
    the natural keys of the stored measures of `keyless_actors()`, when there are CSV rows
    without id; `classify` with the stored records `wanted()` names; `classify_memberships`
    with the stored spells of `membership_pairs()`, when the file holds memberships; then `check` with the
    stored records that refer to replaced ones and the stored answer links reachable from
    the file's measures. `problems` then lists every bad row; when it is empty, `added` and
    `replaced` say what to write.
    """

    def __init__(self, reader: RecordFileReader, *, replace: bool = False) -> None:
        self.reader = reader
        self.replace = replace
        self.problems: list[Problem] = list(reader.problems)
        self.added: dict[str, list[Any]] = {kind: [] for kind in KINDS}
        self.replaced: dict[str, list[tuple[Any, Any]]] = {kind: [] for kind in KINDS}
        """Per kind, each stored record and the record that replaces it."""
        self.unchanged: Counter[str] = Counter()
        self._rows = list(reader.rows)
        self._final: dict[str, dict[Key, Any]] = {kind: {} for kind in KINDS}
        """The file's good records by kind and key, as they will be stored."""
        self._kept: dict[tuple[str, Key], Row] = {}
        """The row of each good record, by kind and key."""
        self._stored: dict[str, dict[int, Any]] = {}

    @property
    def size(self) -> int:
        """How many records will be written."""
        return sum(len(group) for group in self.added.values()) + sum(len(group) for group in self.replaced.values())

    def report(self) -> ImportReport:
        return ImportReport(
            added={kind: len(group) for kind, group in self.added.items() if group},
            replaced={kind: len(group) for kind, group in self.replaced.items() if group},
            unchanged=dict(self.unchanged),
        )

    def _refuse(self, row: Row, field_name: str, reason: str, code: Code) -> None:
        key = row.key
        self.problems.append(Problem(row.line, row.kind, None if key is None else str(key), snake(field_name), reason, row.file, code))

    def _missing(self, kind: str, key: Key) -> tuple[Code, str]:
        line = self.reader.refused.get((kind, key))
        if line is None:
            return Code.UNKNOWN_REFERENCE, f"{kind} {key} does not exist"
        return Code.DEPENDS_ON_REFUSED, f"{kind} {key} is refused (line {line})"

    def _compare(self, row: Row, stored: Any) -> None:
        """File the row as unchanged, replacing `stored`, or refused for differing from it.

        The fields the file has no column for keep their stored values (`Row.absent`) before the two are compared.
        """
        kind, key = row.kind, row.key
        if row.absent:
            try:
                row.entity = dataclasses.replace(row.entity, **{name: getattr(stored, name) for name in row.absent})
            except InvalidInput as error:
                for broken in error.problems:
                    self._refuse(row, broken.path[0], broken.message, broken.code)
                return
        before, after = _document(stored), _document(row.entity)
        if before == after:
            self.unchanged[kind] += 1
            return
        differing = changed_fields(before, after)
        if not self.replace:
            self._refuse(
                row,
                differing[0],
                f"{kind} {key} exists with different content ({', '.join(differing)}); --replace overwrites it",
                Code.STORED_DIFFERS,
            )
            return
        if kind == "Actor" and (fixed := [name for name in differing if name in FIXED_FIELDS]):
            self._refuse(
                row, fixed[0], f"the {', '.join(fixed)} of actor {key} cannot change; only its names can be replaced", Code.IMMUTABLE_FIELD
            )
            return
        replacing = dataclasses.replace(row.entity, id=stored.id, version=stored.version)
        self.replaced[kind].append((stored, replacing))
        row.entity = replacing

    def _keep(self, row: Row) -> None:
        assert row.key is not None
        self._final[row.kind][row.key] = row.entity
        self._kept[(row.kind, row.key)] = row

    def resolve_actors(self, stored: Iterable[Actor], catalogue: StateCatalogue | None = None) -> None:
        """File the actor rows, then name every actor the other rows refer to by its own code.

        A new actor follows the rules the API applies: a state must be one the ISO `catalogue`
        knows, of the same kind, and no new code may already name another actor (as its alpha-3).
        """
        by_code = {actor.code: actor for actor in stored}
        known = _Actors(by_code.values())
        others: list[Row] = []
        for row in self._rows:
            if row.kind != "Actor":
                others.append(row)
                continue
            existing = by_code.get(row.entity.code)
            count = len(self.problems)
            if existing is None:
                refusal = _new_actor_refusal(row.entity, known, catalogue)
                if refusal is not None:
                    self._refuse(row, "code", refusal[1], refusal[0])
                else:
                    self.added["Actor"].append(row.entity)
            else:
                self._compare(row, existing)
            if len(self.problems) == count:
                self._keep(row)
        actors = _Actors([*by_code.values(), *self._final["Actor"].values()])
        self._rows = [row for row in others if self._canonical(row, actors)]

    def _canonical(self, row: Row, actors: _Actors) -> bool:
        """Name each actor the row refers to by its own code; False (each broken rule noted) when one does not fit."""
        changes: dict[str, str] = {}
        before = len(self.problems)
        for field_name, states_only in ((ref.field, ref.states_only) for ref in KINDS[row.kind].references if ref.target == "Actor"):
            given = getattr(row.entity, field_name)
            if given is None:
                continue
            try:
                wanted = normalise_code(field_name, given)
            except InvalidInput as error:
                self._refuse(row, field_name, error.message, error.code)
                continue
            actor = actors.find(wanted)
            if actor is None:
                code, reason = self._missing("Actor", wanted)
                self._refuse(row, field_name, reason, code)
            elif states_only and not actor.is_state:
                self._refuse(row, field_name, f"{actor.code} is an organisation; a state is needed here", Code.NOT_A_STATE)
            elif row.kind == "Membership" and field_name == "organisation" and actor.kind is not ActorKind.ORGANISATION:
                self._refuse(
                    row, field_name, f"{actor.code} is not an organisation; only an organisation has members", Code.NOT_AN_ORGANISATION
                )
            elif actor.code != given:
                changes[field_name] = actor.code
        if len(self.problems) > before:
            return False
        if changes:
            try:
                row.entity = dataclasses.replace(row.entity, **changes)
            except InvalidInput as error:
                for broken in error.problems:
                    self._refuse(row, broken.path[0], broken.message, broken.code)
                return False
        return True

    def wanted(self) -> dict[str, set[int]]:
        """The ids of stored records the plan must see, by kind: the file's own keys and every id it refers to."""
        found: dict[str, set[int]] = {kind: set() for kind in KINDS if kind not in KEYED_BY_FIELDS}
        for row in self._rows:
            if row.kind == "Membership":
                continue
            if row.key is not None:
                found[row.kind].add(int(row.key))
            for _, kind, id in _references(row.kind, row.entity):
                found[kind].add(id)
        return {kind: ids for kind, ids in found.items() if ids}

    def keyless_actors(self) -> set[str]:
        """The actors of the CSV measures without id, whose stored measures `find_keyless` needs by natural key."""
        return {row.entity.actor for row in self._rows if row.key is None}

    def classify(self, stored: Mapping[str, Mapping[int, Any]]) -> None:
        """File every row as added, replacing a stored record, or unchanged."""
        self._stored = {kind: dict(records) for kind, records in stored.items()}
        for row in self._rows:
            if row.kind == "Membership":
                continue
            key = row.key
            assert key is not None
            existing = stored.get(row.kind, {}).get(int(key))
            count = len(self.problems)
            if existing is None:
                self.added[row.kind].append(row.entity)
            else:
                self._compare(row, existing)
            if len(self.problems) == count:
                self._keep(row)

    def kept_references(self) -> dict[str, set[int]]:
        """The stored records, by kind, that fields kept from a replaced record (`Row.absent`) refer to and that the plan
        has not seen yet: after `classify`, the adapter shows them with `see`, so `check` can check their fit."""
        found: dict[str, set[int]] = {}
        for row in self._rows:
            if not row.absent or row.key is None or (row.kind, row.key) not in self._kept:
                continue
            for field_name, kind, id in _references(row.kind, row.entity):
                if field_name in row.absent and self._lookup(kind, id) is None:
                    found.setdefault(kind, set()).add(id)
        return found

    def see(self, stored: Mapping[str, Mapping[int, Any]]) -> None:
        """Add stored records to those the plan has seen (`kept_references`)."""
        for kind, records in stored.items():
            self._stored.setdefault(kind, {}).update(records)

    def membership_pairs(self) -> set[tuple[str, str]]:
        """The organisations and states of the file's memberships, whose stored spells `classify_memberships` needs."""
        return {(row.entity.organisation, row.entity.state) for row in self._rows if row.kind == "Membership"}

    def classify_memberships(self, stored: Iterable[Membership], reference: Iterable[Membership], fresh_id: int) -> None:
        """File every membership as added (with an id from `fresh_id` on), replacing a stored spell, or unchanged.

        `stored` holds every stored spell of the file's organisations and states, `reference` the
        curated spells a new database is given. A membership is the stored spell with the same
        organisation, state and joined. A stored spell still as the curated data has it gives way
        to the file's without --replace (the file is the user's record, the curated spell a
        default); any other difference is refused as for every kind. Then no two spells of one
        state in one organisation may overlap, stored or in the file.
        """
        curated = {membership_key(spell.organisation, spell.state, spell.joined): _document(spell) for spell in reference}
        spells = {spell.id: spell for spell in stored}
        by_key = {membership_key(spell.organisation, spell.state, spell.joined): spell for spell in spells.values()}
        next_id = fresh_id
        rows: list[Row] = []
        lines: dict[Key, int] = {}
        for row in self._rows:
            if row.kind != "Membership":
                continue
            key = row.key
            assert key is not None
            if key in lines:
                self._refuse(
                    row, "joined", f"Membership {key} is on line {lines[key]} already; a record appears once in a file", Code.DUPLICATE
                )
                continue
            lines[key] = row.line
            rows.append(row)
        for row in rows:
            key = row.key
            assert isinstance(key, str)
            existing = by_key.get(key)
            count = len(self.problems)
            if existing is None:
                row.entity = dataclasses.replace(row.entity, id=next_id)
                next_id += 1
                self.added["Membership"].append(row.entity)
            elif curated.get(key) == _document(existing) != _document(row.entity):
                row.entity = dataclasses.replace(row.entity, id=existing.id, version=existing.version)
                self.replaced["Membership"].append((existing, row.entity))
            else:
                row.entity = dataclasses.replace(row.entity, id=existing.id, version=existing.version)
                self._compare(row, existing)
            if len(self.problems) == count:
                self._keep(row)
                spells[row.entity.id] = row.entity
        in_file = {row.entity.id for row in rows if (row.kind, row.key) in self._kept}
        for row in rows:
            if row.entity.id not in in_file:
                continue
            spell: Membership = row.entity
            for other in sorted(spells.values(), key=lambda other: other.joined.start):
                if other.id != spell.id and spell.overlaps(other):
                    where = "in the file" if other.id in in_file else f"stored (membership {other.id})"
                    until = "" if other.left is None else f" to {other.left}"
                    self._refuse(
                        row,
                        "joined",
                        f"{spell.state} is a member of {spell.organisation} from {other.joined}{until} {where} too; "
                        "spells of one state in one organisation never overlap",
                        Code.OVERLAPPING_MEMBERSHIP,
                    )
                    break

    def find_keyless(self, natural: Mapping[NaturalKey, Sequence[int]], last_measure_id: int) -> None:
        """Give each CSV measure without id the id of the measure with its natural key, stored or in the file, or a new one."""
        keyed: dict[NaturalKey, set[int]] = {}
        for row in self._rows:
            if row.kind == "Expulsion" and row.key is not None:
                keyed.setdefault(natural_key(row.entity), set()).add(int(row.key))
        next_id = max([last_measure_id, *(id for ids in keyed.values() for id in ids)]) + 1
        lines: dict[tuple[str, Key], int] = {(row.kind, row.key): row.line for row in self._rows if row.key is not None}
        seen: dict[NaturalKey, int] = {}
        kept: list[Row] = []
        for row in self._rows:
            if row.key is not None:
                kept.append(row)
                continue
            key = natural_key(row.entity)
            described = f"{key[0]} against {key[1]}, {key[2]} announced {key[3]}"
            if key in seen:
                self._refuse(row, "id", f"the measure {described} is on line {seen[key]} already; give each row its id", Code.DUPLICATE)
                continue
            seen[key] = row.line
            candidates = sorted({*natural.get(key, ()), *keyed.get(key, ())})
            if len(candidates) > 1:
                self._refuse(
                    row, "id", f"measures {', '.join(map(str, candidates))} all are {described}; give the row its id", Code.AMBIGUOUS_MATCH
                )
                continue
            if candidates and ("Expulsion", candidates[0]) in lines:
                self._refuse(
                    row,
                    "id",
                    f"this is Expulsion {candidates[0]}, which is on line {lines[('Expulsion', candidates[0])]} already",
                    Code.DUPLICATE,
                )
                continue
            if candidates:
                id = candidates[0]
            else:
                id, next_id = next_id, next_id + 1
            row.entity = dataclasses.replace(row.entity, id=id)
            kept.append(row)
        self._rows = kept

    def cited_measures(self) -> set[int]:
        """The measures the rows of a CSV of measures cite sources for, once `find_keyless` gave each its id."""
        return {int(row.measure.entity.id) for row in self.reader.cited if row.measure.entity.id is not None}

    def next_citation_id(self, fresh: int) -> int:
        """The id for the first new citation without `citation_id`: past `fresh` and past every id the file gives."""
        given = [cell for row in self.reader.cited if (cell := row.cells.get("citation_id", "")).isascii() and cell.isdigit()]
        return max([fresh, *(int(cell) + 1 for cell in given if int(cell) < MAX_RECORD_ID)])

    def take_cited(self, rows: Sequence[Row], problems: Sequence[Problem]) -> None:
        """Add the new sources and the citations the CSV rows give (`exchange_citations.CitationRows`), and their problems."""
        self._rows.extend(rows)
        self.problems.extend(problems)

    def _lookup(self, kind: str, id: int) -> Any:
        found = self._final[kind].get(id)
        return found if found is not None else self._stored.get(kind, {}).get(id)

    def holds(self, kind: str, id: int) -> bool:
        """Whether the file holds a good record of this kind and id."""
        return id in self._final[kind]

    def replaced_ids(self) -> dict[str, set[int]]:
        return {kind: {after.id for _, after in group} for kind, group in self.replaced.items() if group}

    def answer_frontier(self) -> set[int]:
        """The stored measures (not in the file) that the file's measures answer: where a cycle check leaves the file."""
        return {id for measure in self._final["Expulsion"].values() for id in measure.answers if not self.holds("Expulsion", id)}

    def check(self, dependants: Mapping[str, Iterable[Any]], stored_answers: Mapping[int, Sequence[int]]) -> None:
        """Check every reference of the file's records, the stored records that refer to replaced ones, and answer cycles.

        `dependants` are stored records, by kind, that refer to a record the file replaces;
        `stored_answers` gives, for each stored measure reachable from the file's answers,
        the measures it answers.
        """
        for row in self._rows:
            if row.key is None or (row.kind, row.key) not in self._kept:
                continue
            for field_name, kind, id in _references(row.kind, row.entity):
                other = self._lookup(kind, id)
                refusal = self._missing(kind, id) if other is None else _misfit(row.entity, field_name, other)
                if refusal is not None:
                    self._refuse(row, field_name, refusal[1], refusal[0])
        self._check_dependants(dependants)
        self._check_cycles(stored_answers)

    def _check_dependants(self, dependants: Mapping[str, Iterable[Any]]) -> None:
        replaced = self.replaced_ids()
        for kind, records in dependants.items():
            for record in records:
                if (kind, record.id) in self.reader.lines or (kind, record.id) in self.reader.refused:
                    continue
                for field_name, target, id in _references(kind, record):
                    if id not in replaced.get(target, set()):
                        continue
                    refusal = _misfit(record, field_name, self._final[target][id])
                    if refusal is not None:
                        row = self._kept[(target, id)]
                        because = f"stored {kind} {record.id} refers to it ({field_name}): {refusal[1]}"
                        self.problems.append(Problem(row.line, target, str(id), "input", because, row.file, refusal[0]))

    def _check_cycles(self, stored_answers: Mapping[int, Sequence[int]]) -> None:
        measures: Mapping[Key, Expulsion] = self._final["Expulsion"]

        def answered(id: int) -> Sequence[int]:
            found = measures.get(id)
            return found.answers if found is not None else stored_answers.get(id, ())

        for culprit, because in answer_cycles(sorted(int(key) for key in measures), answered, lambda id: id in measures):
            row = self._kept[("Expulsion", culprit)]
            self.problems.append(Problem(row.line, "Expulsion", str(culprit), "answers", because, row.file, Code.ANSWER_CYCLE))


def answer_cycles(
    starts: Iterable[int], answered: Callable[[int], Sequence[int]], in_file: Callable[[int], bool]
) -> Iterator[tuple[int, str]]:
    """Each cycle the answers close, walked depth-first from `starts`: the measure to blame (the last of the cycle the
    file brings, else the walk's start) and why. `answered(id)` gives a measure's answers as they will stand."""
    visiting, done = set[int](), set[int]()
    for start in starts:
        if start in done:
            continue
        path, stack = [start], [iter(answered(start))]
        visiting.add(start)
        while stack:
            child = next(stack[-1], None)
            if child is None:
                node = path.pop()
                stack.pop()
                visiting.discard(node)
                done.add(node)
            elif child in visiting:
                cycle = [*path[path.index(child) :], child]
                culprit = next((id for id in reversed(cycle[:-1]) if in_file(id)), start)
                yield culprit, f"these answers would close a cycle: {' answers '.join(map(str, cycle))}"
            elif child not in done:
                path.append(child)
                stack.append(iter(answered(child)))
                visiting.add(child)
