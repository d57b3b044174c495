"""Where Demarche's time goes on one request of the nested page, at 1 client: py-spy samples the server.

    .venv/bin/python -m bench.profile --scale 100000 --duration 20

Serves the benchmark's record (the database bench/versus.py loaded, when it is there; else a fresh one) with
`demarche serve` (response cache off), puts wrk's 1-client load of the nested page on it, and samples the
server's threads with py-spy (`--idle`: the time the event loop waits on PostgreSQL or the socket counts too),
so each stack's share of the samples is its share of the request's wall-clock time in the server. Prints the
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

import asyncpg

from bench import database, processes
from bench.cpu import tree
from bench.operations import PAGE
from bench.versus import DEMARCHE_PORT, SERVE

# The stages of a request, each recognised by a frame on the stack (the first stage that matches, in this order).
STAGES = [
    ("SQL over asyncpg (send, receive, decode)", ("/asyncpg/", "dialects/postgresql/asyncpg.py")),
    ("SQLAlchemy (pool checkout, connection, execute)", ("/sqlalchemy/",)),
    ("planning the compiled read (api/compiled/planner.py)", ("/api/compiled/planner.py",)),
    ("parsing and validating the document", ("/graphql/language/", "/graphql/validation/", "documents.py")),
    ("request context (caller, read session)", ("/api/graphql/context.py", "/persistence/write/read_session.py")),
    ("compiled answer assembly (api/compiled/reads.py)", ("/api/compiled/reads.py",)),
    ("GraphQL view (api/http/view.py)", ("/api/http/view.py",)),
    ("middleware (api/http/, api/limits/, api/ops/)", ("/api/http/", "/api/limits/", "/api/ops/")),
    ("HTTP server (uvicorn, starlette)", ("/uvicorn/", "/starlette/")),
]
IDLE = "waiting (the event loop idle: PostgreSQL working, the network, the client)"
STARTUP = ("lifespan", "<module>", "_find_and_load", "startup")


def stage(frames: list[str]) -> str | None:
    """The stage of one sampled stack of the main thread, IDLE, or None for start-up and shut-down."""
    if any(marker in frame for frame in frames for marker in STARTUP):
        return None
    if "(selectors.py" in frames[-1] or frames[-1].startswith("select ("):
        return IDLE
    for name, markers in STAGES:
        if any(marker in frame for frame in frames for marker in markers):
            return name
    return "other (the event loop's own work, asyncio)"


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
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy (it needs ptrace: root, or CAP_SYS_PTRACE)")
    url = asyncio.run(_database(args.scale))
    raw = database.DATA / f"profile-{args.scale}.txt"
    database.DATA.mkdir(parents=True, exist_ok=True)
    raw.unlink(missing_ok=True)
    # py-spy cannot attach to a running server here (it fails to read the interpreter's version), so it starts it.
    record = [spy, "record", "--idle", "--threads", "--full-filenames", "--nolineno", "--rate", str(args.rate)]
    record += ["--format", "raw", "--output", str(raw), "--", *SERVE]
    spy_process = asyncio.run(processes.up(lambda: processes.start(record, url, DEMARCHE_PORT), f"http://127.0.0.1:{DEMARCHE_PORT}/health"))
    try:
        target = f"http://127.0.0.1:{DEMARCHE_PORT}/graphql"
        body = {"query": PAGE, "variables": {}}
        figures = asyncio.run(processes.measure(target, body, 1, args.duration, driver="wrk"))
    finally:
        for pid in tree(spy_process.pid)[1:]:  # the server, not py-spy: py-spy writes its samples when the server ends
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        spy_process.wait(timeout=60)
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
        if found is not None:
            by_stage[found] += count
    per_request = 1000 / args.rate / served
    print(f"1 client under py-spy ({args.rate} samples/s): {figures['rps']:.1f} req/s, p50 {figures['p50_ms']:.2f} ms, {served} requests")
    print("\n| where the server's main thread is | ms per request | share |\n| --- | ---: | ---: |")
    total = sum(by_stage.values())
    for name, count in by_stage.most_common():
        print(f"| {name} | {count * per_request:.2f} | {100 * count / total:.0f} % |")
    inclusive: collections.Counter[str] = collections.Counter()
    for stack, count in main_thread.items():
        frames = stack.split(";")
        if stage(frames) not in (None, IDLE):
            for frame in set(frames):
                inclusive[frame] += count
    print("\nheaviest frames while busy (inclusive, ms per request):")
    for frame, count in inclusive.most_common(60):
        print(f"  {count * per_request:6.3f}  {frame}")
    print(f"\nraw stacks: {raw}")


if __name__ == "__main__":
    main()
