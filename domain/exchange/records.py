"""The exchange format: a record as JSON Lines, a CSV of measures, and what an import of either will do.

Pure: lines go in, validated records and the problems of every bad line come out; an
`ImportPlan` works out, against the records the store holds, what to add, what to replace
and what is already there, and checks every reference the way the use cases do. The
adapters read the store and write; docs/exchange.md describes the format.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.errors import DomainError, InvalidInput
from domain.read.filters import DateRange, ExpulsionFilter
from domain.record.actors import Actor, ActorKind, named_by, normalise_code
from domain.record.catalogue import StateCatalogue
from domain.record.documents import Document, changed_fields, from_document, to_document
from domain.record.expulsions import Expulsion
from domain.record.kinds import KINDS, kind_of
from domain.record.memberships import Membership
from domain.record.values import MAX_RECORD_ID
from domain.use_cases.actors import FIXED_FIELDS

FORMAT = "demarche-record"
VERSION = 2
"""The version an export writes: 2 added memberships."""
READABLE = frozenset({1, 2})
"""The versions an import reads: a version 1 file is read as before (it holds no memberships)."""

Key = int | str
"""A record's key in a file: an actor's code, any other record's id."""

MEASURE_COLUMNS = (
    "id",
    "actor",
    "target",
    "measure_type",
    "announced",
    "headcount_qualifier",
    "headcount_value",
    "legal_basis",
    "reason_category",
    "stated_reason",
    "notified",
    "deadline",
    "departed",
    "target_mission_id",
    "wave_id",
    "answers",
    "diplomat_ids",
)
SOURCE_COLUMNS = ("source_id", "source_url", "source_publisher", "source_title", "source_kind", "source_published")
"""The columns by which a row of a CSV of measures names its source: stored by id, matched by URL or publisher and title, or new."""
CITATION_COLUMNS = ("citation_id", "citation_excerpt", "citation_headcount_qualifier", "citation_headcount_value")
"""The columns of the citation a row gives its measure: what the source said and the figure it reported."""
CSV_COLUMNS = (*MEASURE_COLUMNS, *SOURCE_COLUMNS, *CITATION_COLUMNS)
CSV_REQUIRED = ("actor", "target", "measure_type", "announced", "headcount_qualifier")
_CSV_IDS = ("headcount_value", "target_mission_id", "wave_id")
_CSV_ID_LISTS = ("answers", "diplomat_ids")

MAX_ID = 2**31 - 1
"""The largest id both databases store."""
_ALPHA3 = re.compile(r"[A-Z]{3}")
_NUMERIC = re.compile(r"[0-9]{3}")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP's list for CSV injection)."""
_GUARDED = (*_FORMULA_STARTS, "'")


def guard(cell: str) -> str:
    """The cell with a leading apostrophe when a spreadsheet would run it, or when reading would otherwise take one off."""
    if cell.startswith(_FORMULA_STARTS) or (cell.startswith("'") and cell[1:2] in _GUARDED):
        return "'" + cell
    return cell


def unguard(cell: str) -> str:
    """The cell without the apostrophe `guard` added: `unguard(guard(text)) == text` for every text."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in _GUARDED else cell


def header() -> str:
    """The first line of every file."""
    return json.dumps({"format": FORMAT, "version": VERSION}, separators=(",", ":"))


def membership_key(organisation: object, state: object, joined: object) -> str:
    """How a membership is keyed in a file and named in a report: `GB in EU from 1973-01-01`."""
    return f"{state} in {organisation} from {joined}"


KEYED_BY_FIELDS = frozenset(name for name, kind in KINDS.items() if kind.keyed_by_fields)
"""The kinds keyed by their fields (an actor's code; a membership's organisation, state and joined), not by an id."""


def encode(entity: object) -> str:
    """One record as one line (without its line break): its kind, its key, then every field in declaration order."""
    kind = kind_of(entity)
    document = to_document(entity)
    id = document.pop("id")
    line = {"type": kind, **document} if kind in KEYED_BY_FIELDS else {"type": kind, "id": id, **document}
    return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def snake(field: str) -> str:
    """The file's name of a field the domain names in camelCase (`targetMissionId` is `target_mission_id`)."""
    return _CAMEL.sub("_", field).lower()


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one line of a file is refused."""

    line: int
    kind: str | None
    key: str | None
    field: str
    reason: str
    file: str | None = None
    """The file of a folder the line is in; None for a single file."""

    def __str__(self) -> str:
        subject = " ".join(part for part in (self.kind, self.key) if part)
        where = f"{self.file} line {self.line}" if self.file else f"line {self.line}"
        return f"{where}: {subject + ': ' if subject else ''}{self.field}: {self.reason}"


class ImportRefused(DomainError):
    """A file had bad rows, so nothing of it was written; `problems` names every one, in line order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda problem: (problem.file or "", problem.line))
        count = len(self.problems)
        super().__init__(
            f"the file was refused and nothing was written: {count} bad row{'s' if count != 1 else ''}, first {self.problems[0]}"
        )


