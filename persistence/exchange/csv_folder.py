"""The files of a CSV folder (docs/exchange.md): written kind by kind, read back into one `RecordFileReader`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from domain.exchange import csv_folder as exchange_csv
from domain.exchange.csv_folder import FILES, FLAT_COLUMNS, FLAT_FILE, MANIFEST
from domain.exchange.format import Row, header
from domain.exchange.reader import RecordFileReader
from domain.record.kinds import KINDS

if TYPE_CHECKING:
    from persistence.exchange.shared import Progress

DERIVED = frozenset({FLAT_FILE})
"""Files an export writes for reading only, which an import leaves aside."""
WRITTEN = frozenset({MANIFEST, *FILES.values(), *DERIVED})
"""Every file a CSV export may write into its folder."""


class FolderWriter:
    """Writes each kind's file into a folder, and the manifest; the caller makes the folder appear whole.

    With `flat`, it also keeps the actors' names and the measures, sources and citations it writes,
    and `finish` writes them as the spreadsheet view, one row per measure and citation.
    """

    def __init__(self, folder: Path, *, flat: bool = False) -> None:
        self.folder = folder
        self.flat = flat
        self._files: dict[str, IO[str]] = {}
        self._measures: list[dict[str, str]] = []
        self._sources: dict[str, dict[str, str]] = {}
        self._citations: dict[str, list[dict[str, str]]] = {}
        self._names: dict[str, str] = {}
        (folder / MANIFEST).write_text(header() + "\n", encoding="utf-8")

    def write(self, kind: str, records: Sequence[Any]) -> None:
        file = self._files.get(kind)
        if file is None:
            file = self._files[kind] = (self.folder / FILES[kind]).open("w", encoding="utf-8", newline="")
            file.write(exchange_csv.head(kind))
        rows = [exchange_csv.row(record, kind) for record in records]
        file.write(exchange_csv.text(rows))
        if self.flat:
            self._keep(kind, rows)

    def _keep(self, kind: str, rows: Sequence[Sequence[str]]) -> None:
        """Keep the cells the spreadsheet view needs (not the records: their cells are worked out once)."""
        if kind == "Actor":
            self._names.update((named["code"], named["name"]) for named in (exchange_csv.named(kind, cells) for cells in rows))
        elif kind == "Expulsion":
            self._measures.extend(exchange_csv.named(kind, cells) for cells in rows)
        elif kind == "Source":
            self._sources.update((cells[0], exchange_csv.named(kind, cells)) for cells in rows)
        elif kind == "Citation":
            for cells in rows:
                cited = exchange_csv.named(kind, cells)
                if cited["measure_id"]:
                    self._citations.setdefault(cited["measure_id"], []).append(cited)

    def finish(self) -> None:
        """Close every file, after writing the spreadsheet view when asked for."""
        self.close()
        if not self.flat:
            return
        with (self.folder / FLAT_FILE).open("w", encoding="utf-8", newline="") as file:
            file.write(exchange_csv.BOM + exchange_csv.text([list(FLAT_COLUMNS)]))
            for measure in self._measures:
                cited = self._citations.get(measure["id"], [])
                file.write(exchange_csv.text(exchange_csv.flat_rows(measure, cited, self._sources, self._names)))

    def close(self) -> None:
        for file in self._files.values():
            file.close()
        self._files.clear()

    def __enter__(self) -> FolderWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()


def _measured(lines: Iterable[bytes], progress: Progress) -> Iterator[bytes]:
    for line in lines:
        progress.advance(len(line))
        yield line


def _outside(folder: Path, name: str) -> bool:
    """Whether the folder's entry `name` is a link that leads out of the folder (or nowhere)."""
    path = folder / name
    if not path.is_symlink():
        return False
    try:
        return not path.resolve(strict=True).is_relative_to(folder)
    except (OSError, RuntimeError):
        return True


def read_folder(folder: Path, progress: Progress) -> RecordFileReader:
    """Read every kind's file of a folder and its manifest, each row validated on its own, keeping every good row."""
    reader, rows = stream_folder(folder, progress)
    reader.rows = list(rows)
    return reader


def stream_folder(folder: Path, progress: Progress) -> tuple[RecordFileReader, Iterator[Row]]:
    """Read the manifest and check the folder's files, then give each good row of every kind's file as it is read.

    A file that is a link leading out of the folder is refused unread: an import reads the folder, and nothing a
    link in it points at elsewhere (its text would reach the problems the import reports)."""
    reader = RecordFileReader()
    folder = folder.resolve()
    known = {name: kind for kind, name in FILES.items()}
    entries = sorted(path.name for path in folder.iterdir() if path.is_file() or path.is_symlink())
    read = {MANIFEST, *known}
    escaped = [name for name in entries if (name in read or name.lower().endswith(".csv")) and _outside(folder, name)]
    for name in escaped:
        reader.file = name
        reader.refuse_file("file", f"{name} is a link to a file outside the folder; an import reads only the folder's own files")
    names = [name for name in entries if (folder / name).is_file() and name not in escaped]
    manifest = folder / MANIFEST
    if MANIFEST in names:
        reader.file = MANIFEST
        with manifest.open("rb") as file:
            first = next(reader.decoded(file), (1, ""))
        reader.check_header(first[1])
    else:
        reader.version = 1
    for name in names:
        if name.lower().endswith(".csv") and name not in known and name not in DERIVED:
            reader.file = name
            reader.refuse_file("file", f"{name} is not a file of a record; a folder holds {', '.join(FILES.values())}")
    present = [kind for kind in KINDS if FILES[kind] in names]
    reader.file = None
    if escaped:
        return reader, iter(())
    if not present:
        reader.refuse_file("folder", f"{folder} holds none of the files of a record: {', '.join(FILES.values())}")
    return reader, _kinds(reader, folder, present, progress)


def _kinds(reader: RecordFileReader, folder: Path, present: Sequence[str], progress: Progress) -> Iterator[Row]:
    progress.stage("reading", sum((folder / FILES[kind]).stat().st_size for kind in present), "B")
    for kind in present:
        reader.file = FILES[kind]
        with (folder / FILES[kind]).open("rb") as file:
            yield from exchange_csv.stream_kind(reader, kind, _measured(file, progress))
    reader.file = None
