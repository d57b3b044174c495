"""Run the benchmark: load a synthetic record, start the real server and the floor, measure over HTTP.

    .venv/bin/python -m bench.run --scales 10000 100000 --databases sqlite postgresql

Writes bench/results.json and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy import event

from api.context import Context
from api.schema import build_schema
from api.settings import Settings
from bench.generate import generate
from bench.operations import Operation, operations
from domain.access import Role
from domain.use_cases.tokens import issue_token
from persistence.bulk import bulk_load
from persistence.catalogue import IsoStateCatalogue
from persistence.engine import create_engine
from persistence.setup import prepare
from persistence.unit_of_work import SqlUnitOfWorkFactory

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
POSTGRES = "postgresql://postgres@127.0.0.1:5432"


async def _fresh_database(kind: str, scale: int, suffix: str = "") -> str:
    tag = f"{scale}{'-' + suffix if suffix else ''}"
    if kind == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / f"bench-{tag}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240
        return f"sqlite:///{path}"
    name = f"demarche_bench_{tag.replace('-', '_')}"
    admin = await asyncpg.connect(f"{POSTGRES.replace('postgresql', 'postgres')}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return f"{POSTGRES}/{name}"


async def _load(url: str, scale: int) -> dict[str, float]:
    engine = create_engine(url)
    await prepare(engine, load_demo=False)
    started = time.perf_counter()
    record = generate(scale)
    generated = time.perf_counter()
    loaded = await bulk_load(engine, record)
    finished = time.perf_counter()
    if engine.dialect.name == "postgresql":
        async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            await connection.exec_driver_sql("VACUUM ANALYZE")
    await engine.dispose()
    return {
        "records": loaded,
        "generate_s": generated - started,
        "load_s": finished - generated,
        "records_per_s": loaded / (finished - generated),
    }


async def _tokens(url: str) -> dict[str, str]:
    """A bearer token of each role, made in the benchmark's database."""
    engine = create_engine(url)
    units = SqlUnitOfWorkFactory(engine, author="bench")
    secrets = {}
    for role in Role:
        _, secrets[role.value] = await issue_token(f"bench-{role.value}", role, uow=units(), created_by="bench")
    await engine.dispose()
    return secrets


def _headers(op: Operation, tokens: dict[str, str]) -> dict[str, str]:
    return {} if op.role is None else {"Authorization": f"Bearer {tokens[op.role]}"}