@dataclass(frozen=True, slots=True)
class ImportReport:
    """How many records of each kind an import added, replaced, or found already there."""

    added: Mapping[str, int]
    replaced: Mapping[str, int]
    unchanged: Mapping[str, int]

    def lines(self) -> list[str]:
        """One line per kind the file held, in dependency order, then the totals."""
        found = [
            f"{kind}: {self.added.get(kind, 0)} added, {self.replaced.get(kind, 0)} replaced, {self.unchanged.get(kind, 0)} unchanged"
            for kind in KINDS
            if kind in self.added or kind in self.replaced or kind in self.unchanged
        ]
        totals = (sum(self.added.values()), sum(self.replaced.values()), sum(self.unchanged.values()))
        return [*found, "total: {} added, {} replaced, {} unchanged".format(*totals)]


@dataclass(slots=True)
class CitedSource:
    """The source and citation cells of one row of a CSV of measures, matched against the store once the measure has its id."""

    line: int
    measure: Row
    cells: dict[str, str]
    """The row's non-empty source and citation cells."""
    file: str | None = None


@dataclass(slots=True)
class Row:
    """One record read from a file; its entity is valid on its own, references not yet checked."""

    line: int
    kind: str
    entity: Any
    file: str | None = None

    @property
    def key(self) -> Key | None:
        """The actor's code, the membership's `membership_key` or the record's id; None for a CSV measure without id."""
        if self.kind == "Membership":
            return membership_key(self.entity.organisation, self.entity.state, self.entity.joined)
        key: Key | None = self.entity.code if self.kind == "Actor" else self.entity.id
        return key


def _sorted_links(entity: Any) -> Any:
    """Link lists in id order, as the store keeps them, so a record compares equal to its stored self."""
    unsorted = {name: tuple(sorted(getattr(entity, name))) for name in KINDS[kind_of(entity)].links}
    unsorted = {name: ids for name, ids in unsorted.items() if ids != getattr(entity, name)}
    return dataclasses.replace(entity, **unsorted) if unsorted else entity


