"""Run the benchmark: load a synthetic record, start the real server and the floor, measure over HTTP.

    .venv/bin/python -m bench.run --scales 10000 100000 --databases sqlite postgresql

Writes bench/results.json and docs/benchmarks.md. On PostgreSQL it also compares Demarche with a
peer, PostGraphile v4 (bench/peer.py, installed from npm into bench/.peer/ when first needed), on
the nested page. Only that comparison, quickly, into bench/.peer/ (pass --out/--doc to write elsewhere):

    .venv/bin/python -m bench.run --scales 10000 --databases postgresql --duration 3 --only-peer
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
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import asyncpg
from sqlalchemy import event

from api.compiled.reads import CompiledReads
from api.graphql.context import Context
from api.graphql.schema import build_schema
from api.settings import Settings
from bench import peer, subscriptions
from bench.cpu import BackendCpu, ProcessCpu
from bench.generate import generate
from bench.operations import Operation, operations
from domain.access import Role
from domain.use_cases.tokens import issue_token
from persistence.catalogue import IsoStateCatalogue
from persistence.setup import prepare
from persistence.sql.engine import create_engine
from persistence.write.bulk import bulk_load
from persistence.write.unit_of_work import SqlUnitOfWorkFactory

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
    uow_factory = SqlUnitOfWorkFactory(engine, author="bench")
    secrets = {}
    for role in Role:
        _, secrets[role.value] = await issue_token(f"bench-{role.value}", role, uow=uow_factory(), created_by="bench")
    await engine.dispose()
    return secrets


def _headers(op: Operation, tokens: dict[str, str]) -> dict[str, str]:
    return {} if op.role is None else {"Authorization": f"Bearer {tokens[op.role]}"}


async def _statements(url: str, ops: list[Operation], tokens: dict[str, str]) -> tuple[dict[str, int], dict[str, str]]:
    """SQL statements each operation costs, counted in-process on the same database (the token check included),
    on the path the server takes: compiled where the query compiles, else the executor; and which path that is."""
    engine = create_engine(url)
    uow_factory = SqlUnitOfWorkFactory(engine)
    schema = build_schema()
    compiled = CompiledReads(schema)
    counts: dict[str, int] = {}
    paths: dict[str, str] = {}
    for op in ops:
        seen: list[str] = []

        def count(_c: Any, _cur: Any, statement: str, *_: Any, seen: list[str] = seen) -> None:
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SET TRANSACTION")):
                seen.append(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        context = await Context.for_request(uow_factory, IsoStateCatalogue(), Settings(), _headers(op, tokens).get("Authorization"))
        answer = await compiled.answer(op.query, op.variables, None, context)
        await context.reads.close()
        paths[op.name] = "compiled" if answer is not None else "executor"
        data: Any = None if answer is None else json.loads(answer)
        if answer is None:
            seen.clear()
            context = await Context.for_request(uow_factory, IsoStateCatalogue(), Settings(), _headers(op, tokens).get("Authorization"))
            result = await schema.execute(op.query, variable_values=op.variables, context_value=context)
            await context.reads.close()
            if result.errors:
                raise RuntimeError(f"{op.name}: {result.errors}")
            data = result.data
        event.remove(engine.sync_engine, "before_cursor_execute", count)
        if op.expect is not None and op.expect.decode().strip('"') not in json.dumps(data):
            raise RuntimeError(f"{op.name}: {data}")
        counts[op.name] = len(seen)
    await engine.dispose()
    return counts, paths


def _cli(command: list[str], url: str) -> float:
    """Seconds one `demarche` command takes on `url`."""
    env = {**os.environ, "DEMARCHE_DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cli.main", *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
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


def _start(command: list[str], url: str, port: int, *, cache: int = 0, compiled: bool = True) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DEMARCHE_DATABASE_URL": url,
        "DEMARCHE_LOAD_DEMO": "false",
        "DEMARCHE_RESPONSE_CACHE": str(cache),
        "DEMARCHE_COMPILED_READS": "true" if compiled else "false",
        # The load comes from one address: the rate limit stays on (its cost is measured) but cannot refuse it.
        "DEMARCHE_RATE_LIMIT": "100000000",
    }
    process = subprocess.Popen([*command, "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return process


async def _wait(url: str, process: subprocess.Popen[bytes] | None = None, body: dict[str, Any] | None = None) -> None:
    """Until `url` answers (a GET, or a POST of `body` answered with data); fail early if `process` exits."""
    deadline = time.monotonic() + 120
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                said = process.stderr.read().decode(errors="replace")[-2000:] if process.stderr else ""
                raise RuntimeError(f"the server for {url} exited with {process.returncode}: {said}")
            try:
                if body is None:
                    async with session.get(url) as response:
                        if response.status < 500:
                            return
                else:
                    async with session.post(url, json=body) as response:
                        if response.status == 200 and b'"data"' in await response.read():
                            return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


async def _up(start: Any, url: str, body: dict[str, Any] | None = None) -> subprocess.Popen[bytes]:
    """Start a server with `start()` and wait for it; a start that fails is retried once."""
    for attempt in (1, 2):
        process: subprocess.Popen[bytes] = start()
        try:
            await _wait(url, process, body)
            return process
        except RuntimeError as error:
            _stop(process)
            if attempt == 2:
                raise
            print(f"{error}; starting it once more", flush=True)
    raise AssertionError("unreachable")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


class Meter(Protocol):
    def start(self) -> None: ...

    def stop(self) -> float: ...


async def _measure(
    url: str,
    body: dict[str, Any] | None,
    clients: int,
    duration: float,
    warmup: int = 10,
    *,
    headers: dict[str, str] | None = None,
    expect: bytes | None = None,
    meters: Mapping[str, Meter] | None = None,
) -> dict[str, float]:
    """Requests per second and latencies of `clients` clients for `duration` seconds after a warm-up;
    each meter's CPU seconds over the timed part, per request, as `<name>_cpu_ms`."""
    meters = meters or {}
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

        for meter in meters.values():
            meter.start()
        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
        cpu = {name: meter.stop() for name, meter in meters.items()}
    ordered = sorted(latencies)
    result = {
        "requests": len(latencies),
        "failures": failures,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }
    for name, seconds in cpu.items():
        result[f"{name}_cpu_ms"] = seconds * 1000 / len(latencies)
    return result


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


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
    url: str, server: subprocess.Popen[bytes], page: Operation, clients: int, duration: float, rounds: int
) -> dict[str, Any]:
    """Demarche's uncached page against PostGraphile's, in alternating rounds, at `clients` clients and at 1."""
    started = time.perf_counter()
    try:
        postgraphile = await _up(lambda: peer.start(url), f"{PEER}/graphql", {"query": "{ __typename }"})
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
            await _measure(target, body, clients, min(duration, 3.0))
        levels: dict[str, Any] = {}
        for level in dict.fromkeys((clients, 1)):
            measured: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
            for round_ in range(1, rounds + 1):
                for name, (target, body, pid) in targets.items():
                    meters: dict[str, Meter] = {"server": ProcessCpu(pid)}
                    if backends is not None:
                        meters["postgres"] = backends
                    figures = await _measure(target, body, level, duration, meters=meters)
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
            "peer_peak_rss_mb": _peak_rss_mb(postgraphile.pid),
            "clients": levels,
        }
    finally:
        peer.stop(postgraphile)


