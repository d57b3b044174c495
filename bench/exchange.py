"""Time `demarche export` and `demarche import` of a large generated record, JSON Lines against a CSV folder.

    .venv/bin/python -m bench.exchange --scale 10000 --databases sqlite postgresql

Loads the generated record (bench/generate.py) into a fresh database, then runs the real
commands as a user would, each in its own process: export as JSON Lines and as a CSV folder,
import each into an empty database, and export the CSV copy as JSON Lines again, which must
give the first file byte for byte. Prints one Markdown table row per database.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil

from bench import database
from bench.database import DATA


async def _measure(kind: str, scale: int) -> dict[str, float]:
    url = await database.fresh(kind, scale, suffix="exchange")
    await database.load(url, scale)
    DATA.mkdir(parents=True, exist_ok=True)
    lines, folder, again = DATA / f"exchange-{kind}.jsonl", DATA / f"exchange-{kind}-csv", DATA / f"exchange-{kind}-again.jsonl"
    shutil.rmtree(folder, ignore_errors=True)
    timings = {
        "export_jsonl": await asyncio.to_thread(database.cli, ["export", "--quiet", "-o", str(lines)], url),
        "export_csv": await asyncio.to_thread(database.cli, ["export", "--quiet", "--format", "csv", "-o", str(folder)], url),
    }
    from_lines = await database.fresh(kind, scale, suffix="exchange-jsonl")
    timings["import_jsonl"] = await asyncio.to_thread(database.cli, ["import", "--quiet", str(lines)], from_lines)
    from_csv = await database.fresh(kind, scale, suffix="exchange-csv")
    timings["import_csv"] = await asyncio.to_thread(database.cli, ["import", "--quiet", str(folder)], from_csv)
    await asyncio.to_thread(database.cli, ["export", "--quiet", "-o", str(again)], from_csv)
    if lines.read_bytes() != again.read_bytes():
        raise RuntimeError(f"{lines} and {again} differ: the CSV round trip lost something")
    with lines.open("rb") as file:
        records = sum(1 for _ in file) - 1
    lines.unlink()
    again.unlink()
    shutil.rmtree(folder)
    return {"records": records, **timings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10_000, help="statements in the generated record (bench/generate.py)")
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    args = parser.parse_args()
    print("| database | records | export JSONL | export CSV | import JSONL | import CSV |")
    print("| --- | --- | --- | --- | --- | --- |")
    for kind in args.databases:
        found = asyncio.run(_measure(kind, args.scale))
        records = found["records"]
        names = ("export_jsonl", "export_csv", "import_jsonl", "import_csv")
        cells = [f"{found[name]:.1f} s ({records / found[name]:,.0f}/s)" for name in names]
        print(f"| {kind} | {records:,.0f} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()