async def _statements(url: str, ops: list[Operation], tokens: dict[str, str]) -> dict[str, int]:
    """SQL statements each operation costs, counted in-process on the same database (the token check included)."""
    engine = create_engine(url)
    units = SqlUnitOfWorkFactory(engine)
    schema = build_schema()
    counts: dict[str, int] = {}
    for op in ops:
        seen: list[str] = []

        def count(_c: Any, _cur: Any, statement: str, *_: Any, seen: list[str] = seen) -> None:
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
                seen.append(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        context = await Context.for_request(units, IsoStateCatalogue(), Settings(), _headers(op, tokens).get("Authorization"))
        result = await schema.execute(op.query, variable_values=op.variables, context_value=context)
        await context.reads.close()
        event.remove(engine.sync_engine, "before_cursor_execute", count)
        if result.errors or (op.expect is not None and op.expect.decode().strip('"') not in json.dumps(result.data)):
            raise RuntimeError(f"{op.name}: {result.errors or result.data}")
        counts[op.name] = len(seen)
    await engine.dispose()
    return counts


def _cli(command: list[str], url: str) -> float:
    """Seconds one `demarche` command takes on `url`."""
    env = {**os.environ, "DEMARCHE_DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "api.cli", *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


async def _exchange(url: str, kind: str, scale: int) -> dict[str, float]:
    """Export the loaded record, import it into an empty database, export again; the two files must be identical."""
    DATA.mkdir(parents=True, exist_ok=True)
    first, second = DATA / f"export-{kind}-{scale}.jsonl", DATA / f"export-{kind}-{scale}-again.jsonl"
    export_s = await asyncio.to_thread(_cli, ["export", "--quiet", "--output", str(first)], url)
    copy = await _fresh_database(kind, scale, suffix="copy")
    import_s = await asyncio.to_thread(_cli, ["import", "--quiet", str(first)], copy)
    await asyncio.to_thread(_cli, ["export", "--quiet", "--output", str(second)], copy)
    if first.read_bytes() != second.read_bytes():
        raise RuntimeError(f"{first} and {second} differ: the round trip lost something")
    with first.open("rb") as lines:
        records = sum(1 for _ in lines) - 1
    for path in (first, second):
        path.unlink()
    return {
        "records": records,
        "export_s": export_s,
        "import_s": import_s,
        "export_per_s": records / export_s,
        "import_per_s": records / import_s,
    }


def _start(command: list[str], url: str, port: int, *, cache: int = 0) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DEMARCHE_DATABASE_URL": url, "DEMARCHE_LOAD_DEMO": "false", "DEMARCHE_RESPONSE_CACHE": str(cache)}
    process = subprocess.Popen([*command, "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return process


async def _wait(url: str) -> None:
    deadline = time.monotonic() + 120
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


async def _measure(
    url: str,
    body: dict[str, Any] | None,
    clients: int,
    duration: float,
    warmup: int = 10,
    *,
    headers: dict[str, str] | None = None,
    expect: bytes | None = None,
) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, headers=headers or {}) as session:

        async def once() -> bool:
            async with session.post(url, json=body or {}) as response:
                payload = await response.read()
                return response.status == 200 and b'"errors"' not in payload and (expect is None or expect in payload)

        for _ in range(warmup):
            if not await once():
                raise RuntimeError(f"{url} failed during warm-up")
        stop = time.perf_counter() + duration

        async def client() -> None:
            nonlocal failures
            while time.perf_counter() < stop:
                began = time.perf_counter()
                ok = await once()
                latencies.append(time.perf_counter() - began)
                failures += not ok

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "failures": failures,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run_one(kind: str, scale: int, clients: int, duration: float) -> dict[str, Any]:
    url = await _fresh_database(kind, scale)
    print(f"[{kind} {scale}] loading", flush=True)
    load = await _load(url, scale)
    print(f"[{kind} {scale}] loaded {load['records']} records at {load['records_per_s']:.0f}/s", flush=True)
    exchange = await _exchange(url, kind, scale)
    print(f"[{kind} {scale}] export and import: {exchange}", flush=True)
    tokens = await _tokens(url)
    ops = await operations(create_engine(url))
    statements = await _statements(url, ops, tokens)
    serve = [sys.executable, "-m", "api.cli", "serve", "--log-level", "warning"]
    server = _start(serve, url, 8700)
    cached = _start(serve, url, 8702, cache=1000)
    floor = _start([sys.executable, "-m", "uvicorn", "bench.floor:app", "--log-level", "warning"], url, 8701)
    results: dict[str, Any] = {"database": kind, "statements": scale, "load": load, "exchange": exchange, "operations": {}}
    try:
        await _wait("http://127.0.0.1:8700/health")
        await _wait("http://127.0.0.1:8702/health")
        await _wait("http://127.0.0.1:8701/floor")
        floor_result = await _measure("http://127.0.0.1:8701/floor", None, clients, duration)
        results["floor"] = floor_result
        print(f"[{kind} {scale}] floor: {floor_result}", flush=True)
        for op in ops:
            body = {"query": op.query, "variables": op.variables}
            measured = await _measure(
                "http://127.0.0.1:8700/graphql", body, clients, duration, headers=_headers(op, tokens), expect=op.expect
            )
            measured["sql_statements"] = statements[op.name]
            measured["p50_vs_floor"] = measured["p50_ms"] / floor_result["p50_ms"]
            results["operations"][op.name] = measured
            print(f"[{kind} {scale}] {op.name}: {measured}", flush=True)
        results["server_peak_rss_mb"] = _peak_rss_mb(server.pid)
        page = ops[0]
        hit = await _measure("http://127.0.0.1:8702/graphql", {"query": page.query, "variables": page.variables}, clients, duration)
        hit["sql_statements"] = 0
        hit["p50_vs_floor"] = hit["p50_ms"] / floor_result["p50_ms"]
        results["cached"] = hit
        print(f"[{kind} {scale}] {page.name}, cached: {hit}", flush=True)
    finally:
        for process in (server, cached, floor):
            process.terminate()
            process.wait(timeout=30)
    return results


def _markdown(runs: list[dict[str, Any]], command: str, clients: int, duration: float) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Measured over real HTTP against `demarche serve` (uvicorn, one worker) and, side by side in the",
        "same run, the floor: a bare Starlette route serving the same 50-item page from one hand-written SQL",
        "query serialised with orjson (`bench/floor.py`, not part of the product).",
        "",
        f"- command: `{command}`",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        f"- load: {clients} concurrent clients (aiohttp, same machine), {duration:.0f} s per operation after a warm-up",
        "- SQL statements: counted in-process for one request of each operation (transaction control excluded)",
        "- tokens: reads are public, so the read rows send no token; `node lookup, reader token` is the same request with",
        "  a bearer token (one more statement: the token check); `create a wave, editor token` is a write (token check,",
        "  the insert, its history entry, the record version) by 16 writers at once, which the database serialises",
        "- export and import: `demarche export` of the loaded record, `demarche import` of that file into an empty",
        "  database (whole processes, start-up included), then a second export compared byte for byte",
        "- the machine is shared and noisy: compare figures within one run, not across runs",
        "",
    ]
    for run in runs:
        load = run["load"]
        lines += [
            f"## {run['database']}, {run['statements']:,} statements",
            "",
            f"Bulk load: {load['records']:,} records in {load['load_s']:.1f} s = **{load['records_per_s']:,.0f} records/s** "
            f"(generation {load['generate_s']:.1f} s). Server peak RSS under load: **{run['server_peak_rss_mb']:.0f} MB**.",
            "",
            f"`demarche export` of all {run['exchange']['records']:,} records: {run['exchange']['export_s']:.1f} s = "
            f"**{run['exchange']['export_per_s']:,.0f} records/s**; `demarche import` of that file into an empty database: "
            f"{run['exchange']['import_s']:.1f} s = **{run['exchange']['import_per_s']:,.0f} records/s**, and exporting the copy "
            "gave the identical file.",
            "",
            "| operation | req/s | p50 ms | p99 ms | p50 ÷ floor p50 | SQL statements |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        floor = run["floor"]
        lines.append(
            f"| floor (bare route, one SQL query) | {floor['rps']:.1f} | {floor['p50_ms']:.1f} | {floor['p99_ms']:.1f} | 1.00 | 1 |"
        )
        for name, op in [*run["operations"].items(), ("page of 50, nested, from the response cache", run["cached"])]:
            figures = f"{op['rps']:.1f} | {op['p50_ms']:.1f} | {op['p99_ms']:.1f} | {op['p50_vs_floor']:.2f}"
            lines.append(f"| {name} | {figures} | {op['sql_statements']} |")
        page = run["operations"]["page of 50, nested"]
        lines += [
            "",
            f"Cached page ÷ uncached page, req/s: **{run['cached']['rps'] / page['rps']:.1f} times**. "
            "Every operation above the cached row ran on a server with the response cache off.",
        ]
        lines.append("")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--doc", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    runs = [asyncio.run(run_one(kind, scale, args.clients, args.duration)) for scale in args.scales for kind in args.databases]
    command = "python -m bench.run " + " ".join(sys.argv[1:])
    Path(args.out).write_text(json.dumps({"command": command, "runs": runs}, indent=2) + "\n")
    Path(args.doc).write_text(_markdown(runs, command, args.clients, args.duration))
    print(f"wrote {args.out} and {args.doc}")


if __name__ == "__main__":
    main()
