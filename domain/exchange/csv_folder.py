"""The record as a folder of CSV files, one per kind of record, and back (docs/exchange.md).

Each kind's file holds the fields of the JSON Lines format, one record per row: a headcount
as two columns `<field>_qualifier` and `<field>_value`, a list of ids joined by `;`, no value
as an empty cell. Cells a spreadsheet would run as a formula are written with a leading
apostrophe, which reading takes off again, so a folder read back gives the same records.
Pure: rows go in and out as text; the adapters open the files.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import types
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.errors import Code, InvalidInput
from domain.exchange.format import (
    CITATION_COLUMNS,
    CSV_COLUMNS,
    KEYED_BY_FIELDS,
    MEASURE_COLUMNS,
    NAME_COLUMNS,
    NAMED_MEASURE_COLUMNS,
    SOURCE_COLUMNS,
    Row,
    guard,
    membership_key,
    snake,
    whole_number,
)
from domain.exchange.reader import RecordFileReader
from domain.record.documents import NOT_IN_DOCUMENTS, Document, to_document
from domain.record.kinds import KINDS
from domain.record.values import MAX_RECORD_ID, Headcount

BOM = "\ufeff"
"""Written first in every file, so that spreadsheets read the file as UTF-8."""
MANIFEST = "format.json"
"""The folder's header: the JSON Lines header line, naming the format and its version."""
FILES: dict[str, str] = {kind: f"{snake(kind)}s.csv" for kind in KINDS}
"""Each kind's file in a folder: `actors.csv`, `expulsions.csv`, ..."""
SEPARATOR = ";"
"""Between the ids of a list in one cell."""


@dataclass(frozen=True, slots=True)
class Column:
    """One field of a kind, as the CSV files write it: `shape` is text, whole, ids or headcount."""

    field: str
    shape: str

    @property
    def names(self) -> tuple[str, ...]:
        """The header names of its cells: two for a headcount, one otherwise."""
        if self.shape == "headcount":
            return (f"{self.field}_qualifier", f"{self.field}_value")
        return (self.field,)

    def cells(self, value: Any) -> list[str]:
        """The cells of one document value."""
        if self.shape == "headcount":
            if value is None:
                return ["", ""]
            number = value["value"]
            return [value["qualifier"], "" if number is None else str(number)]
        if value is None:
            return [""]
        if self.shape == "ids":
            return [SEPARATOR.join(str(id) for id in value)]
        return [guard(str(value))]

    def value(self, cells: Sequence[str]) -> Any:
        """The document value of its cells (already unguarded); `InvalidInput` when one is not what it must be."""
        if self.shape == "headcount":
            qualifier, number = cells
            if not qualifier and not number:
                return None
            return {"qualifier": qualifier or None, "value": whole_number(self.names[1], number) if number else None}
        (cell,) = cells
        if self.shape == "ids":
            return [whole_number(self.field, part) for part in cell.split(SEPARATOR) if part.strip()]
        if not cell:
            return None
        return whole_number(self.field, cell) if self.shape == "whole" else cell


def _shape(hint: Any) -> str:
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    kind = next(option for option in options if option is not type(None))
    if typing.get_origin(kind) is tuple:
        return "ids"
    if kind is Headcount:
        return "headcount"
    return "whole" if kind is int else "text"


def _columns(kind: str) -> tuple[Column, ...]:
    cls = KINDS[kind].entity
    hints = typing.get_type_hints(cls)
    names = [field.name for field in dataclasses.fields(cls) if field.name not in NOT_IN_DOCUMENTS and field.name != "id"]
    if kind not in KEYED_BY_FIELDS:
        names = ["id", *names]
    return tuple(Column(name, _shape(hints[name])) for name in names)


COLUMNS: dict[str, tuple[Column, ...]] = {kind: _columns(kind) for kind in KINDS}
"""Each kind's columns, in the order of the JSON Lines format: the key first, then every field."""


def header_names(kind: str) -> list[str]:
    return [name for column in COLUMNS[kind] for name in column.names]


if list(MEASURE_COLUMNS) != header_names("Expulsion"):
    raise TypeError(f"a CSV of measures must name a measure's columns as expulsions.csv does: {header_names('Expulsion')}")


