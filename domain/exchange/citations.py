"""The sources and citations given on the rows of a CSV of measures, matched against the store (docs/exchange.md).

A row names its source by `source_id` (a stored source), else by `source_url`, else by
`source_publisher` and `source_title`: a match with one stored source (or one the file
creates on an earlier row) is that source, a match with several is refused as ambiguous, and
no match creates a new source from the row's source cells. The row's citation of its measure
is keyed by `citation_id`, else by its source and measure: a stored citation of the same
source for the same measure is that citation, so importing the same file twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from domain.errors import Code, InvalidInput
from domain.exchange.format import CitedSource, Problem, Row, snake, whole_number
from domain.record.documents import from_document, to_document
from domain.record.sources import Citation, Source
from domain.record.values import MAX_RECORD_ID

_SOURCE_FIELDS = ("publisher", "title", "kind", "url", "published")


class _Refused(Exception):
    def __init__(self, column: str, reason: str, code: Code) -> None:
        self.column, self.reason, self.code = column, reason, code


def _id(column: str, cell: str) -> int:
    try:
        id = whole_number(column, cell)
    except InvalidInput as error:
        raise _Refused(column, error.message, error.code) from None
    if not 1 <= id <= MAX_RECORD_ID:
        raise _Refused(column, f"an id is a whole number from 1 to {MAX_RECORD_ID}", Code.INVALID_ID)
    return id


def wanted_sources(cited: Iterable[CitedSource]) -> tuple[set[int], set[str], set[str]]:
    """The stored sources the rows may name: by id, by URL, and by title (publisher is compared once found)."""
    ids: set[int] = set()
    urls: set[str] = set()
    titles: set[str] = set()
    for row in cited:
        cell = row.cells.get("source_id", "")
        if cell.isascii() and cell.isdigit() and 1 <= int(cell) <= MAX_RECORD_ID:
            ids.add(int(cell))
        if "source_url" in row.cells:
            urls.add(row.cells["source_url"])
        if "source_title" in row.cells:
            titles.add(row.cells["source_title"])
    return ids, urls, titles


class CitationRows:
    """Turns the cited rows into Source rows (for new sources) and Citation rows, each with its id, or problems."""

    def __init__(self, sources: Iterable[Source], citations: Iterable[Citation], next_source_id: int, next_citation_id: int) -> None:
        self._by_id: dict[int, Source] = {}
        self._by_url: dict[str, list[Source]] = {}
        self._by_name: dict[tuple[str, str], list[Source]] = {}
        for source in sources:
            self._index(source)
        self._citations: dict[tuple[int, int], list[int]] = {}
        for citation in citations:
            if citation.measure_id is not None and citation.id is not None:
                self._citations.setdefault((citation.source_id, citation.measure_id), []).append(citation.id)
        self._next_source_id, self._next_citation_id = next_source_id, next_citation_id
        self._new_sources: dict[int, int] = {}
        """The line that created each new source, by id."""
        self._pairs: dict[tuple[int, int], int] = {}
        self._citation_ids: dict[int, int] = {}
        self.rows: list[Row] = []
        self.problems: list[Problem] = []

    def _index(self, source: Source) -> None:
        assert source.id is not None
        self._by_id[source.id] = source
        if source.url is not None:
            self._by_url.setdefault(source.url, []).append(source)
        self._by_name.setdefault((source.publisher, source.title), []).append(source)

    def take(self, cited: Sequence[CitedSource]) -> None:
        for row in cited:
            if row.measure.entity.id is None:
                continue  # the measure's own row is refused, and reported
            try:
                source_id = self._source(row)
                self._citation(row, source_id)
            except _Refused as refused:
                self.problems.append(
                    Problem(row.line, "Expulsion", str(row.measure.entity.id), refused.column, refused.reason, row.file, refused.code)
                )

    def _source(self, row: CitedSource) -> int:
        cells = row.cells
        given = {field: cells[f"source_{field}"] for field in _SOURCE_FIELDS if f"source_{field}" in cells}
        if "source_id" in cells:
            id = _id("source_id", cells["source_id"])
            found = self._by_id.get(id)
            if found is None:
                raise _Refused("source_id", f"Source {id} does not exist", Code.UNKNOWN_REFERENCE)
            return self._agreeing(found, given)
        if "url" in given:
            column, matches = "source_url", self._by_url.get(given["url"], [])
        elif "publisher" in given and "title" in given:
            column, matches = "source_title", self._by_name.get((given["publisher"], given["title"]), [])
        else:
            missing = "source_publisher" if "publisher" not in given else "source_title"
            raise _Refused(
                missing, "a row names its source by source_id, by source_url, or by source_publisher and source_title", Code.REQUIRED
            )
        if len(matches) > 1:
            ids = ", ".join(str(source.id) for source in matches)
            raise _Refused(column, f"sources {ids} all match; give the row's source_id", Code.AMBIGUOUS_MATCH)
        if matches:
            return self._agreeing(matches[0], given)
        return self._created(row, given)

    def _agreeing(self, source: Source, given: dict[str, str]) -> int:
        """The source's id, once every source cell the row gives agrees with it."""
        document = to_document(source)
        for field, cell in given.items():
            if document[field] != cell:
                line = self._new_sources.get(source.id or 0)
                which = f"Source {source.id}" + (f" (new, from line {line})" if line else "")
                raise _Refused(f"source_{field}", f"{which} has {field} {document[field]!r}, not {cell!r}", Code.STORED_DIFFERS)
        assert source.id is not None
        return source.id

    def _created(self, row: CitedSource, given: dict[str, str]) -> int:
        if "kind" not in given:
            raise _Refused(
                "source_kind", "no stored source matches, so the row makes a new one, which needs its source_kind", Code.REQUIRED
            )
        try:
            source = from_document("Source", {**given, "id": self._next_source_id})
        except InvalidInput as error:
            raise _Refused(f"source_{snake(error.field)}", error.message, error.code) from None
        self._next_source_id += 1
        self._index(source)
        self._new_sources[source.id] = row.line
        self.rows.append(Row(row.line, "Source", source, row.file))
        return int(source.id)

    def _citation(self, row: CitedSource, source_id: int) -> None:
        cells = row.cells
        measure_id = int(row.measure.entity.id)
        document: dict[str, Any] = {"source_id": source_id, "measure_id": measure_id, "excerpt": cells.get("citation_excerpt")}
        qualifier, number = cells.get("citation_headcount_qualifier"), cells.get("citation_headcount_value")
        if qualifier is not None or number is not None:
            if qualifier is None:
                raise _Refused("citation_headcount_qualifier", "a reported headcount value needs its qualifier", Code.FIELDS_GO_TOGETHER)
            value = None if number is None else _number("citation_headcount_value", number)
            document["reported_headcount"] = {"qualifier": qualifier, "value": value}
        pair = (source_id, measure_id)
        if "citation_id" in cells:
            id = _id("citation_id", cells["citation_id"])
            if id in self._citation_ids:
                raise _Refused(
                    "citation_id",
                    f"Citation {id} is on line {self._citation_ids[id]} already; a record appears once in a file",
                    Code.DUPLICATE,
                )
        else:
            if pair in self._pairs:
                raise _Refused(
                    "citation_id",
                    f"the citation of Source {source_id} for Expulsion {measure_id} is on line {self._pairs[pair]} already; "
                    "give each its citation_id",
                    Code.DUPLICATE,
                )
            stored = self._citations.get(pair, [])
            if len(stored) > 1:
                ids = ", ".join(map(str, stored))
                reason = f"citations {ids} all cite Source {source_id} for Expulsion {measure_id}; give the citation_id"
                raise _Refused("citation_id", reason, Code.AMBIGUOUS_MATCH)
            if stored:
                id = stored[0]
            else:
                id, self._next_citation_id = self._next_citation_id, self._next_citation_id + 1
        try:
            citation = from_document("Citation", {**document, "id": id})
        except InvalidInput as error:
            field = snake(error.field)
            column = "citation_headcount_qualifier" if field == "reported_headcount" else f"citation_{field}"
            raise _Refused(column, error.message, error.code) from None
        self._citation_ids[id] = row.line
        self._pairs.setdefault(pair, row.line)
        self.rows.append(Row(row.line, "Citation", citation, row.file, row.absent))


def _number(column: str, cell: str) -> int:
    try:
        return whole_number(column, cell)
    except InvalidInput as error:
        raise _Refused(column, error.message, error.code) from None
