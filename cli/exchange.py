"""The `export` and `import` commands: the record as JSON Lines or CSV files and back, and a CSV of measures in (docs/exchange.md)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.settings import Settings
from cli.common import database
from domain.record.kinds import KINDS

if TYPE_CHECKING:
    from tqdm import tqdm

USAGE_ERROR = 2
FAILED = 1
AUTHOR_LIMIT = 100
_FORMAT_OF_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


class ProgressBars:
    """One tqdm bar per stage on standard error, or nothing when not shown."""

    def __init__(self, shown: bool) -> None:
        self.shown = shown
        self._bar: tqdm[Any] | None = None

    def stage(self, name: str, total: int | None, unit: str) -> None:
        self.close()
        if self.shown:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=name, unit=unit, unit_scale=unit == "B", file=sys.stderr, dynamic_ncols=True)

    def advance(self, amount: int) -> None:
        if self._bar is not None:
            self._bar.update(amount)

    def close(self) -> None:
        bar, self._bar = self._bar, None
        if bar is not None:
            bar.close()


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date-time, e.g. 2026-12-01T12:00:00Z") from None


def _progress_options(command: argparse.ArgumentParser) -> None:
    shown = command.add_mutually_exclusive_group()
    shown.add_argument("--progress", action="store_true", help="show a progress bar on standard error even when it is not a terminal")
    shown.add_argument("--quiet", action="store_true", help="show no progress bar (nor, for an export, its summary)")


def _bars(args: argparse.Namespace) -> ProgressBars:
    return ProgressBars(bool(args.progress or (not args.quiet and sys.stderr.isatty())))


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `export` and `import` commands."""
    export = commands.add_parser(
        "export", help="write the record, or the part a filter selects, as JSON Lines or a folder of CSV files (docs/exchange.md)"
    )
    export.add_argument(
        "--output", "-o", help="the file (or, for CSV, the folder) to write, replaced only once complete (default: standard output)"
    )
    export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="JSON Lines (default) or one CSV file per kind")
    export.add_argument("--kind", nargs="+", action="extend", choices=list(KINDS), help="only these kinds of record")
    export.add_argument("--party", metavar="CODE", help="only measures this actor took or suffered, and what they need")
    export.add_argument("--actor", metavar="CODE", help="only measures this actor took, and what they need")
    export.add_argument("--target", metavar="CODE", help="only measures against this state, and what they need")
    export.add_argument("--from", dest="since", type=_day, metavar="YYYY-MM-DD", help="only measures announced on or after this day")
    export.add_argument("--to", dest="until", type=_day, metavar="YYYY-MM-DD", help="only measures announced on or before this day")
    export.add_argument(
        "--as-of",
        dest="as_of",
        type=_instant,
        metavar="DATE-TIME",
        help="the record as it stood at this past instant (ISO 8601; UTC when no offset is given), as the API's asOf reads it",
    )
    _progress_options(export)
    export.set_defaults(run=_export)
    load = commands.add_parser(
        "import", help="add the records of a JSON Lines file, a CSV folder or a CSV of measures, all or none (docs/exchange.md)"
    )
    load.add_argument("file", help="the file, or the folder of CSV files, to import")
    load.add_argument(
        "--format", choices=["jsonl", "csv"], help="the file's format (default: from its extension, .jsonl or .csv; a folder is CSV)"
    )
    load.add_argument("--replace", action="store_true", help="overwrite stored records whose content differs from the file's")
    load.add_argument("--author", default="import", help="who the history records the import as (default: import)")
    _progress_options(load)
    load.set_defaults(run=_import)


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[Callable[[str], object]]:
    """Where the export goes: standard output, or a file that appears whole or not at all."""
    if path is None:
        yield lambda text: sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
        return
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            yield file.write
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