class RecordFileReader:
    """Reads a file line by line into rows, and keeps a problem for every line it cannot take."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.problems: list[Problem] = []
        self.refused: dict[tuple[str, Key], int] = {}
        """The line of each record that was refused on reading, by kind and key."""
        self.readable = True
        """False when the file as a whole cannot be read (no header, an unknown format or version)."""
        self.version = VERSION
        """The format version the file's header names (a CSV folder without header is version 1)."""
        self.lines: dict[tuple[str, Key], int] = {}
        """The line of each record read, by kind and key."""
        self.file: str | None = None
        """The file of a folder being read, named in rows and problems; None for a single file."""
        self.cited: list[CitedSource] = []
        """The sources and citations the rows of a CSV of measures give, in line order."""
        self._measure_lines: dict[tuple[tuple[str, str], ...], tuple[int, Row | None]] = {}
        """Each measure of a CSV of measures by its cells: its first line and its row (None when refused)."""

    def problem(self, line: int, kind: str | None, key: Key | None, field: str, reason: str, *, refuses: bool = True) -> None:
        self.problems.append(Problem(line, kind, None if key is None else str(key), snake(field), reason, self.file))
        if refuses and kind is not None and key is not None:
            self.refused.setdefault((kind, key), line)

    def refuse_file(self, field: str, reason: str) -> None:
        self.readable = False
        self.problem(1, None, None, field, reason)

    def take(self, line: int, kind: str, key: Key | None, document: Document) -> None:
        """Validate one record through its entity and keep it, or keep the reason it is refused."""
        since = KINDS[kind].since
        if self.version < since:
            self.problem(line, kind, key, "type", f"{FORMAT} version {self.version} holds no {kind}; it came with version {since}")
            return
        if key is not None:
            first = self.lines.get((kind, key))
            if first is not None:
                field = KINDS[kind].key[-1]
                self.problem(
                    line, kind, key, field, f"{kind} {key} is on line {first} already; a record appears once in a file", refuses=False
                )
                return
            self.lines[(kind, key)] = line
        try:
            entity = _sorted_links(from_document(kind, document))
            _storable(kind, entity)
        except InvalidInput as error:
            self.problem(line, kind, key, error.field, error.message)
            return
        self.rows.append(Row(line, kind, entity, self.file))

    def decoded(self, lines: Iterable[bytes]) -> Iterator[tuple[int, str]]:
        for number, raw in enumerate(lines, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                self.problem(number, None, None, "encoding", f"the line is not UTF-8 (byte {error.start + 1})")
                text = raw.decode("utf-8", errors="replace")
            yield number, text.removeprefix("\ufeff") if number == 1 else text

    def read_jsonl(self, lines: Iterable[bytes]) -> None:
        """Read a JSON Lines file: the header, then one record per line (blank lines are skipped)."""
        numbered = self.decoded(lines)
        first = next(numbered, (1, ""))
        if not self.check_header(first[1]):
            return
        for number, text in numbered:
            if text.strip():
                self._record(number, text)

    def check_header(self, text: str) -> bool:
        example = header()
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if not isinstance(value, dict) or "format" not in value:
            self.refuse_file("format", f"the first line is not the header {example} of a {FORMAT} file in JSON Lines")
        elif value["format"] != FORMAT:
            self.refuse_file("format", f"the format {value['format']!r} is not one this version reads; it reads {example}")
        elif value.get("version") not in READABLE or isinstance(value.get("version"), bool):
            versions = " and ".join(str(version) for version in sorted(READABLE))
            self.refuse_file(
                "version", f"{FORMAT} version {value.get('version')!r} is not one this version reads; it reads versions {versions}"
            )
        else:
            self.version = value["version"]
        return self.readable

    def _record(self, number: int, text: str) -> None:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            self.problem(number, None, None, "json", f"not valid JSON: {error.msg} at column {error.colno}")
            return
        if not isinstance(value, dict):
            self.problem(number, None, None, "json", "a record is one JSON object on one line")
            return
        kind = value.pop("type", None)
        if not isinstance(kind, str) or kind not in KINDS:
            reason = "a record names its kind in 'type'" if kind is None else f"{kind!r} is not a kind of record"
            self.problem(number, None, None, "type", f"{reason}: one of {', '.join(KINDS)}")
            return
        if kind == "Actor":
            code = value.get("code")
            key: Key | None = code if isinstance(code, str) else None
            if "id" in value:
                self.problem(number, kind, key, "id", "an actor is keyed by its code; its id belongs to one database and is not exchanged")
                return
        elif kind == "Membership":
            parts = [value.get(name) for name in ("organisation", "state", "joined")]
            key = membership_key(*parts) if all(isinstance(part, str) and part for part in parts) else None
            if "id" in value:
                self.problem(
                    number,
                    kind,
                    key,
                    "id",
                    "a membership is keyed by its organisation, state and joined; its id belongs to one database and is not exchanged",
                )
                return
        else:
            id = value.get("id")
            if not isinstance(id, int) or isinstance(id, bool) or not 1 <= id <= MAX_RECORD_ID:
                self.problem(number, kind, None, "id", f"every {kind} has its id, a whole number from 1 to {MAX_RECORD_ID}")
                return
            key = id
        self.take(number, kind, key, value)

    def read_csv(self, lines: Iterable[bytes]) -> None:
        """Read a CSV of measures: a header naming the columns, then one measure per row (blank rows are skipped)."""
        texts = (text for _, text in self.decoded(lines))
        reader = csv.reader(texts)
        try:
            names = [name.strip().lower() for name in next(reader, [])]
            if not self._csv_header(names):
                return
            previous = reader.line_num
            for cells in reader:
                line, previous = previous + 1, reader.line_num
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(names):
                    self.problem(line, "Expulsion", None, "row", f"the row has {len(cells)} cells; the header names {len(names)} columns")
                    continue
                self._csv_row(line, dict(zip(names, (unguard(cell.strip()) for cell in cells), strict=True)))
        except csv.Error as error:
            self.problem(reader.line_num, None, None, "csv", f"the file stops being CSV here ({error}); nothing after it was read")

    def _csv_header(self, names: list[str]) -> bool:
        columns = ", ".join(CSV_COLUMNS)
        if not names:
            self.refuse_file("header", f"the file is empty; a CSV of measures starts with a header line naming its columns ({columns})")
        elif unknown := [name for name in names if name not in CSV_COLUMNS]:
            self.refuse_file("header", f"unknown column {unknown[0]!r}; the columns are {columns}")
        elif repeated := sorted({name for name in names if names.count(name) > 1}):
            self.refuse_file("header", f"the column {repeated[0]!r} is named twice")
        elif missing := [name for name in CSV_REQUIRED if name not in names]:
            self.refuse_file("header", f"the required column {missing[0]!r} is missing; required are {', '.join(CSV_REQUIRED)}")
        return self.readable

    def _csv_row(self, line: int, cells: dict[str, str]) -> None:
        """Take the row's measure, or find it on an earlier row with the same measure cells; keep its source and citation."""
        measure = tuple((name, cell) for name, cell in cells.items() if name in MEASURE_COLUMNS)
        cited = {name: cell for name, cell in cells.items() if cell and name not in MEASURE_COLUMNS}
        earlier = self._measure_lines.get(measure)
        if earlier is None:
            count = len(self.rows)
            self._csv_measure(line, dict(measure))
            row = self.rows[-1] if len(self.rows) > count else None
            self._measure_lines[measure] = (line, row)
        elif earlier[1] is None:
            self.problem(line, "Expulsion", None, "row", f"the measure of this row is the one on line {earlier[0]}, which is refused")
            return
        else:
            row = earlier[1]
        if row is not None and cited:
            self.cited.append(CitedSource(line, row, cited, self.file))

    def _csv_measure(self, line: int, cells: dict[str, str]) -> None:
        values: dict[str, Any] = {name: cell for name, cell in cells.items() if cell}
        key: int | None = None
        try:
            if "id" in values:
                key = values["id"] = whole_number("id", values["id"])
                if not 1 <= key <= MAX_RECORD_ID:
                    raise InvalidInput("id", f"an id is a whole number from 1 to {MAX_RECORD_ID}")
            for name in _CSV_IDS:
                if name in values:
                    values[name] = whole_number(name, values[name])
            for name in _CSV_ID_LISTS:
                if name in values:
                    values[name] = [whole_number(name, part.strip()) for part in values[name].split(";") if part.strip()]
        except InvalidInput as error:
            self.problem(line, "Expulsion", key, error.field, error.message)
            return
        qualifier = values.pop("headcount_qualifier", None)
        number = values.pop("headcount_value", None)
        if qualifier is not None:
            values["headcount"] = {"qualifier": qualifier, "value": number}
        elif number is not None:
            self.problem(line, "Expulsion", key, "headcount_qualifier", "a headcount value needs its qualifier")
            return
        self.take(line, "Expulsion", key, values)


def _storable(kind: str, entity: Any) -> None:
    """Refuse what the entity allows but no store can keep: ids out of range, actor codes of the wrong shape."""
    ids = [("id", entity.id)] if kind not in KEYED_BY_FIELDS else []
    for field_name, id in [*ids, *((name, id) for name, _, id in _references(kind, entity))]:
        if id is not None and not 1 <= id <= MAX_ID:
            raise InvalidInput(field_name, f"{id} is out of range: an id is a whole number from 1 to {MAX_ID}")
    if kind == "Actor":
        for field_name, shape, text in (("alpha3", _ALPHA3, "three capital letters"), ("numeric", _NUMERIC, "three digits")):
            value = getattr(entity, field_name)
            if value is not None and not shape.fullmatch(value):
                raise InvalidInput(field_name, f"{field_name} {value!r} is not {text}, as ISO 3166 writes it")


def whole_number(field: str, text: str) -> int:
    stripped = text.strip()
    if not stripped.isascii() or not stripped.lstrip("+-").isdigit():
        raise InvalidInput(field, f"{field} {text!r} is not a whole number in ASCII digits")
    return int(stripped)


class _Actors:
    """Finds an actor by any code it answers to, the way the actor repository does (`named_by`)."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        by_code = {actor.code: actor for actor in actors}
        codes = {*by_code, *(actor.alpha3 for actor in by_code.values() if actor.alpha3)}
        self._named = named_by(codes, by_code.values())

    def find(self, code: str) -> Actor | None:
        return self._named.get(code)


def _new_actor_refusal(actor: Actor, known: _Actors, catalogue: StateCatalogue | None) -> str | None:
    """Why a new actor may not be added, as the API would refuse it; None when it may."""
    clash = known.find(actor.code)
    if clash is not None:
        return f"code {actor.code} already names {clash.code}"
    if actor.is_state and catalogue is not None:
        listed = catalogue.lookup(actor.code)
        if listed is None or listed.code != actor.code or listed.kind is not actor.kind:
            return f"{actor.code} is not a {actor.kind.value.replace('_', ' ')} of ISO 3166; states come from the ISO catalogue"
    return None


NaturalKey = tuple[str, str, str, str]
"""A measure's actor, target, type and announcement date: how a CSV row without id is found."""


def natural_key(measure: Expulsion) -> NaturalKey:
    return (measure.actor, measure.target, measure.measure_type.value, str(measure.announced))


def _document(entity: Any) -> Document:
    document = to_document(entity)
    document.pop("id")
    return document


def _misfit(entity: Any, field: str, other: Any) -> str | None:
    """Why `entity` cannot refer to `other` through `field`, by the entity's own rule (the use cases apply the
    same ones); None when it can."""
    rule = KINDS[kind_of(entity)].reference(field).fit
    if rule is None:
        return None
    try:
        getattr(entity, rule)(other)
    except InvalidInput as error:
        return error.message
    return None


def _references(kind: str, entity: Any) -> Iterator[tuple[str, str, int]]:
    """Each (field, kind, id) by which a record refers to another record by id."""
    for reference in KINDS[kind].references:
        if KINDS[reference.target].keyed_by_fields:
            continue
        value = getattr(entity, reference.field)
        for id in value if reference.link else () if value is None else (value,):
            yield reference.field, reference.target, id


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
        self._stored: Mapping[str, Mapping[int, Any]] = {}

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

    def _refuse(self, row: Row, field_name: str, reason: str) -> None:
        key = row.key
        self.problems.append(Problem(row.line, row.kind, None if key is None else str(key), snake(field_name), reason, row.file))

    def _missing(self, kind: str, key: Key) -> str:
        line = self.reader.refused.get((kind, key))
        return f"{kind} {key} does not exist" if line is None else f"{kind} {key} is refused (line {line})"

    def _compare(self, row: Row, stored: Any) -> None:
        """File the row as unchanged, replacing `stored`, or refused for differing from it."""
        kind, key = row.kind, row.key
        before, after = _document(stored), _document(row.entity)
        if before == after:
            self.unchanged[kind] += 1
            return
        differing = changed_fields(before, after)
        if not self.replace:
            self._refuse(row, differing[0], f"{kind} {key} exists with different content ({', '.join(differing)}); --replace overwrites it")
            return
        if kind == "Actor" and (fixed := [name for name in differing if name in FIXED_FIELDS]):
            self._refuse(row, fixed[0], f"the {', '.join(fixed)} of actor {key} cannot change; only its names can be replaced")
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
                reason = _new_actor_refusal(row.entity, known, catalogue)
                if reason is not None:
                    self._refuse(row, "code", reason)
                else:
                    self.added["Actor"].append(row.entity)
            else:
                self._compare(row, existing)
            if len(self.problems) == count:
                self._keep(row)
        actors = _Actors([*by_code.values(), *self._final["Actor"].values()])
        self._rows = [row for row in others if self._canonical(row, actors)]

    def _canonical(self, row: Row, actors: _Actors) -> bool:
        changes: dict[str, str] = {}
        for field_name, states_only in ((ref.field, ref.states_only) for ref in KINDS[row.kind].references if ref.target == "Actor"):
            code = getattr(row.entity, field_name)
            if code is None:
                continue
            try:
                wanted = normalise_code(field_name, code)
            except InvalidInput as error:
                self._refuse(row, field_name, error.message)
                return False
            actor = actors.find(wanted)
            if actor is None:
                self._refuse(row, field_name, self._missing("Actor", wanted))
                return False
            if states_only and not actor.is_state:
                self._refuse(row, field_name, f"{actor.code} is an organisation; a state is needed here")
                return False
            if row.kind == "Membership" and field_name == "organisation" and actor.kind is not ActorKind.ORGANISATION:
                self._refuse(row, field_name, f"{actor.code} is not an organisation; only an organisation has members")
                return False
            if actor.code != code:
                changes[field_name] = actor.code
        if changes:
            try:
                row.entity = dataclasses.replace(row.entity, **changes)
            except InvalidInput as error:
                self._refuse(row, error.field, error.message)
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
        self._stored = stored
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
                self._refuse(row, "joined", f"Membership {key} is on line {lines[key]} already; a record appears once in a file")
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
                self._refuse(row, "id", f"the measure {described} is on line {seen[key]} already; give each row its id")
                continue
            seen[key] = row.line
            candidates = sorted({*natural.get(key, ()), *keyed.get(key, ())})
            if len(candidates) > 1:
                self._refuse(row, "id", f"measures {', '.join(map(str, candidates))} all are {described}; give the row its id")
                continue
            if candidates and ("Expulsion", candidates[0]) in lines:
                self._refuse(
                    row, "id", f"this is Expulsion {candidates[0]}, which is on line {lines[('Expulsion', candidates[0])]} already"
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
                reason = self._missing(kind, id) if other is None else _misfit(row.entity, field_name, other)
                if reason is not None:
                    self._refuse(row, field_name, reason)
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
                    reason = _misfit(record, field_name, self._final[target][id])
                    if reason is not None:
                        row = self._kept[(target, id)]
                        because = f"stored {kind} {record.id} refers to it ({field_name}): {reason}"
                        self.problems.append(Problem(row.line, target, str(id), "input", because, row.file))

    def _check_cycles(self, stored_answers: Mapping[int, Sequence[int]]) -> None:
        measures: Mapping[Key, Expulsion] = self._final["Expulsion"]

        def answered(id: int) -> Sequence[int]:
            found = measures.get(id)
            return found.answers if found is not None else stored_answers.get(id, ())

        visiting, done = set[int](), set[int]()
        for start in sorted(int(key) for key in measures):
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
                    culprit = next((id for id in reversed(cycle[:-1]) if id in measures), start)
                    row = self._kept[("Expulsion", culprit)]
                    because = f"these answers would close a cycle: {' answers '.join(map(str, cycle))}"
                    self.problems.append(Problem(row.line, "Expulsion", str(culprit), "answers", because, row.file))
                elif child not in done:
                    path.append(child)
                    stack.append(iter(answered(child)))
                    visiting.add(child)


@dataclass(frozen=True, slots=True)
class Selection:
    """Which part of the record an export writes.

    `kinds` keeps only those kinds of record. Any measure filter (a party, an actor, a target,
    an announcement period) selects the matching measures and, so that the file can be
    imported on its own, everything they need: the measures they answer (transitively), the
    statements about any selected measure (and the measures those are about), the citations
    of all of these and their sources, the missions, people and waves the measures name, and
    the actors any of them names.
    """

    kinds: frozenset[str] = frozenset(KINDS)
    party: str | None = None
    actor: str | None = None
    target: str | None = None
    announced: DateRange | None = None

    def __post_init__(self) -> None:
        unknown = sorted(self.kinds - set(KINDS))
        if unknown:
            raise InvalidInput("kind", f"{unknown[0]!r} is not a kind of record: use one of {', '.join(KINDS)}")
        for name in ("party", "actor", "target"):
            code = getattr(self, name)
            if code is not None:
                object.__setattr__(self, name, normalise_code(name, code))

    @property
    def narrows_measures(self) -> bool:
        return any(value is not None for value in (self.party, self.actor, self.target, self.announced))

    def measures(self, codes: Mapping[str, str]) -> ExpulsionFilter:
        """The measure filter, each code replaced by the code of the actor it names (`codes`)."""

        def code(value: str | None) -> tuple[str, ...] | None:
            return None if value is None else (codes[value],)

        return ExpulsionFilter(party=code(self.party), actor=code(self.actor), target=code(self.target), announced=self.announced)

    @property
    def codes(self) -> list[str]:
        """The actor codes the filter names."""
        return [code for code in (self.party, self.actor, self.target) if code is not None]
