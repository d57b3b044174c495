"""What a NOTIFY inside each write transaction costs concurrent writers on PostgreSQL.

    .venv/bin/python -m bench.notify --seconds 4 --rounds 3

On a fresh empty Demarche database, 1 and then 16 writers (one asyncpg connection each) run the write floor's
transaction (bench/floor.py: a token lookup, the wave, its history entry) as fast as they can, without and with
`pg_notify` in it, in alternating rounds; prints the medians in transactions per second. PostgreSQL holds a
cluster-wide lock from a notifying transaction's pre-commit until after its commit (PreCommit_Notify in
src/backend/commands/async.c), so notifying writers commit one at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import asyncpg

from bench import database
from persistence.setup import prepare
from persistence.sql.engine import create_engine

CHANNEL = "demarche_bench_notify"  # nobody listens: the lock is taken all the same


async def _writer(connection: asyncpg.Connection, notify: bool, stop: float) -> int:
    done = 0
    while time.perf_counter() < stop:
        async with connection.transaction():
            await connection.fetchval("SELECT name FROM api_token WHERE digest = $1 AND revoked_at IS NULL", "no such digest")
            wave = await connection.fetchval("INSERT INTO wave (version, name) VALUES (1, 'Benchmark wave') RETURNING id")
            entry = await connection.fetchval(
                "INSERT INTO history (at, author, action, entity, record_id, version, before, after) "
                "VALUES (now(), 'bench', 'create', 'Wave', $1, 1, 'null', $2) RETURNING id",
                wave,
                json.dumps({"name": "Benchmark wave", "description": None, "id": wave}),
            )
            if notify:
                await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, json.dumps({"entry": entry}))
        done += 1
    return done


async def _round(url: str, writers: int, notify: bool, seconds: float) -> float:
    connections = [await asyncpg.connect(url) for _ in range(writers)]
    try:
        stop = time.perf_counter() + seconds
        done = await asyncio.gather(*(_writer(connection, notify, stop) for connection in connections))
    finally:
        for connection in connections:
            await connection.close()
    return sum(done) / seconds


async def measure(seconds: float, rounds: int) -> dict[str, list[float]]:
    url = await database.fresh("postgresql", 0, suffix="notify")
    engine = create_engine(url)
    await prepare(engine, load_demo=False)
    await engine.dispose()
    plain = url.replace("postgresql", "postgres", 1)
    found: dict[str, list[float]] = {}
    for _ in range(rounds):
        for notify in (False, True):
            for writers in (1, 16):
                found.setdefault(f"{writers} writer(s), {'with' if notify else 'without'} pg_notify", []).append(
                    await _round(plain, writers, notify, seconds)
                )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    found = asyncio.run(measure(args.seconds, args.rounds))
    for name, rates in found.items():
        print(f"{name}: median {statistics.median(rates):,.0f} tx/s (rounds: {', '.join(f'{rate:,.0f}' for rate in rates)})")


if __name__ == "__main__":
    main()
