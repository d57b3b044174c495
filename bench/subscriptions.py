"""Subscriptions under load: many subscribers, a burst of writes, one slow consumer, over real sockets.

    .venv/bin/python -m bench.subscriptions --database postgresql --subscribers 1000 --writes 100

Starts `demarche serve` on a fresh database (the demo record), opens N graphql-transport-ws
sockets that each subscribe to new waves, then sends a burst of writes over HTTP twice: once with
only the N subscribers, once with a slow consumer as well (a socket that stops reading, whose
subscription selects each event's values 20 times over, so its socket fills within the burst).
Delivery latency is the time from an entry's commit timestamp (`at`, the server's clock on this
same machine) to its arrival at a subscriber. Writes its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
PROTOCOL = Subprotocol("graphql-transport-ws")
LIVE = "subscription { history(entity: WAVE, actions: [CREATE]) { id at } }"
BULKY = "subscription { history(entity: WAVE, actions: [CREATE]) { id at after " + " ".join(f"c{n}: after" for n in range(20)) + " } }"
CREATE = "mutation Create($input: CreateWaveInput!) { createWave(input: $input) { __typename } }"
SECTION = "## Subscriptions under load"
DESCRIPTION = "x" * 10_000
"""Each wave's description: the slow consumer's selection carries it 21 times an event, so its socket fills in the burst."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _database(kind: str) -> tuple[str, str | None]:
    if kind == "sqlite":
        path = ROOT / "bench" / ".data" / "subscriptions.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240
        return f"sqlite:///{path}", None
    name = f"demarche_bench_subs_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"{POSTGRES}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return f"{POSTGRES}/{name}", name


