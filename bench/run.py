"""Run the benchmark: load a synthetic record, start the real server and the floor, measure over HTTP.

    .venv/bin/python -m bench.run --scales 10000 100000 --databases sqlite postgresql

Writes bench/results.json and docs/benchmarks.md. On PostgreSQL it also compares Demarche with a
peer, PostGraphile v4 (bench/peer.py, installed from npm into bench/.peer/v4/ when first needed), on
the nested page. The load comes from wrk (`apt-get install -y wrk`), or with --driver aiohttp from the
in-process client earlier releases were measured with. Demarche beside PostGraphile v5, the floors
and writes: bench/versus.py, whose part of the results and the document this keeps.
Only the v4 comparison, quickly, into bench/.peer/ (pass --out/--doc to write elsewhere):

    .venv/bin/python -m bench.run --scales 10000 --databases postgresql --duration 3 --only-peer
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from bench import database, peer, processes, report, subscriptions, versus
from bench.cpu import BackendCpu, ProcessCpu
from bench.operations import Operation, operations
from bench.processes import ROOT
from persistence.sql.engine import create_engine

DEMARCHE = "http://127.0.0.1:8700"
EXECUTOR = "http://127.0.0.1:8704"
PEER = f"http://127.0.0.1:{peer.PORT}"


async def _answer(url: str, body: dict[str, Any]) -> bytes:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        payload: bytes = await response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}: {payload[:500]!r}")
        return payload


async def _postgres_meter(url: str) -> BackendCpu | None:
    """A meter of the CPU of the backends serving `url`'s database, when PostgreSQL runs on this machine."""
    connection = await asyncpg.connect(url.replace("postgresql", "postgres", 1))
    try:  # read while the backend is alive: its parent is the postmaster
        postmaster = BackendCpu.available(await connection.fetchval("SELECT pg_backend_pid()"))
    finally:
        await connection.close()
    return None if postmaster is None else BackendCpu(postmaster, url.rsplit("/", 1)[1])


def _summary(rounds: list[dict[str, float]]) -> dict[str, Any]:
    """Median of the rounds for each figure; requests and failures summed."""
    figures = ["rps", "p50_ms", "p99_ms", *(key for key in rounds[0] if key.endswith("_cpu_ms"))]
    summary: dict[str, Any] = {key: statistics.median(round_[key] for round_ in rounds) for key in figures}
    summary["requests"] = sum(round_["requests"] for round_ in rounds)
    summary["failures"] = sum(round_["failures"] for round_ in rounds)
    summary["rounds"] = rounds
    return summary


async def _versus_peer(
    url: str, server: subprocess.Popen[bytes], page: Operation, clients: int, duration: float, rounds: int, driver: str
) -> dict[str, Any]:
    """Demarche's uncached page against PostGraphile's, in alternating rounds, at `clients` clients and at 1."""
    started = time.perf_counter()
    try:
        postgraphile = await processes.up(lambda: peer.start(url), f"{PEER}/graphql", {"query": "{ __typename }"})
    except RuntimeError as error:
        raise RuntimeError(f"{error}; PostGraphile's log ends:\n{peer.log_tail()}") from error
    print(f"PostGraphile up in {time.perf_counter() - started:.1f} s (pid {postgraphile.pid})", flush=True)
    try:
        ours = {"query": page.query, "variables": page.variables}
        theirs = {"query": peer.PAGE, "variables": {}}
        answers = peer.compare(await _answer(f"{DEMARCHE}/graphql", ours), await _answer(f"{PEER}/graphql", theirs))
        print(f"same items in both answers: {answers}", flush=True)
        backends = await _postgres_meter(url)
        if backends is None:
            print("PostgreSQL's backends are not visible in /proc: its CPU per request is not measured", flush=True)
        targets = {
            "demarche": (f"{DEMARCHE}/graphql", ours, server.pid),
            "postgraphile": (f"{PEER}/graphql", theirs, postgraphile.pid),
        }
        # V8 compiles hot code as it runs: give both servers the same longer warm-up, untimed, first.
        for target, body, _pid in targets.values():
            await processes.measure(target, body, clients, min(duration, 3.0), driver=driver)
        levels: dict[str, Any] = {}
        for level in dict.fromkeys((clients, 1)):
            measured: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
            for round_ in range(1, rounds + 1):
                for name, (target, body, pid) in targets.items():
                    meters: dict[str, processes.Meter] = {"server": ProcessCpu(pid)}
                    if backends is not None:
                        meters["postgres"] = backends
                    figures = await processes.measure(target, body, level, duration, meters=meters, driver=driver)
                    measured[name].append(figures)
                    print(f"  {level} client(s), round {round_}, {name}: {figures}", flush=True)
            summary = {name: _summary(rounds_) for name, rounds_ in measured.items()}
            ours_, theirs_ = summary["demarche"], summary["postgraphile"]
            summary["ratio"] = {
                "rps": ours_["rps"] / theirs_["rps"],
                "p50_ms": ours_["p50_ms"] / theirs_["p50_ms"],
                "server_cpu_ms": ours_["server_cpu_ms"] / theirs_["server_cpu_ms"],
            }
            if backends is not None:
                summary["ratio"]["postgres_cpu_ms"] = ours_["postgres_cpu_ms"] / theirs_["postgres_cpu_ms"]
            levels[str(level)] = summary
        return {
            "versions": peer.versions(),
            "flags": peer.FLAGS,
            "query": peer.PAGE.strip(),
            "answers": answers,
            "rounds": rounds,
            "duration_s": duration,
            "postgres_cpu_measured": backends is not None,
            "peer_peak_rss_mb": processes.peak_rss_mb(postgraphile.pid),
            "clients": levels,
        }
    finally:
        peer.stop(postgraphile)