def row(entity: object, kind: str) -> list[str]:
    """One record as the cells of its row."""
    document = to_document(entity)
    return [cell for column in COLUMNS[kind] for cell in column.cells(document[column.field])]


def text(rows: Iterable[Sequence[str]]) -> str:
    """Rows as RFC 4180 CSV: comma-separated, quoted where needed, each row ending with CRLF."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def head(kind: str) -> str:
    """The start of a kind's file: the byte-order mark and the header row."""
    return BOM + text([header_names(kind)])


def read_kind(reader: RecordFileReader, kind: str, lines: Iterable[bytes]) -> None:
    """Read one kind's file into `reader`: its header row, then one record per row (blank rows are skipped)."""
    kept = reader.drain()
    kept.extend(stream_kind(reader, kind, lines))
    reader.rows = kept


def stream_kind(reader: RecordFileReader, kind: str, lines: Iterable[bytes]) -> Iterator[Row]:
    """As `read_kind`, giving each good row as it is read instead of keeping it in `reader`."""
    known = header_names(kind)
    keys = {"Actor": ("code",), "Membership": ("organisation", "state", "joined")}.get(kind, ("id",))
    for line, cells in reader.csv_rows(lines, known, keys, kind, kind, strip=False):
        _record(reader, line, kind, cells)
        if reader.rows:
            yield from reader.drain()


def _record(reader: RecordFileReader, line: int, kind: str, cells: dict[str, str]) -> None:
    record_key: int | str | None = None
    document: Document = {}
    try:
        if kind == "Actor":
            record_key = cells["code"] or None
        elif kind == "Membership":
            parts = [cells["organisation"], cells["state"], cells["joined"]]
            record_key = membership_key(*parts) if all(parts) else None
        else:
            record_key = whole_number("id", cells["id"])
            if not 1 <= record_key <= MAX_RECORD_ID:
                raise InvalidInput("id", f"every {kind} has its id, a whole number from 1 to {MAX_RECORD_ID}", Code.INVALID_ID)
        for column in COLUMNS[kind]:
            if all(name in cells for name in column.names):
                document[column.field] = column.value([cells[name] for name in column.names])
            elif any(name in cells for name in column.names):
                missing = next(name for name in column.names if name not in cells)
                raise InvalidInput(missing, f"the column {missing!r} goes with {', '.join(column.names)}", Code.FIELDS_GO_TOGETHER)
    except InvalidInput as error:
        reader.refused_for(line, kind, record_key, error)
        return
    absent = frozenset(column.field for column in COLUMNS[kind] if not any(name in cells for name in column.names))
    reader.take(line, kind, record_key, document, absent)


FLAT_FILE = "measures_with_citations.csv"
"""The spreadsheet view of a folder: one row per measure and citation, in the columns of a CSV of measures."""
FLAT_COLUMNS = CSV_COLUMNS
"""The measure's columns of expulsions.csv in its order, the actor's and target's names beside their codes, then the
source's and the citation's."""


def named(kind: str, cells: Sequence[str]) -> dict[str, str]:
    """A row's cells by column name."""
    return dict(zip(header_names(kind), cells, strict=True))


def flat_rows(
    measure: Mapping[str, str],
    citations: Sequence[Mapping[str, str]],
    sources: Mapping[str, Mapping[str, str]],
    names: Mapping[str, str],
) -> list[list[str]]:
    """A measure's rows in the spreadsheet view: one per citation (in id order), or one without a source.

    Each argument is the named cells of a row: the measure's, its citations', and every source's by id; `names` holds
    each actor's name cell by its code.
    """
    measure_cells = [
        names.get(measure[NAME_COLUMNS[name]], "") if name in NAME_COLUMNS else measure[name] for name in NAMED_MEASURE_COLUMNS
    ]
    if not citations:
        return [measure_cells + [""] * (len(SOURCE_COLUMNS) + len(CITATION_COLUMNS))]
    rows: list[list[str]] = []
    for cited in citations:
        source = sources[cited["source_id"]]
        source_cells = [source[name.removeprefix("source_")] for name in SOURCE_COLUMNS]
        citation_cells = [cited["id"], cited["excerpt"], cited["reported_headcount_qualifier"], cited["reported_headcount_value"]]
        rows.append(measure_cells + source_cells + citation_cells)
    return rows