@contextlib.contextmanager
def _folder(path: str) -> Iterator[Path]:
    """A temporary folder beside `path` that becomes `path` only once complete, replacing an earlier export there."""
    target = Path(path)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        yield temporary
        if target.exists():
            previous = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".previous", dir=target.parent))
            os.replace(target, previous / target.name)
            os.replace(temporary, target)
            shutil.rmtree(previous)
        else:
            os.replace(temporary, target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _refusal_to_overwrite(path: str) -> str | None:
    """Why the folder `path` may not be written: it is a file, or holds files no export writes."""
    from persistence.exchange.csv_folder import WRITTEN

    target = Path(path)
    if not target.parent.is_dir():
        return f"the folder {target.parent} does not exist"
    if target.is_dir():
        foreign = sorted(entry.name for entry in target.iterdir() if entry.name not in WRITTEN)
        if foreign:
            return f"{path} holds {foreign[0]}, which an export does not write; give an empty or new folder"
    elif target.exists():
        return f"{path} is not a folder; a CSV export writes a folder"
    return None


def _refused(command: str, reason: str) -> int:
    """Say why a command line cannot be carried out; the exit status of a usage error."""
    print(f"demarche {command}: {reason}", file=sys.stderr)
    return USAGE_ERROR


@contextlib.asynccontextmanager
async def _as_of(live: Any, at: datetime | None) -> AsyncIterator[Any]:
    """The engine an export reads: the live record, or the record as it stood at `at` (a snapshot, dropped after)."""
    if at is None:
        yield live
        return
    from persistence.read.as_of import Snapshots

    snapshots = Snapshots(live, keep=1, pool_size=1)
    try:
        engine, instant = await snapshots.at(at, personal=True)
        print(f"the record as it stood at {instant.at.isoformat()} (history entry {instant.entry})", file=sys.stderr)
        yield live if engine is None else engine
    finally:
        await snapshots.close()


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from domain.errors import DomainError, InvalidInput
    from domain.exchange.selection import Selection
    from domain.read.filters import DateRange
    from persistence.exchange.export import export_folder, export_record

    refusal: str | None = None
    try:
        announced = DateRange(args.since, args.until) if args.since or args.until else None
        selection = Selection(
            kinds=frozenset(args.kind or KINDS), party=args.party, actor=args.actor, target=args.target, announced=announced
        )
    except DomainError as error:
        return _refused("export", error.message)
    if args.format == "csv":
        refusal = "a CSV export writes a folder: give it with --output" if args.output is None else _refusal_to_overwrite(args.output)
    elif args.output is not None and not Path(args.output).parent.is_dir():
        refusal = f"the folder of {args.output} does not exist"
    if refusal is not None:
        return _refused("export", refusal)
    bars = _bars(args)

    async def run() -> int:
        try:
            async with database(settings) as live, _as_of(live, args.as_of) as engine:
                if args.format == "csv":
                    with _folder(args.output) as folder:
                        counts = await export_folder(engine, folder, selection, progress=bars)
                else:
                    with _output(args.output) as write:
                        counts = await export_record(engine, write, selection, progress=bars)
        except DomainError as error:
            print(f"demarche export: {error.message}; nothing was exported", file=sys.stderr)
            return USAGE_ERROR if isinstance(error, InvalidInput) else FAILED
        except BrokenPipeError:
            # The reader of standard output stopped reading (`demarche export | head`).
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return FAILED
        finally:
            bars.close()
        if not args.quiet:
            summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
            print(f"exported {sum(counts.values())} records ({summary})", file=sys.stderr)
        return 0

    return asyncio.run(run())


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from domain.errors import DomainError
    from domain.exchange.format import ImportRefused
    from persistence.exchange.importing import import_file
    from persistence.write.unit_of_work import SqlUnitOfWorkFactory

    path, author = Path(args.file), args.author.strip()
    format = args.format or ("csv" if path.is_dir() else _FORMAT_OF_SUFFIX.get(path.suffix.lower()))
    if format is None:
        return _refused("import", f"cannot tell the format of {path} from its extension; give --format jsonl or --format csv")
    if path.is_dir() and format != "csv":
        return _refused("import", f"{path} is a folder, which is read as CSV")
    if not path.is_file() and not path.is_dir():
        return _refused("import", f"{path} is not a file or a folder")
    if not author or len(author) > AUTHOR_LIMIT:
        return _refused("import", f"--author is 1 to {AUTHOR_LIMIT} characters")
    bars = _bars(args)

    async def run() -> int:
        try:
            async with database(settings) as engine:
                uow_factory = SqlUnitOfWorkFactory(engine, author=author)
                report = await import_file(uow_factory, path, format=format, replace=args.replace, progress=bars)
        except ImportRefused as refused:
            bars.close()
            for problem in refused.problems:
                print(problem, file=sys.stderr)
            print(f"demarche import: {path} was refused, nothing was written: {refused.tally()}", file=sys.stderr)
            return FAILED
        except DomainError as error:
            print(f"demarche import: {error.message}; nothing was written", file=sys.stderr)
            return FAILED
        except OSError as error:
            return _refused("import", f"cannot read {path}: {error.strerror or error}; nothing was written")
        finally:
            bars.close()
        for line in report.lines():
            print(line)
        return 0

    return asyncio.run(run())
