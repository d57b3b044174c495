"""An import killed with SIGKILL while it writes leaves the database exactly as it was, and usable, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import StorageUnavailable
from domain.exchange.format import encode, header
from domain.record.expulsions import Expulsion, MeasureType, ReasonCategory, Wave
from domain.record.sources import Citation, Source, SourceKind
from domain.record.statements import Stance, Statement
from domain.record.values import Headcount, PartialDate
from persistence.exchange.demo import demo_record, load_record
from persistence.exchange.export import export_record
from persistence.exchange.importing import import_file
from persistence.sql.engine import create_engine
from persistence.write.unit_of_work import WRITER_LOCK, SqlUnitOfWorkFactory
from tests.integration.conftest import Store

ROOT = Path(__file__).resolve().parents[2]
MEASURES = 40_000
FIRST_ID = 1_000
"""Past the demo record's ids, so the file adds to it."""
STATES = ("US", "RU", "PL", "DE", "FR", "GB", "UA", "BY", "CN", "JP", "LT", "LV", "EE", "CZ")
WRITING = re.compile(rb"writing:\s*\d+%\|[^|\r\n]*\|\s*([0-9]+)/")


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 53 000 records: sources, measures answering earlier ones, statements and citations, all valid."""
    path = tmp_path_factory.mktemp("large") / "large.jsonl"
    sources = range(FIRST_ID, FIRST_ID + MEASURES // 50)
    measures = range(FIRST_ID, FIRST_ID + MEASURES)
    with path.open("w", encoding="utf-8") as file:
        file.write(header() + "\n")
        for id in sources:
            file.write(encode(Source(id=id, publisher=f"Agency {id}", title=f"Report {id}", kind=SourceKind.WIRE_AGENCY)) + "\n")
        for number, id in enumerate(measures):
            actor, target = STATES[number % len(STATES)], STATES[(number * 5 + 1) % len(STATES)]
            measure = Expulsion(
                id=id,
                actor=actor,
                target=target if target != actor else "AT",
                measure_type=list(MeasureType)[number % len(MeasureType)],
                announced=PartialDate(1990 + number * 30 // MEASURES),
                headcount=Headcount.exactly(1 + number % 40),
                reason_category=ReasonCategory.RETALIATION,
                stated_reason=f"Measure {id}: «retaliation»",
                answers=(id - 1 - number % 7,) if number >= 7 else (),
            )
            file.write(encode(measure) + "\n")
        for id in range(FIRST_ID, FIRST_ID + MEASURES // 10):
            quote = f"Statement {id} on the expulsions"
            statement = Statement(
                id=id, on_behalf_of="RU", stance=Stance.CONDEMNS, quote=quote, quote_language="en", speaker_role="Spokesman"
            )
            file.write(encode(statement) + "\n")
        for id in range(FIRST_ID, FIRST_ID + MEASURES // 5):
            file.write(encode(Citation(id=id, source_id=sources[id % len(sources)], measure_id=id)) + "\n")
    return path


async def state(engine: AsyncEngine) -> tuple[dict[str, int], str, int]:
    uow_factory = SqlUnitOfWorkFactory(engine)
    parts: list[str] = []
    await export_record(engine, parts.append)
    return await Store(uow_factory).row_counts(), hashlib.sha256("".join(parts).encode()).hexdigest(), await uow_factory.record_version()


def written(output: bytes) -> int:
    """The most records the progress bar has shown written so far."""
    return max((int(found) for found in WRITING.findall(output)), default=0)


async def writer_lock_held(engine: AsyncEngine) -> bool:
    """Whether an import holds the writers' lock alone (other writers hold it shared)."""
    async with engine.connect() as connection:
        found = await connection.scalar(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :key AND mode = 'ExclusiveLock' AND granted"),
            {"key": WRITER_LOCK},
        )
        return bool(found)


@contextlib.asynccontextmanager
async def import_under_way(database_url: str, large_file: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`demarche import` of the large file in a process of its own, once it is seen writing; killed if still running after."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cli.main",
        "import",
        "--progress",
        str(large_file),
        env={**os.environ, "DEMARCHE_DATABASE_URL": database_url},
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    stderr = process.stderr
    assert stderr is not None
    output = b""

    async def until_writing() -> None:
        nonlocal output
        while written(output) == 0 and (chunk := await stderr.read(65536)):
            output += chunk

    try:
        await asyncio.wait_for(until_writing(), timeout=240)
        assert written(output) > 0, f"the import ended before it was seen writing: {output.decode(errors='replace')}"
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await asyncio.wait_for(process.wait(), timeout=60)


async def test_an_import_killed_while_writing_leaves_the_database_as_it_was(
    backend: str, database_url: str, engine: AsyncEngine, large_file: Path, tmp_path: Path
) -> None:
    await load_record(demo_record(), uow=SqlUnitOfWorkFactory(engine)())
    before = await state(engine)
    async with import_under_way(database_url, large_file) as process:
        if backend == "postgresql":
            assert await writer_lock_held(engine)
        process.send_signal(signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    assert await state(engine) == before
    small = tmp_path / "small.jsonl"
    small.write_text(header() + "\n" + '{"type":"Wave","id":900,"name":"After the kill"}\n', encoding="utf-8")
    report = await asyncio.wait_for(import_file(SqlUnitOfWorkFactory(engine), small), timeout=120)
    assert report.added == {"Wave": 1}
    counts, _, version = await state(engine)
    assert counts["wave"] == before[0]["wave"] + 1
    assert version != before[2]  # a number that changes with every commit (on PostgreSQL, derived from the history)


async def test_on_postgresql_readers_go_on_during_an_import_and_another_writer_waits_at_most_its_timeout(
    backend: str, database_url: str, engine: AsyncEngine, large_file: Path
) -> None:
    """While an import writes, a reader is answered at once and sees the record as it was; another writer is either
    let through or, past its statement timeout, refused with the store's clear error; never left waiting longer."""
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time by design; its wait is bounded by its busy timeout")
    await load_record(demo_record(), uow=SqlUnitOfWorkFactory(engine)())
    before = await state(engine)
    impatient = create_engine(database_url, statement_timeout=2)
    try:
        async with import_under_way(database_url, large_file) as process:
            started = time.perf_counter()
            seen = await asyncio.wait_for(state(engine), timeout=30)
            read_in = time.perf_counter() - started
            assert seen == before, "a reader saw part of an import that had not committed"
            started = time.perf_counter()
            try:
                async with SqlUnitOfWorkFactory(impatient, author="other")() as uow:
                    await uow.waves.add(Wave(name="Written beside an import"))
                    await uow.commit()
                refused: StorageUnavailable | None = None
            except StorageUnavailable as error:
                refused = error
            waited = time.perf_counter() - started
            assert process.returncode is None, "the import ended before the reader and the writer were tried; the file is too small"
            assert read_in < 10, f"a reader waited {read_in:.1f} s during an import"
            assert waited < 2 + 8, f"another writer waited {waited:.1f} s, past its 2 s timeout"
            if refused is not None:
                assert refused.message == "the record store is unavailable; nothing was written. Retrying later may succeed"
            await asyncio.wait_for(process.communicate(), timeout=600)
            assert process.returncode == 0
    finally:
        await impatient.dispose()
    counts, _, _ = await state(engine)
    assert counts["expulsion"] == before[0]["expulsion"] + MEASURES