async def run_one(kind: str, scale: int, clients: int, duration: float, *, rounds: int = 3, only_peer: bool = False) -> dict[str, Any]:
    url = await _fresh_database(kind, scale)
    print(f"[{kind} {scale}] loading", flush=True)
    load = await _load(url, scale)
    print(f"[{kind} {scale}] loaded {load['records']} records at {load['records_per_s']:.0f}/s", flush=True)
    results: dict[str, Any] = {"database": kind, "statements": scale, "load": load, "operations": {}}
    if not only_peer:
        results["exchange"] = await _exchange(url, kind, scale)
        print(f"[{kind} {scale}] export and import: {results['exchange']}", flush=True)
    tokens = await _tokens(url)
    engine = create_engine(url)
    ops = await operations(engine)
    await engine.dispose()
    page = ops[0]
    if only_peer:  # on PostgreSQL the comparison measures the page itself
        ops = [page] if kind == "sqlite" else []
    statements, paths = await _statements(url, ops or [page], tokens)
    results["page_sql_statements"] = statements[page.name]
    serve = [sys.executable, "-m", "cli.main", "serve", "--log-level", "warning"]
    servers: list[subprocess.Popen[bytes]] = []
    try:
        server = await _up(lambda: _start(serve, url, 8700), f"{DEMARCHE}/health")
        servers.append(server)
        # The same server with the compiled read path turned off: every query through the executor, as before it.
        servers.append(await _up(lambda: _start(serve, url, 8704, compiled=False), f"{EXECUTOR}/health"))
        if not only_peer:
            servers.append(await _up(lambda: _start(serve, url, 8702, cache=1000), "http://127.0.0.1:8702/health"))
            servers.append(
                await _up(
                    lambda: _start([sys.executable, "-m", "uvicorn", "bench.floor:app", "--log-level", "warning"], url, 8701),
                    "http://127.0.0.1:8701/floor",
                )
            )
            floor_result = await _measure("http://127.0.0.1:8701/floor", None, clients, duration)
            results["floor"] = floor_result
            print(f"[{kind} {scale}] floor: {floor_result}", flush=True)
        for op in ops:
            body = {"query": op.query, "variables": op.variables}
            measured: dict[str, Any] = await _measure(
                f"{DEMARCHE}/graphql", body, clients, duration, headers=_headers(op, tokens), expect=op.expect
            )
            measured["sql_statements"] = statements[op.name]
            measured["path"] = paths[op.name]
            if "floor" in results:
                measured["p50_vs_floor"] = measured["p50_ms"] / results["floor"]["p50_ms"]
            if op.role != "editor":  # reads: the executor alone, right after, on the same record
                reference = await _measure(f"{EXECUTOR}/graphql", body, clients, duration, headers=_headers(op, tokens), expect=op.expect)
                measured["executor"] = reference
            results["operations"][op.name] = measured
            print(f"[{kind} {scale}] {op.name}: {measured}", flush=True)
        if not only_peer:
            hit = await _measure("http://127.0.0.1:8702/graphql", {"query": page.query, "variables": page.variables}, clients, duration)
            hit["sql_statements"] = 0
            hit["p50_vs_floor"] = hit["p50_ms"] / results["floor"]["p50_ms"]
            results["cached"] = hit
            print(f"[{kind} {scale}] {page.name}, cached: {hit}", flush=True)
        if kind == "sqlite":
            # The product's SQLite target is stated at one client: compiled and executor in alternating rounds.
            body = {"query": page.query, "variables": page.variables}
            compiled_rounds, executor_rounds = [], []
            for _ in range(rounds):
                compiled_rounds.append(await _measure(f"{DEMARCHE}/graphql", body, 1, duration))
                executor_rounds.append(await _measure(f"{EXECUTOR}/graphql", body, 1, duration))
            one = _summary(compiled_rounds)
            one["executor"] = _summary(executor_rounds)
            results["page_one_client"] = one
            print(f"[{kind} {scale}] {page.name}, 1 client: {one}", flush=True)
        else:
            print(f"[{kind} {scale}] Demarche vs PostGraphile v4, {page.name}", flush=True)
            results["peer"] = await _versus_peer(url, server, page, clients, duration, rounds)
        results["server_peak_rss_mb"] = _peak_rss_mb(server.pid)
    finally:
        for process in servers:
            _stop(process)
    return results