async def _drop(name: str) -> None:
    admin = await asyncpg.connect(f"{POSTGRES}/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


def _rss_mb(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak, in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _token(env: dict[str, str]) -> str:
    """A new editor token's secret, made with `demarche token create`."""
    command = [sys.executable, "-m", "cli.main", "token", "create", "bench-writer", "--role", "editor"]
    made = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return made.stdout.strip().splitlines()[-1]


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--log-level", "warning"]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Subscriber:
    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.arrivals: dict[str, float] = {}
        """Entry id -> when it arrived (time.time())."""
        self.commits: dict[str, float] = {}
        self.errors: list[Any] = []
        self.reader: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, url: str, query: str, **options: Any) -> Subscriber:
        ws = await connect(url, subprotocols=[PROTOCOL], open_timeout=60, **options)
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        return cls(ws)

    def read(self) -> None:
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.socket:
            arrived = time.time()
            message = json.loads(raw)
            if message["type"] != "next":
                continue
            payload = message["payload"]
            if payload.get("errors"):
                self.errors.append(payload["errors"])
                continue
            entry = payload["data"]["history"]
            self.arrivals[entry["id"]] = arrived
            self.commits[entry["id"]] = datetime.fromisoformat(entry["at"]).timestamp()


async def _burst(http: str, token: str, writes: int, writers: int = 4) -> float:
    """`writes` wave creations over HTTP by `writers` concurrent clients; seconds taken."""
    headers = {"Authorization": f"Bearer {token}"}
    queue = list(range(writes))
    started = time.monotonic()
    async with httpx.AsyncClient(headers=headers, timeout=60) as session:

        async def writer() -> None:
            while queue:
                n = queue.pop()
                wave = {"name": f"Burst {uuid.uuid4().hex[:8]} {n}", "description": DESCRIPTION}
                body = {"query": CREATE, "variables": {"input": wave}}
                response = await session.post(f"{http}/graphql", json=body)
                assert response.status_code == 200, response.text

        await asyncio.gather(*(writer() for _ in range(writers)))
    return time.monotonic() - started


async def _settle(subscribers: list[Subscriber], expected: int, within: float = 120) -> None:
    """Until every subscriber has `expected` events, or `within` seconds have passed."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and any(len(s.arrivals) < expected for s in subscribers):  # noqa: ASYNC110  (counters, no event)
        await asyncio.sleep(0.1)


def _latencies(subscribers: list[Subscriber], ids: set[str]) -> list[float]:
    return [(s.arrivals[i] - s.commits[i]) * 1000 for s in subscribers for i in ids if i in s.arrivals]


def _quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1] if len(values) > 1 else (values[0] if values else float("nan"))


async def run(kind: str, count: int, writes: int, queue: int) -> dict[str, Any]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * count + 256)), hard))
    url, database = await _database(kind)
    port = _free_port()
    env = {
        **os.environ,
        "DEMARCHE_DATABASE_URL": url,
        "DEMARCHE_RATE_LIMIT": "100000000",
        "DEMARCHE_SUBSCRIPTION_QUEUE": str(queue),
        "DEMARCHE_MAX_SOCKETS": str(count + 10),
    }
    token = _token(env)
    server = _serve(env, port)
    http, ws = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/graphql"
    try:
        async with httpx.AsyncClient() as session:
            for _ in range(600):
                try:
                    if (await session.get(f"{http}/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.2)
        idle_rss, _ = _rss_mb(server.pid)
        opened = time.monotonic()
        subscribers: list[Subscriber] = []
        for start in range(0, count, 100):
            subscribers += await asyncio.gather(*(Subscriber.open(ws, LIVE) for _ in range(start, min(count, start + 100))))
        open_seconds = time.monotonic() - opened
        for subscriber in subscribers:
            subscriber.read()
        await asyncio.sleep(1)
        subscribed_rss, _ = _rss_mb(server.pid)

        results: dict[str, Any] = {}
        for phase in ("alone", "with a slow consumer"):
            slow = None
            if phase != "alone":
                tiny = socket.socket()
                tiny.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                tiny.connect(("127.0.0.1", port))
                slow = await Subscriber.open(ws, BULKY, sock=tiny, max_queue=1, max_size=None, compression=None)
                await asyncio.sleep(0.5)
                slow.socket.transport.pause_reading()  # it reads nothing during the burst
            before = {i for s in subscribers for i in s.arrivals}
            seconds = await _burst(http, token, writes)
            expected = len(before) + writes
            await _settle(subscribers, expected)
            ids = {i for s in subscribers for i in s.arrivals} - before
            latencies = _latencies(subscribers, ids)
            complete = sum(1 for s in subscribers if len(s.arrivals) >= expected)
            overflowed = None
            if slow is not None:
                slow.socket.transport.resume_reading()
                slow.read()
                await asyncio.sleep(3)
                overflowed = [e[0]["extensions"]["code"] for e in slow.errors]
                await slow.socket.close()
            _, peak = _rss_mb(server.pid)
            results[phase] = {
                "write_seconds": seconds,
                "delivered": len(latencies),
                "expected": writes * count,
                "complete_subscribers": complete,
                "p50_ms": _quantile(latencies, 0.5),
                "p99_ms": _quantile(latencies, 0.99),
                "max_ms": max(latencies) if latencies else float("nan"),
                "peak_rss_mb": peak,
                "slow_consumer": overflowed,
            }
            print(phase, json.dumps(results[phase]), flush=True)
        for subscriber in subscribers:
            await subscriber.socket.close()
        return {
            "database": kind,
            "subscribers": count,
            "writes": writes,
            "queue": queue,
            "open_seconds": open_seconds,
            "idle_rss_mb": idle_rss,
            "subscribed_rss_mb": subscribed_rss,
            "phases": results,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
        if database is not None:
            await _drop(database)


def _markdown(run: dict[str, Any], command: str) -> str:
    lines = [
        SECTION,
        "",
        f"- command: `{command}`",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores (shared with the client), Python {platform.python_version()}",
        f"- {run['subscribers']:,} graphql-transport-ws sockets from one client process (websockets; the server declines "
        "permessage-deflate), each "
        f"subscribed to `history(entity: WAVE, actions: [CREATE]) {{ id at }}` on {run['database']}; a burst of {run['writes']} "
        "wave creations (each with a 10,000-character description) over HTTP by 4 concurrent writers, twice: alone, then with "
        "a slow consumer (a socket that stops reading, whose subscription selects each event's values 20 times over) with a queue of "
        f"{run['queue']} events (`DEMARCHE_SUBSCRIPTION_QUEUE`)",
        "- latency: from the entry's commit timestamp (`at`, the server's clock, same machine) to its arrival at a subscriber, "
        "client-side queueing included (one Python process parses every message of every socket)",
        f"- {run['subscribers']:,} sockets opened and subscribed in {run['open_seconds']:.1f} s; server RSS "
        f"{run['idle_rss_mb']:.0f} MB before, {run['subscribed_rss_mb']:.0f} MB with every socket subscribed",
        "",
        "| burst | writes took s | events delivered | subscribers with every event | p50 ms | p99 ms | max ms | server peak RSS MB "
        "| slow consumer |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for phase, r in run["phases"].items():
        slow = "—" if r["slow_consumer"] is None else (", ".join(r["slow_consumer"]) or "no error")
        lines.append(
            f"| {phase} | {r['write_seconds']:.2f} | {r['delivered']:,} / {r['expected']:,} | {r['complete_subscribers']:,} | "
            f"{r['p50_ms']:.0f} | {r['p99_ms']:.0f} | {r['max_ms']:.0f} | {r['peak_rss_mb']:.0f} | {slow} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--writes", type=int, default=100)
    parser.add_argument("--queue", type=int, default=20, help="DEMARCHE_SUBSCRIPTION_QUEUE for the server")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    result = asyncio.run(run(args.database, args.subscribers, args.writes, args.queue))
    command = "python -m bench.subscriptions " + " ".join(sys.argv[1:])
    text = args.doc.read_text(encoding="utf-8") if args.doc.exists() else ""
    kept = text.split(SECTION)[0].rstrip() + "\n\n" if SECTION in text else text.rstrip() + "\n\n"
    args.doc.write_text(kept + _markdown(result, command), encoding="utf-8")


if __name__ == "__main__":
    main()
