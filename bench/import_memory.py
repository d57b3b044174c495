"""Peak memory and speed of `demarche import`, the code of a base revision against this checkout, side by side.

    .venv/bin/python -m bench.import_memory --scale 100000 --databases sqlite postgresql --before 639ab82 --after HEAD

Generates the record of `--scale` statements (bench/generate.py), loads it into a fresh database
and exports it as JSON Lines once (kept in bench/.data for the next run). Then, for each database,
imports that file into an empty database with the `--before` revision's code and the `--after` one's (each
extracted with `git archive` into bench/.data; without `--after`, this checkout as it is), alternately, `--runs` times each, each
import in its own process. The peak resident memory is the process's own (`wait4`'s ru_maxrss);
records per second count every record of the file. Prints one Markdown table row per database
with the medians and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tarfile
import time
from io import BytesIO
from pathlib import Path

from bench import database
from bench.database import DATA
from bench.processes import ROOT


def _source(revision: str) -> Path:
    """The code of `revision`, extracted once into bench/.data."""
    commit = subprocess.run(["git", "rev-parse", "--short", revision], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    folder = DATA / f"source-{commit}"
    if not (folder / "cli").is_dir():
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
    return folder


async def _record_file(scale: int) -> Path:
    """The exported record of `scale` statements, made once."""
    path = DATA / f"import-{scale}.jsonl"
    if not path.exists():
        url = await database.fresh("sqlite", scale, suffix="import-source")
        await database.load(url, scale)
        partial = path.with_suffix(".partial")
        await asyncio.to_thread(database.cli, ["export", "--quiet", "-o", str(partial)], url)
        partial.rename(path)
    return path


def _import(code: Path, path: Path, url: str) -> tuple[float, int]:
    """Seconds and peak resident bytes of one `demarche import` run with the code in `code`."""
    env = {**os.environ, "DEMARCHE_DATABASE_URL": url, "PYTHONPATH": str(code)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "import", "--quiet", str(path)], env=env, cwd=code, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"the import with {code} failed ({process.returncode})")
    return elapsed, usage.ru_maxrss * 1024


async def _measure(kind: str, scale: int, path: Path, codes: dict[str, Path], runs: int) -> dict[str, list[tuple[float, int]]]:
    found: dict[str, list[tuple[float, int]]] = {name: [] for name in codes}
    for run in range(runs):
        for name, code in codes.items():
            url = await database.fresh(kind, scale, suffix=f"import-{name}")
            found[name].append(await asyncio.to_thread(_import, code, path, url))
            print(f"  {kind} run {run + 1} {name}: {found[name][-1][0]:.1f} s, {found[name][-1][1] / 2**20:.0f} MiB", file=sys.stderr)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000, help="statements in the generated record (bench/generate.py)")
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    parser.add_argument("--before", default="main", help="the revision whose import is measured against the --after one")
    parser.add_argument("--after", default=None, help="the revision measured against --before (default: this checkout as it is)")
    parser.add_argument("--runs", type=int, default=1, help="imports per database and code, alternating")
    args = parser.parse_args()
    codes = {"before": _source(args.before), "after": ROOT if args.after is None else _source(args.after)}
    path = asyncio.run(_record_file(args.scale))
    with path.open("rb") as file:
        records = sum(1 for _ in file) - 1
    after = args.after or "this checkout"
    print(f"{path.name}: {records:,} records, {path.stat().st_size / 2**20:,.0f} MiB; before = {args.before}, after = {after}")
    print("| database | records | before: time, records/s, peak RSS | after: time, records/s, peak RSS | speed-up | memory |")
    print("| --- | --- | --- | --- | --- | --- |")
    for kind in args.databases:
        found = asyncio.run(_measure(kind, args.scale, path, codes, args.runs))
        cells, medians = [], {}
        for name in codes:
            seconds = statistics.median(run[0] for run in found[name])
            peak = statistics.median(run[1] for run in found[name])
            medians[name] = (seconds, peak)
            cells.append(f"{seconds:.1f} s, {records / seconds:,.0f}/s, {peak / 2**20:,.0f} MiB")
        speed = medians["before"][0] / medians["after"][0]
        memory = medians["before"][1] / medians["after"][1]
        print(f"| {kind} | {records:,} | {' | '.join(cells)} | {speed:.1f} times | {memory:.1f} times less |", flush=True)


if __name__ == "__main__":
    main()