def _cpu(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1f}"


def _peer_markdown(run: dict[str, Any]) -> list[str]:
    found = run["peer"]
    versions, answers = found["versions"], found["answers"]
    lines = [
        "### Demarche vs PostGraphile v4",
        "",
        f"PostGraphile {versions['postgraphile']} with @graphile-contrib/pg-many-to-many "
        f"{versions['@graphile-contrib/pg-many-to-many']} on Node {versions['node']}, on the same database, serving the same page "
        "(the first 50 expulsions by announcement date then id, with actor, target, people, statements and citations). "
        f"Rounds alternate Demarche (uncached) and PostGraphile, {found['rounds']} each of {found['duration_s']:g} s per "
        "client count; each figure is the median of its rounds, and the ratios are of those medians (a req/s ratio above 1, "
        "or a p50 or CPU ratio below 1, favours Demarche). CPU per request is "
        "user + system time of the server process (and any children) over a round, divided by the requests it served; "
        "PostgreSQL's is the same for the backends connected to the benchmark database"
        + ("" if found["postgres_cpu_measured"] else " (not measured here: PostgreSQL's processes are not visible in /proc)")
        + ".",
        "",
        f"Checked before measuring: both answers carry the same {answers['items']} expulsions in the same order, with the "
        f"same actor, target and numbers of people ({answers['people']}), statements ({answers['statements']}) and citations "
        f"({answers['citations']}) each. Demarche answered it with {run['page_sql_statements']} SQL statements. "
        f"Answer sizes: Demarche **{answers['demarche_bytes']:,} bytes**, PostGraphile "
        f"**{answers['postgraphile_bytes']:,} bytes**. Peak RSS: Demarche {run['server_peak_rss_mb']:.0f} MB, PostGraphile "
        f"{found['peer_peak_rss_mb']:.0f} MB.",
        "",
        "| clients | server | req/s | p50 ms | p99 ms | server CPU ms/request | PostgreSQL CPU ms/request |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for clients, level in found["clients"].items():
        for name, label in (("demarche", "Demarche"), ("postgraphile", "PostGraphile")):
            row = level[name]
            failed = f" ({row['failures']} failed)" if row["failures"] else ""
            lines.append(
                f"| {clients} | {label}{failed} | {row['rps']:.1f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
                f"{row['server_cpu_ms']:.1f} | {_cpu(row.get('postgres_cpu_ms'))} |"
            )
        ratio = level["ratio"]
        postgres = f"{ratio['postgres_cpu_ms']:.2f}" if "postgres_cpu_ms" in ratio else "—"
        lines.append(
            f"| {clients} | **Demarche ÷ PostGraphile** | **{ratio['rps']:.2f}** | **{ratio['p50_ms']:.2f}** | — | "
            f"{ratio['server_cpu_ms']:.2f} | {postgres} |"
        )
    lines += ["", "<details><summary>The PostGraphile query</summary>", "", "```graphql", found["query"], "```", "", "</details>"]
    return lines


def _versus_executor(op: dict[str, Any]) -> str:
    reference = op.get("executor")
    if reference is None:
        return "— | — | —"
    return f"{reference['rps']:.1f} | {reference['p50_ms']:.1f} | **{op['rps'] / reference['rps']:.2f}**"


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
    ]
    if any("floor" in run for run in runs):
        lines += [
            "- tokens: reads are public, so the read rows send no token; `node lookup, reader token` is the same request with",
            "  a bearer token (one more statement: the token check); `create a wave, editor token` is a write (token check,",
            "  the insert, its history entry, the record version) by 16 writers at once, which the database serialises",
        ]
    if any("exchange" in run for run in runs):
        lines += [
            "- export and import: `demarche export` of the loaded record, `demarche import` of that file into an empty",
            "  database (whole processes, start-up included), then a second export compared byte for byte",
        ]
    if any("peer" in run for run in runs):
        lines += [
            "- the peer, on PostgreSQL: PostGraphile v4 (`bench/peer.py`, installed from npm into `bench/.peer/`), one Node",
            f"  process started with `{' '.join(peer.FLAGS)}` and `NODE_ENV=production`; its query aliases",
            "  fields to Demarche's names, which changes no work, and walks the link tables with the many-to-many plugin;",
            "  before its rounds each server has an untimed warm-up of a few seconds at full load",
        ]
    lines += ["- the machine is shared and noisy: compare figures within one run, not across runs", ""]
    for run in runs:
        load = run["load"]
        rss = f" Server peak RSS under load: **{run['server_peak_rss_mb']:.0f} MB**." if "server_peak_rss_mb" in run else ""
        lines += [
            f"## {run['database']}, {run['statements']:,} statements",
            "",
            f"Bulk load: {load['records']:,} records in {load['load_s']:.1f} s = **{load['records_per_s']:,.0f} records/s** "
            f"(generation {load['generate_s']:.1f} s).{rss}",
            "",
        ]
        if "exchange" in run:
            lines += [
                f"`demarche export` of all {run['exchange']['records']:,} records: {run['exchange']['export_s']:.1f} s = "
                f"**{run['exchange']['export_per_s']:,.0f} records/s**; `demarche import` of that file into an empty database: "
                f"{run['exchange']['import_s']:.1f} s = **{run['exchange']['import_per_s']:,.0f} records/s**, and exporting the "
                "copy gave the identical file.",
                "",
            ]
        one = run.get("page_one_client")
        if "floor" in run:
            lines += [
                "| operation | path | req/s | p50 ms | p99 ms | p50 ÷ floor p50 | SQL statements | executor req/s | executor p50 ms "
                "| req/s ÷ executor's |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            floor = run["floor"]
            lines.append(
                f"| floor (bare route, one SQL query) | — | {floor['rps']:.1f} | {floor['p50_ms']:.1f} | {floor['p99_ms']:.1f} | 1.00 | 1 "
                "| — | — | — |"
            )
            for name, op in [*run["operations"].items(), ("page of 50, nested, from the response cache", run["cached"])]:
                figures = f"{op['rps']:.1f} | {op['p50_ms']:.1f} | {op['p99_ms']:.1f} | {op['p50_vs_floor']:.2f}"
                lines.append(f"| {name} | {op.get('path', 'cache')} | {figures} | {op['sql_statements']} | {_versus_executor(op)} |")
            if one is not None:
                figures = f"{one['rps']:.1f} | {one['p50_ms']:.1f} | {one['p99_ms']:.1f}"
                statements = run["page_sql_statements"]
                lines.append(f"| page of 50, nested, **1 client** | compiled | {figures} | — | {statements} | {_versus_executor(one)} |")
            page = run["operations"]["page of 50, nested"]
            lines += [
                "",
                f"Cached page ÷ uncached page, req/s: **{run['cached']['rps'] / page['rps']:.1f} times**. "
                "Every operation above the cached row ran on a server with the response cache off"
                + (", and the 1-client row after it on that same server." if one is not None else ".")
                + " `path` says how that server answered: `compiled` (one SQL statement per root field building the JSON) or"
                " `executor` (Strawberry's resolvers, for what does not compile). The executor columns are the same operation,"
                " measured right after on a second server of the same code with `DEMARCHE_COMPILED_READS=false`: the read"
                " path before the compiled one; the 1-client rows alternate between the two servers.",
            ]
        elif run["operations"]:
            lines += ["| operation | clients | req/s | p50 ms | p99 ms | SQL statements |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
            rows = [(name, clients, op) for name, op in run["operations"].items()]
            rows += [] if one is None else [("page of 50, nested", 1, one)]
            for name, count, op in rows:
                lines.append(
                    f"| {name} | {count} | {op['rps']:.1f} | {op['p50_ms']:.1f} | {op['p99_ms']:.1f} | {run['page_sql_statements']} |"
                )
        if "peer" in run:
            lines += [*([""] if lines[-1] else []), *_peer_markdown(run)]
        lines.append("")
    return "\n".join(lines) + "\n"


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
    parser.add_argument("--out", help="default: bench/results.json (bench/.peer/results.json with --only-peer)")
    parser.add_argument("--doc", help="default: docs/benchmarks.md (bench/.peer/benchmarks.md with --only-peer)")
    args = parser.parse_args()
    out = Path(args.out or (peer.HOME / "results.json" if args.only_peer else ROOT / "bench" / "results.json"))
    doc = Path(args.doc or (peer.HOME / "benchmarks.md" if args.only_peer else ROOT / "docs" / "benchmarks.md"))
    if "postgresql" in args.databases:
        print(f"PostGraphile peer: {peer.install()}", flush=True)  # before any loading, so a missing npm fails at once
    runs = [
        asyncio.run(run_one(kind, scale, args.clients, args.duration, rounds=args.rounds, only_peer=args.only_peer))
        for scale in args.scales
        for kind in args.databases
    ]
    command = "python -m bench.run " + " ".join(sys.argv[1:])
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": command, "runs": runs}, indent=2) + "\n")
    markdown = _markdown(runs, command, args.clients, args.duration)
    # The subscriptions' section is bench/subscriptions.py's: it is kept as that benchmark last wrote it.
    kept = doc.read_text(encoding="utf-8") if doc.exists() else ""
    live = kept[kept.index(subscriptions.SECTION) :] if subscriptions.SECTION in kept else ""
    doc.write_text(markdown.rstrip() + "\n\n" + live if live else markdown)
    if args.only_peer:
        print(markdown)
    print(f"wrote {out} and {doc}")


if __name__ == "__main__":
    main()
