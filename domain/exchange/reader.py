"""Reads a record file, JSON Lines or a CSV of measures, into validated rows and the problems of every bad line."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from domain.errors import Code, InvalidInput
from domain.exchange.compact import KeyLines
from domain.exchange.format import (
    CSV_COLUMNS,
    CSV_REQUIRED,
    FORMAT,
    KEYED_BY_FIELDS,
    MAX_ID,
    MEASURE_COLUMNS,
    NAME_COLUMNS,
    READABLE,
    VERSION,
    CitedSource,
    Key,
    Problem,
    Row,
    _references,
    header,
    membership_key,
    snake,
    unguard,
    whole_number,
)
from domain.record.documents import Document, from_document
from domain.record.kinds import KINDS, kind_of
from domain.record.values import MAX_RECORD_ID

_CSV_IDS = ("headcount_value", "target_mission_id", "wave_id")
_CSV_ID_LISTS = ("answers", "diplomat_ids")
_ALPHA3 = re.compile(r"[A-Z]{3}")
_NUMERIC = re.compile(r"[0-9]{3}")


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
        self.lines = KeyLines()
        """The line of each record read, by kind and key."""
        self.file: str | None = None
        """The file of a folder being read, named in rows and problems; None for a single file."""
        self.cited: list[CitedSource] = []
        """The sources and citations the rows of a CSV of measures give, in line order."""
        self._measure_lines: dict[tuple[tuple[str, str], ...], tuple[int, Row | None]] = {}
        """Each measure of a CSV of measures by its cells: its first line and its row (None when refused)."""

    def problem(self, line: int, kind: str | None, key: Key | None, field: str, reason: str, *, code: Code, refuses: bool = True) -> None:
        self.problems.append(Problem(line, kind, None if key is None else str(key), snake(field), reason, self.file, code))
        if refuses and kind is not None and key is not None:
            self.refused.setdefault((kind, key), line)

    def refused_for(self, line: int, kind: str | None, key: Key | None, error: InvalidInput) -> None:
        """A problem on the line for every rule `error` reports broken."""
        for broken in error.problems:
            self.problem(line, kind, key, broken.path[0], broken.message, code=broken.code)

    def refuse_file(self, field: str, reason: str) -> None:
        self.readable = False
        self.problem(1, None, None, field, reason, code=Code.INVALID_FORMAT)

    def check_csv_header(self, names: list[str], columns: Sequence[str], needed: Sequence[str], row: str) -> bool:
        """Refuse a CSV header row that is empty, names an unknown column or one twice, or leaves out a needed one (each
        `row` names its `needed` columns); True when it is sound and the rows below it may be read."""
        listed, problems = ", ".join(columns), len(self.problems)
        if not names:
            self.refuse_file("header", f"the file is empty; it starts with a header row naming its columns ({listed})")
        elif unknown := [position for position, name in enumerate(names, start=1) if name not in columns]:
            # Named by its position, never quoted: a file that is no CSV of the record (a link to some other file, say)
            # would otherwise have its first line printed.
            self.refuse_file("header", f"column {unknown[0]} of the header is no column of a {row}; its columns are {listed}")
        elif repeated := sorted({name for name in names if names.count(name) > 1}):
            self.refuse_file("header", f"the column {repeated[0]!r} is named twice")
        elif missing := [name for name in needed if name not in names]:
            self.refuse_file("header", f"the column {missing[0]!r} is missing; every {row} row names its {', '.join(needed)}")
        return len(self.problems) == problems

    def take(self, line: int, kind: str, key: Key | None, document: Document, absent: frozenset[str] = frozenset()) -> None:
        """Validate one record through its entity and keep it, or keep the reason it is refused; `absent` names the
        fields the file has no column for (`Row.absent`)."""
        since = KINDS[kind].since
        if self.version < since:
            self.problem(
                line,
                kind,
                key,
                "type",
                f"{FORMAT} version {self.version} holds no {kind}; it came with version {since}",
                code=Code.INVALID_FORMAT,
            )
            return
        if key is not None:
            first = self.lines.get((kind, key))
            if first is not None:
                field = KINDS[kind].key[-1]
                self.problem(
                    line,
                    kind,
                    key,
                    field,
                    f"{kind} {key} is on line {first} already; a record appears once in a file",
                    code=Code.DUPLICATE,
                    refuses=False,
                )
                return
            self.lines[(kind, key)] = line
        try:
            entity = _sorted_links(from_document(kind, document))
            _storable(kind, entity)
        except InvalidInput as error:
            self.refused_for(line, kind, key, error)
            return
        self.rows.append(Row(line, kind, entity, self.file, absent))

    def decoded(self, lines: Iterable[bytes]) -> Iterator[tuple[int, str]]:
        for number, raw in enumerate(lines, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                self.problem(number, None, None, "encoding", f"the line is not UTF-8 (byte {error.start + 1})", code=Code.INVALID_FORMAT)
                text = raw.decode("utf-8", errors="replace")
            yield number, text.removeprefix("\ufeff") if number == 1 else text

    def read_jsonl(self, lines: Iterable[bytes]) -> None:
        """Read a JSON Lines file: the header, then one record per line (blank lines are skipped)."""
        kept = self.drain()
        kept.extend(self.stream_jsonl(lines))
        self.rows = kept

    def stream_jsonl(self, lines: Iterable[bytes]) -> Iterator[Row]:
        """As `read_jsonl`, giving each good row as it is read instead of keeping it."""
        numbered = self.decoded(lines)
        first = next(numbered, (1, ""))
        if not self.check_header(first[1]):
            return
        for number, text in numbered:
            if text.strip():
                self._record(number, text)
                if self.rows:
                    yield from self.drain()

    def drain(self) -> list[Row]:
        """The rows read since the last drain, which the reader no longer keeps."""
        rows, self.rows = self.rows, []
        return rows

    def check_header(self, text: str) -> bool:
        example = header()
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if not isinstance(value, dict) or "format" not in value:
            self.refuse_file("format", f"the first line is not the header {example} of a {FORMAT} file in JSON Lines")
        elif value["format"] != FORMAT:
            self.refuse_file("format", f"the header names another format than {FORMAT}; this version reads {example}")
        elif value.get("version") not in READABLE or isinstance(value.get("version"), bool):
            # A version this one does not know is named only if it is a whole number: the file's text is never echoed.
            given = value.get("version")
            named = f" {given}" if isinstance(given, int) and not isinstance(given, bool) and abs(given) < 10**6 else ""
            versions = " and ".join(str(version) for version in sorted(READABLE))
            self.refuse_file("version", f"{FORMAT} version{named} is not one this version reads; it reads versions {versions}")
        else:
            self.version = value["version"]
        return self.readable

    def _record(self, number: int, text: str) -> None:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            self.problem(number, None, None, "json", f"not valid JSON: {error.msg} at column {error.colno}", code=Code.INVALID_FORMAT)
            return
        if not isinstance(value, dict):
            self.problem(number, None, None, "json", "a record is one JSON object on one line", code=Code.INVALID_SHAPE)
            return
        kind = value.pop("type", None)
        if not isinstance(kind, str) or kind not in KINDS:
            reason = (
                "a record names its kind in 'type'" if kind is None else f"'type' names no kind of record; the kinds are {', '.join(KINDS)}"
            )
            self.problem(number, None, None, "type", f"{reason}: one of {', '.join(KINDS)}", code=Code.INVALID_CHOICE)
            return
        if kind == "Actor":
            code = value.get("code")
            key: Key | None = code if isinstance(code, str) else None
            if "id" in value:
                self.problem(
                    number,
                    kind,
                    key,
                    "id",
                    "an actor is keyed by its code; its id belongs to one database and is not exchanged",
                    code=Code.UNKNOWN_FIELD,
                )
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
                    code=Code.UNKNOWN_FIELD,
                )
                return
        else:
            id = value.get("id")
            if not isinstance(id, int) or isinstance(id, bool) or not 1 <= id <= MAX_RECORD_ID:
                self.problem(
                    number, kind, None, "id", f"every {kind} has its id, a whole number from 1 to {MAX_RECORD_ID}", code=Code.INVALID_ID
                )
                return
            key = id
        self.take(number, kind, key, value)

    def read_csv(self, lines: Iterable[bytes]) -> None:
        """Read a CSV of measures: a header naming the columns, then one measure per row (blank rows are skipped)."""
        for line, cells in self.csv_rows(lines, CSV_COLUMNS, CSV_REQUIRED, "measure", "Expulsion", strip=True):
            self._csv_row(line, cells)

    def csv_rows(
        self, lines: Iterable[bytes], columns: Sequence[str], needed: Sequence[str], row: str, kind: str, *, strip: bool
    ) -> Iterator[tuple[int, dict[str, str]]]:
        """The rows of a CSV file under a sound header row, each with its line number and its cells by column (stripped
        of surrounding spaces when `strip`). Blank rows are skipped; a bad header, a row of the wrong length, or text that
        stops being CSV is a problem of the file."""
        parser = csv.reader(text for _, text in self.decoded(lines))
        try:
            names = [name.strip().lower() for name in next(parser, [])]
            if not self.check_csv_header(names, columns, needed, row):
                return
            previous = parser.line_num
            for cells in parser:
                line, previous = previous + 1, parser.line_num
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(names):
                    self.problem(
                        line,
                        kind,
                        None,
                        "row",
                        f"the row has {len(cells)} cells; the header names {len(names)} columns",
                        code=Code.INVALID_SHAPE,
                    )
                    continue
                yield line, dict(zip(names, (unguard(cell.strip() if strip else cell) for cell in cells), strict=True))
        except csv.Error as error:
            self.problem(
                parser.line_num,
                None,
                None,
                "csv",
                f"the file stops being CSV here ({error}); nothing after it was read",
                code=Code.INVALID_FORMAT,
            )

    def _csv_row(self, line: int, cells: dict[str, str]) -> None:
        """Take the row's measure, or find it on an earlier row with the same measure cells; keep its source and citation."""
        # The name columns are read-only: written beside the codes for spreadsheet users, left aside here.
        cells = {name: cell for name, cell in cells.items() if name not in NAME_COLUMNS}
        measure = tuple((name, cell) for name, cell in cells.items() if name in MEASURE_COLUMNS)
        cited = {name: cell for name, cell in cells.items() if cell and name not in MEASURE_COLUMNS}
        earlier = self._measure_lines.get(measure)
        if earlier is None:
            count = len(self.rows)
            self._csv_measure(line, dict(measure))
            row = self.rows[-1] if len(self.rows) > count else None
            self._measure_lines[measure] = (line, row)
        elif earlier[1] is None:
            self.problem(
                line,
                "Expulsion",
                None,
                "row",
                f"the measure of this row is the one on line {earlier[0]}, which is refused",
                code=Code.DEPENDS_ON_REFUSED,
            )
            return
        else:
            row = earlier[1]
        if row is not None and cited:
            absent = {"excerpt"} if "citation_excerpt" not in cells else set()
            if "citation_headcount_qualifier" not in cells and "citation_headcount_value" not in cells:
                absent.add("reported_headcount")
            self.cited.append(CitedSource(line, row, cited, self.file, frozenset(absent)))

    def _csv_measure(self, line: int, cells: dict[str, str]) -> None:
        values: dict[str, Any] = {name: cell for name, cell in cells.items() if cell}
        key: int | None = None
        try:
            if "id" in values:
                key = values["id"] = whole_number("id", values["id"])
                if not 1 <= key <= MAX_RECORD_ID:
                    raise InvalidInput("id", f"an id is a whole number from 1 to {MAX_RECORD_ID}", Code.INVALID_ID)
            for name in _CSV_IDS:
                if name in values:
                    values[name] = whole_number(name, values[name])
            for name in _CSV_ID_LISTS:
                if name in values:
                    values[name] = [whole_number(name, part.strip()) for part in values[name].split(";") if part.strip()]
        except InvalidInput as error:
            self.refused_for(line, "Expulsion", key, error)
            return
        qualifier = values.pop("headcount_qualifier", None)
        number = values.pop("headcount_value", None)
        if qualifier is not None:
            values["headcount"] = {"qualifier": qualifier, "value": number}
        elif number is not None:
            self.problem(
                line, "Expulsion", key, "headcount_qualifier", "a headcount value needs its qualifier", code=Code.FIELDS_GO_TOGETHER
            )
            return
        # A measure column the file leaves out says nothing about the field (the id aside: a row without it is matched).
        absent = frozenset(name for name in MEASURE_COLUMNS if name not in cells and name not in _HEADCOUNT_COLUMNS and name != "id")
        self.take(line, "Expulsion", key, values, absent)


_HEADCOUNT_COLUMNS = ("headcount_qualifier", "headcount_value")
"""The two columns of a measure's headcount; the qualifier's is always there (CSV_REQUIRED)."""


def _storable(kind: str, entity: Any) -> None:
    """Refuse what the entity allows but no store can keep: ids out of range, actor codes of the wrong shape."""
    ids = [("id", entity.id)] if kind not in KEYED_BY_FIELDS else []
    for field_name, id in [*ids, *((name, id) for name, _, id in _references(kind, entity))]:
        if id is not None and not 1 <= id <= MAX_ID:
            raise InvalidInput(field_name, f"{id} is out of range: an id is a whole number from 1 to {MAX_ID}", Code.INVALID_ID)
    if kind == "Actor":
        for field_name, shape, text in (("alpha3", _ALPHA3, "three capital letters"), ("numeric", _NUMERIC, "three digits")):
            value = getattr(entity, field_name)
            if value is not None and not shape.fullmatch(value):
                raise InvalidInput(field_name, f"{field_name} {value!r} is not {text}, as ISO 3166 writes it", Code.INVALID_ACTOR_CODE)
