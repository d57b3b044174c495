"""The files of a CSV folder (docs/exchange.md): written kind by kind, read back into one `RecordReader`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from domain import exchange_csv
from domain.documents import ENTITIES
from domain.exchange import RecordReader, header
from domain.exchange_csv import FILES, MANIFEST

if TYPE_CHECKING:
    from persistence.exchange import Progress

DERIVED = frozenset({"measures_with_citations.csv"})
"""Files an export writes for reading only, which an import leaves aside."""
WRITTEN = frozenset({MANIFEST, *FILES.values(), *DERIVED})
"""Every file a CSV export may write into its folder."""


class FolderWriter:
    """Writes each kind's file into a folder, and the manifest; the caller makes the folder appear whole."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[str, IO[str]] = {}
        (folder / MANIFEST).write_text(header() + "\n", encoding="utf-8")

    def write(self, kind: str, records: Iterable[Any]) -> None:
        file = self._files.get(kind)
        if file is None:
            file = self._files[kind] = (self.folder / FILES[kind]).open("w", encoding="utf-8", newline="")
            file.write(exchange_csv.head(kind))
        file.write(exchange_csv.text(exchange_csv.row(record, kind) for record in records))

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


def read_folder(folder: Path, progress: Progress) -> RecordReader:
    """Read every kind's file of a folder and its manifest, each row validated on its own."""
    reader = RecordReader()
    known = {name: kind for kind, name in FILES.items()}
    names = sorted(path.name for path in folder.iterdir() if path.is_file())
    manifest = folder / MANIFEST
    if manifest.is_file():
        reader.file = MANIFEST
        with manifest.open("rb") as file:
            first = next(reader.decoded(file), (1, ""))
        reader.check_header(first[1])
    for name in names:
        if name.lower().endswith(".csv") and name not in known and name not in DERIVED:
            reader.file = name
            reader.refuse_file("file", f"{name} is not a file of a record; a folder holds {', '.join(FILES.values())}")
    present = [kind for kind in ENTITIES if FILES[kind] in names]
    if not present:
        reader.file = None
        reader.refuse_file("folder", f"{folder} holds none of the files of a record: {', '.join(FILES.values())}")
    progress.stage("reading", sum((folder / FILES[kind]).stat().st_size for kind in present), "B")
    for kind in present:
        reader.file = FILES[kind]
        with (folder / FILES[kind]).open("rb") as file:
            exchange_csv.read_kind(reader, kind, _measured(file, progress))
    reader.file = None
    return reader
