"""The benchmark's databases: made fresh, loaded with a generated record, given tokens; what each operation costs in
SQL statements, and how long the command line takes to export and import the record."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event

from api.compiled.reads import CompiledReads
from api.graphql.context import Context
from api.graphql.schema import build_schema
from api.settings import Settings
from bench.generate import generate
from bench.operations import Operation
from bench.processes import ROOT
from domain.access import Role
from domain.use_cases.tokens import issue_token
from persistence.catalogue import IsoStateCatalogue
from persistence.setup import prepare
from persistence.sql.engine import create_engine
from persistence.write.bulk import bulk_load
from persistence.write.unit_of_work import SqlUnitOfWorkFactory

DATA = ROOT / "bench" / ".data"
POSTGRES = "postgresql://postgres@127.0.0.1:5432"


async def fresh(kind: str, scale: int, suffix: str = "") -> str:
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


async def load(url: str, scale: int) -> dict[str, float]:
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


async def tokens(url: str) -> dict[str, str]:
    """A bearer token of each role, made in the benchmark's database."""
    engine = create_engine(url)
    uow_factory = SqlUnitOfWorkFactory(engine, author="bench")
    secrets = {}
    for role in Role:
        _, secrets[role.value] = await issue_token(f"bench-{role.value}", role, uow=uow_factory(), created_by="bench")
    await engine.dispose()
    return secrets


def headers(op: Operation, tokens: dict[str, str]) -> dict[str, str]:
    return {} if op.role is None else {"Authorization": f"Bearer {tokens[op.role]}"}


async def statements(url: str, ops: list[Operation], tokens: dict[str, str]) -> tuple[dict[str, int], dict[str, str]]:
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
        context = await Context.for_request(uow_factory, IsoStateCatalogue(), Settings(), headers(op, tokens).get("Authorization"))
        answer = await compiled.answer(op.query, op.variables, None, context)
        await context.reads.close()
        paths[op.name] = "compiled" if answer is not None else "executor"
        data: Any = None if answer is None else json.loads(answer)
        if answer is None:
            seen.clear()
            context = await Context.for_request(uow_factory, IsoStateCatalogue(), Settings(), headers(op, tokens).get("Authorization"))
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


def cli(command: list[str], url: str) -> float:
    """Seconds one `demarche` command takes on `url`."""
    env = {**os.environ, "DEMARCHE_DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cli.main", *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


async def exchange(url: str, kind: str, scale: int) -> dict[str, float]:
    """Export the loaded record, import it into an empty database, export again; the two files must be identical."""
    DATA.mkdir(parents=True, exist_ok=True)
    first, second = DATA / f"export-{kind}-{scale}.jsonl", DATA / f"export-{kind}-{scale}-again.jsonl"
    export_s = await asyncio.to_thread(cli, ["export", "--quiet", "--output", str(first)], url)
    copy = await fresh(kind, scale, suffix="copy")
    import_s = await asyncio.to_thread(cli, ["import", "--quiet", str(first)], copy)
    await asyncio.to_thread(cli, ["export", "--quiet", "--output", str(second)], copy)
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
