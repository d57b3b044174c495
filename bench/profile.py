"""Where Demarche's time goes on one request of the nested page, at 1 client: py-spy samples the server.

    .venv/bin/python -m bench.profile --scale 100000 --duration 20
    .venv/bin/python -m bench.profile --write --duration 20     # createWave with an editor's token instead

Serves the benchmark's record (the database bench/versus.py loaded, when it is there; else a fresh one) with
`demarche serve` (response cache off), puts wrk's 1-client load of the nested page on it, and samples the
server's threads with py-spy (`--idle`: the time the event loop waits on PostgreSQL or the socket counts too),
so each stack's share of the samples is its share of the request's wall-clock time in the server. With --write
it profiles `createWave` (editor token, same name each time) on a fresh empty database instead. Prints the
shares of the stages of the request and the heaviest frames, and writes py-spy's raw stacks beside
(bench/.data/profile-*.txt) for a flame graph (https://github.com/brendangregg/FlameGraph) if wanted.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

import asyncpg

from bench import database, processes
from bench.cpu import tree
from bench.operations import CREATE_WAVE, PAGE
from bench.processes import ROOT
from bench.versus import DEMARCHE_PORT, SERVE
from persistence.setup import prepare
from persistence.sql.engine import create_engine

# The stages of a request. A sampled stack is the stage of its innermost frame that any stage recognises, so each
# layer counts the time spent in its own code and in what it calls that no inner stage claims.
STAGES = [
    ("SQL over asyncpg (send, receive, decode)", ("/asyncpg/", "dialects/postgresql/asyncpg.py")),
    ("SQLAlchemy (pool checkout, pre-ping, execute, result)", ("/sqlalchemy/",)),
    ("JSON (the request's body, the variables)", ("/json/", "orjson")),
    ("parsing and validating the document", ("/graphql/language/", "/graphql/validation/", "documents.py")),
    ("GraphQL execution (graphql-core, resolvers)", ("/graphql/execution/", "/api/graphql/")),
    ("planning the compiled read (api/compiled/planner.py)", ("/api/compiled/planner.py",)),
    ("compiled read: statement and answer (api/compiled/reads.py, persistence/read/)", ("/api/compiled/", "/persistence/read/")),
    ("unit of work, history entry, repositories (persistence/)", ("/persistence/",)),
    ("use case (domain/)", ("/domain/",)),
    ("request context: caller, token, read session (api/graphql/context.py)", ("/api/graphql/context.py",)),
    ("Demarche's HTTP view (api/http/view.py)", ("/api/http/view.py",)),
    ("strawberry's HTTP view (request, response)", ("/strawberry/",)),
    ("middleware: gate, cache, rate limit, observability (api/http, api/limits, api/ops)", ("/api/http/", "/api/limits/", "/api/ops/")),
    ("HTTP server (uvicorn, starlette)", ("/uvicorn/", "/starlette/", "httptools")),
]
IDLE = "idle"
STARTUP = ("lifespan", "_find_and_load", "startup", "shutdown", "Server.serve (", "Server.main_loop (")


def stage(frames: list[str]) -> str | None:
    """The stage of one sampled stack of the main thread, IDLE, or None for start-up and shut-down."""
    if any(marker in frame for frame in frames for marker in STARTUP):
        return None
    # uvloop runs the loop in C: an idle loop's Python stack ends in asyncio's Runner.run.
    if frames[-1].startswith(("Runner.run (", "select (", "run_forever (", "_run_once (")) or "(selectors.py" in frames[-1]:
        return IDLE
    for frame in reversed(frames):
        for name, markers in STAGES:
            if any(marker in frame for marker in markers):
                return name
    return "other (the event loop's own work, asyncio)"


async def _empty() -> str:
    url = await database.fresh("postgresql", 0, suffix="profile")
    engine = create_engine(url)
    await prepare(engine, load_demo=False)
    await engine.dispose()
    return url


async def _database(scale: int) -> str:
    url = f"{database.POSTGRES}/demarche_bench_{scale}_versus"
    try:
        connection = await asyncpg.connect(url.replace("postgresql", "postgres", 1))
        await connection.close()
        return url
    except (OSError, asyncpg.PostgresError):
        url = await database.fresh("postgresql", scale, suffix="versus")
        await database.load(url, scale)
        return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--write", action="store_true", help="profile createWave on a fresh database instead of the page")
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy (it needs ptrace: root, or CAP_SYS_PTRACE)")
    headers: dict[str, str] = {}
    if args.write:
        url = asyncio.run(_empty())
        headers = {"Authorization": f"Bearer {asyncio.run(database.tokens(url))['editor']}"}
        body: dict[str, Any] = {"query": CREATE_WAVE, "variables": {"name": "Benchmark wave"}}
    else:
        url = asyncio.run(_database(args.scale))
        body = {"query": PAGE, "variables": {}}
    raw = database.DATA / f"profile-{'write' if args.write else args.scale}.txt"
    database.DATA.mkdir(parents=True, exist_ok=True)
    raw.unlink(missing_ok=True)
    # py-spy cannot attach to a running server here (it fails to read the interpreter's version), so it starts it.
    record = [spy, "record", "--idle", "--threads", "--full-filenames", "--nolineno", "--rate", str(args.rate)]
    record += ["--format", "raw", "--output", str(raw), "--", *SERVE]
    spy_process = asyncio.run(processes.up(lambda: processes.start(record, url, DEMARCHE_PORT), f"http://127.0.0.1:{DEMARCHE_PORT}/health"))
    try:
        target = f"http://127.0.0.1:{DEMARCHE_PORT}/graphql"
        expect = b'"Wave"' if args.write else None
        figures = asyncio.run(processes.measure(target, body, 1, args.duration, headers=headers, expect=expect, driver="wrk"))
    finally:
        for pid in tree(spy_process.pid)[1:]:  # the server, not py-spy: py-spy writes its samples when the server ends
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        spy_process.wait(timeout=60)
    analyse(raw, figures, args.rate)


def analyse(raw: Path, figures: dict[str, float], rate: int) -> None:
    """Print the busy stages in ms per request, and the rest of the request's time (waiting) at 1 client."""
    served = figures["requests"] + 10  # and the ten warm-up requests before the timed ones
    main_thread: collections.Counter[str] = collections.Counter()
    lines = raw.read_text().splitlines()
    names = {line.split(";")[0].split(":")[0] for line in lines if line.split(";")[0].endswith("MainThread")}
    for line in lines:
        stack, _, samples = line.rpartition(" ")
        frames = stack.split(";")
        if samples.isdigit() and frames[0].split(":")[0] in names and len(frames) > 1:
            main_thread[";".join(frames[1:])] += int(samples)
    by_stage: collections.Counter[str] = collections.Counter()
    for stack, count in main_thread.items():
        found = stage(stack.split(";"))
        if found is not None and found != IDLE:
            by_stage[found] += count
    per_request = 1000 / rate / served
    wall = 1000 / figures["rps"]
    busy = sum(by_stage.values()) * per_request
    shown = f"{figures['rps']:.1f} req/s ({wall:.2f} ms per request), p50 {figures['p50_ms']:.2f} ms"
    print(f"1 client under py-spy ({rate} samples/s): {shown}")
    print("\n| where a request's time goes in the server's main thread | ms per request | share of its time |\n| --- | ---: | ---: |")
    for name, count in by_stage.most_common():
        print(f"| {name} | {count * per_request:.2f} | {100 * count * per_request / wall:.0f} % |")
    print(f"| **busy in Python, all stages** | **{busy:.2f}** | **{100 * busy / wall:.0f} %** |")
    waiting, share = "waiting: PostgreSQL's work, the network, the client, other processes on the cores", 100 * (wall - busy) / wall
    print(f"| {waiting} | {wall - busy:.2f} | {share:.0f} % |")
    inclusive: collections.Counter[str] = collections.Counter()
    for stack, count in main_thread.items():
        frames = stack.split(";")
        if stage(frames) not in (None, IDLE):
            for frame in set(frames):
                inclusive[frame] += count
    print("\nheaviest frames while busy (inclusive, ms per request):")
    for frame, count in inclusive.most_common(70):
        print(f"  {count * per_request:6.3f}  {frame.replace(str(ROOT) + '/', '').replace('.venv/lib/python3.11/site-packages/', '')}")
    print(f"\nraw stacks: {raw}")


if __name__ == "__main__":
    main()
