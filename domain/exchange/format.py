"""The exchange format's constants, cell guarding, header, encoding, and the problems and report of an import."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.errors import Code, DomainError, InvalidInput
from domain.record.documents import to_document
from domain.record.kinds import KINDS, kind_of

FORMAT = "demarche-record"
VERSION = 3
"""The version an export writes: 2 added memberships, 3 a membership's `source_checked` and `basis`."""
READABLE = frozenset({1, 2, 3})
"""The versions an import reads: a version 1 file is read as before (it holds no memberships); a version 2 file's
memberships are read as unverified spells resting on a treaty, the defaults of the fields version 3 added."""

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
    "reason_category",
    "legal_basis",
    "stated_reason",
    "target_mission_id",
    "notified",
    "deadline",
    "departed",
    "diplomat_ids",
    "answers",
    "wave_id",
)
"""A measure's columns in a CSV of measures: those of `expulsions.csv`, in its order (checked where that is derived)."""
NAME_COLUMNS = {"actor_name": "actor", "target_name": "target"}
"""Read-only columns: the name of the actor a code column names, written beside it for spreadsheet users and left aside
on import (a name is the actor's, not the measure's)."""
SOURCE_COLUMNS = ("source_id", "source_url", "source_publisher", "source_title", "source_kind", "source_published")
"""The columns by which a row of a CSV of measures names its source: stored by id, matched by URL or publisher and title, or new."""
CITATION_COLUMNS = ("citation_id", "citation_excerpt", "citation_headcount_qualifier", "citation_headcount_value")
"""The columns of the citation a row gives its measure: what the source said and the figure it reported."""
NAMED_MEASURE_COLUMNS = tuple(
    name for column in MEASURE_COLUMNS for name in (column, *(named for named, code in NAME_COLUMNS.items() if code == column))
)
"""The measure's columns with each name column right after its code: `id, actor, actor_name, target, target_name, ...`."""
CSV_COLUMNS = (*NAMED_MEASURE_COLUMNS, *SOURCE_COLUMNS, *CITATION_COLUMNS)
"""Every column a CSV of measures may have, in the order `measures_with_citations.csv` writes them: the measure's (each
name column right after its code), its source's, its citation's."""
CSV_REQUIRED = ("actor", "target", "measure_type", "announced", "headcount_qualifier")

MAX_ID = 2**31 - 1
"""The largest id both databases store."""
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
    code: Code = Code.INVALID_VALUE
    """The rule the line breaks, as the API names it."""

    def __str__(self) -> str:
        subject = " ".join(part for part in (self.kind, self.key) if part)
        where = f"{self.file} line {self.line}" if self.file else f"line {self.line}"
        return f"{where}: {subject + ': ' if subject else ''}{self.code.name} {self.field}: {self.reason}"


class ImportRefused(DomainError):
    """A file had bad rows, so nothing of it was written; `problems` names every one, in line order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda problem: (problem.file or "", problem.line))
        super().__init__(f"the file was refused and nothing was written: {self.tally()}, first {self.problems[0]}")

    def tally(self) -> str:
        """How many lines are bad, and how many rules they break when that is more (`2 bad rows, 4 broken rules`)."""
        rows, count = len({(problem.file, problem.line) for problem in self.problems}), len(self.problems)
        return f"{rows} bad row{'s' if rows != 1 else ''}" + (f", {count} broken rules" if count != rows else "")


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
    absent: frozenset[str] = frozenset()
    """The citation's fields the file has no column for (see `Row.absent`)."""


@dataclass(slots=True)
class Row:
    """One record read from a file; its entity is valid on its own, references not yet checked."""

    line: int
    kind: str
    entity: Any
    file: str | None = None
    absent: frozenset[str] = frozenset()
    """The fields the file has no column for. A stored record the row replaces keeps its own values there: a column
    left out of a CSV file says nothing about a field, where an empty cell in a column the file has clears it."""

    @property
    def key(self) -> Key | None:
        """The actor's code, the membership's `membership_key` or the record's id; None for a CSV measure without id."""
        if self.kind == "Membership":
            return membership_key(self.entity.organisation, self.entity.state, self.entity.joined)
        key: Key | None = self.entity.code if self.kind == "Actor" else self.entity.id
        return key


def whole_number(field: str, text: str) -> int:
    stripped = text.strip()
    if not stripped.isascii() or not stripped.lstrip("+-").isdigit():
        raise InvalidInput(field, f"{field} {text!r} is not a whole number in ASCII digits", Code.INVALID_NUMBER)
    return int(stripped)


def _references(kind: str, entity: Any) -> Iterator[tuple[str, str, int]]:
    """Each (field, kind, id) by which a record refers to another record by id."""
    for reference in KINDS[kind].references:
        if KINDS[reference.target].keyed_by_fields:
            continue
        value = getattr(entity, reference.field)
        for id in value if reference.link else () if value is None else (value,):
            yield reference.field, reference.target, id