async def run_one(
    kind: str, scale: int, clients: int, duration: float, *, rounds: int = 3, only_peer: bool = False, driver: str = "wrk"
) -> dict[str, Any]:
    url = await database.fresh(kind, scale)
    print(f"[{kind} {scale}] loading", flush=True)
    load = await database.load(url, scale)
    print(f"[{kind} {scale}] loaded {load['records']} records at {load['records_per_s']:.0f}/s", flush=True)
    results: dict[str, Any] = {"database": kind, "statements": scale, "load": load, "driver": driver, "operations": {}}
    if not only_peer:
        results["exchange"] = await database.exchange(url, kind, scale)
        print(f"[{kind} {scale}] export and import: {results['exchange']}", flush=True)
    tokens = await database.tokens(url)
    engine = create_engine(url)
    ops = await operations(engine)
    await engine.dispose()
    page = ops[0]
    if only_peer:  # on PostgreSQL the comparison measures the page itself
        ops = [page] if kind == "sqlite" else []
    statements, paths = await database.statements(url, ops or [page], tokens)
    results["page_sql_statements"] = statements[page.name]
    serve = [sys.executable, "-m", "cli.main", "serve", "--log-level", "warning"]
    servers: list[subprocess.Popen[bytes]] = []
    try:
        server = await processes.up(lambda: processes.start(serve, url, 8700), f"{DEMARCHE}/health")
        servers.append(server)
        # The same server with the compiled read path turned off: every query through the executor, as before it.
        servers.append(await processes.up(lambda: processes.start(serve, url, 8704, compiled=False), f"{EXECUTOR}/health"))
        if not only_peer:
            servers.append(await processes.up(lambda: processes.start(serve, url, 8702, cache=1000), "http://127.0.0.1:8702/health"))
            servers.append(
                await processes.up(
                    lambda: processes.start([sys.executable, "-m", "uvicorn", "bench.floor:app", "--log-level", "warning"], url, 8701),
                    "http://127.0.0.1:8701/floor",
                )
            )
            floor_result = await processes.measure("http://127.0.0.1:8701/floor", None, clients, duration, driver=driver)
            results["floor"] = floor_result
            print(f"[{kind} {scale}] floor: {floor_result}", flush=True)
        for op in ops:
            body = {"query": op.query, "variables": op.variables}
            measured: dict[str, Any] = await processes.measure(
                f"{DEMARCHE}/graphql", body, clients, duration, headers=database.headers(op, tokens), expect=op.expect, driver=driver
            )
            measured["sql_statements"] = statements[op.name]
            measured["path"] = paths[op.name]
            if "floor" in results:
                measured["p50_vs_floor"] = measured["p50_ms"] / results["floor"]["p50_ms"]
            if op.role != "editor":  # reads: the executor alone, right after, on the same record
                reference = await processes.measure(
                    f"{EXECUTOR}/graphql", body, clients, duration, headers=database.headers(op, tokens), expect=op.expect, driver=driver
                )
                measured["executor"] = reference
            results["operations"][op.name] = measured
            print(f"[{kind} {scale}] {op.name}: {measured}", flush=True)
        if not only_peer:
            hit = await processes.measure(
                "http://127.0.0.1:8702/graphql", {"query": page.query, "variables": page.variables}, clients, duration, driver=driver
            )
            hit["sql_statements"] = 0
            hit["p50_vs_floor"] = hit["p50_ms"] / results["floor"]["p50_ms"]
            results["cached"] = hit
            print(f"[{kind} {scale}] {page.name}, cached: {hit}", flush=True)
        if kind == "sqlite":
            # The product's SQLite target is stated at one client: compiled and executor in alternating rounds.
            body = {"query": page.query, "variables": page.variables}
            compiled_rounds, executor_rounds = [], []
            for _ in range(rounds):
                compiled_rounds.append(await processes.measure(f"{DEMARCHE}/graphql", body, 1, duration, driver=driver))
                executor_rounds.append(await processes.measure(f"{EXECUTOR}/graphql", body, 1, duration, driver=driver))
            one = _summary(compiled_rounds)
            one["executor"] = _summary(executor_rounds)
            results["page_one_client"] = one
            print(f"[{kind} {scale}] {page.name}, 1 client: {one}", flush=True)
        else:
            print(f"[{kind} {scale}] Demarche vs PostGraphile v4, {page.name}", flush=True)
            results["peer"] = await _versus_peer(url, server, page, clients, duration, rounds, driver)
        results["server_peak_rss_mb"] = processes.peak_rss_mb(server.pid)
    finally:
        for process in servers:
            processes.stop(process)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of each server in the PostGraphile comparison")
    parser.add_argument(
        "--only-peer",
        action="store_true",
        help="skip export/import, the floor, the cache and every operation but the page: on PostgreSQL only the "
        "PostGraphile comparison, on SQLite the page at --clients and 1 client; writes into bench/.peer/ unless --out/--doc",
    )
    parser.add_argument(
        "--driver", default="wrk", choices=processes.DRIVERS, help="the load generator: wrk (default) or the in-process aiohttp client"
    )
    parser.add_argument("--out", help="default: bench/results.json (bench/.peer/results.json with --only-peer)")
    parser.add_argument("--doc", help="default: docs/benchmarks.md (bench/.peer/benchmarks.md with --only-peer)")
    args = parser.parse_args()
    out = Path(args.out or (peer.HOME / "results.json" if args.only_peer else ROOT / "bench" / "results.json"))
    doc = Path(args.doc or (peer.HOME / "benchmarks.md" if args.only_peer else ROOT / "docs" / "benchmarks.md"))
    if args.driver == "wrk":
        processes.wrk_path()  # fails at once, saying how to install it
    if "postgresql" in args.databases:
        print(f"PostGraphile peer: {peer.install()}", flush=True)  # before any loading, so a missing npm fails at once
    runs = [
        asyncio.run(run_one(kind, scale, args.clients, args.duration, rounds=args.rounds, only_peer=args.only_peer, driver=args.driver))
        for scale in args.scales
        for kind in args.databases
    ]
    command = "python -m bench.run " + " ".join(sys.argv[1:])
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.parent.mkdir(parents=True, exist_ok=True)
    # bench/versus.py's part of the results and its section, and the subscriptions' section (bench/subscriptions.py's),
    # are kept as those benchmarks last wrote them.
    previous = json.loads(out.read_text()) if out.exists() else {}
    kept_results = {"versus": previous["versus"]} if "versus" in previous else {}
    out.write_text(json.dumps({"command": command, "runs": runs, **kept_results}, indent=2) + "\n")
    markdown = report.markdown(runs, command, args.clients, args.duration, args.driver)
    kept = doc.read_text(encoding="utf-8") if doc.exists() else ""
    starts = [kept.index(section) for section in (versus.SECTION, subscriptions.SECTION) if section in kept]
    live = kept[min(starts) :] if starts else ""
    doc.write_text(markdown.rstrip() + "\n\n" + live if live else markdown)
    if args.only_peer:
        print(markdown)
    print(f"wrote {out} and {doc}")


if __name__ == "__main__":
    main()
