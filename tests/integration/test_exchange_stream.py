"""What a streamed import checks across chunks, on SQLite and PostgreSQL: references to records further down the file
(several chunks away), an organisation named before its own line, the rules such references must fit, and --replace
of a record that rows read earlier were checked against."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.exchange.format import encode
from domain.record.values import PartialDate
from persistence.exchange.importing import import_file
from persistence.exchange.shared import CHUNK
from persistence.write.history import SqlHistoryRepository
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.integration import drafts
from tests.integration.test_exchange import lines, refusal, state, where, write

ORGANISATION = (
    '{"type":"Actor","code":"QUAD","kind":"organisation","name":"The Quad","alpha3":null,"numeric":null,'
    '"official_name":null,"dissolved":null}'
)


def padding(count: int, first: int = 1_000) -> list[str]:
    """Sources that push the records after them into later chunks."""
    return [encode(drafts.source(id=id, title=f"Report {id}")) for id in range(first, first + count)]


async def test_references_to_records_chunks_further_down_are_found_and_must_fit(engine: AsyncEngine, tmp_path: Path) -> None:
    person = drafts.diplomat(id=7, sending_state="RU", mission_id=3)
    measure = drafts.measure(id=5, actor="QUAD", target="RU", diplomat_ids=(7,), answers=(6,))
    earlier = drafts.measure(id=6, actor="RU", target="US", announced=PartialDate(2022, 3, 1))
    statement = drafts.statement(id=8, on_behalf_of="QUAD", measure_ids=(5,))
    text = lines(
        encode(measure),
        encode(person),
        encode(statement),
        *padding(2 * CHUNK),
        ORGANISATION,
        encode(drafts.mission(id=3, sending_state="RU", host_state="US")),
        encode(earlier),
    )
    report = await import_file(SqlUnitOfWorkFactory(engine), write(tmp_path, text))
    assert report.added == {"Actor": 1, "Mission": 1, "Diplomat": 1, "Expulsion": 2, "Source": 2 * CHUNK, "Statement": 1}

    wrong = lines(
        encode(drafts.diplomat(id=17, sending_state="PL", mission_id=13)),
        encode(drafts.measure(id=15, actor="RU", target="US", announced=PartialDate(2022, 1), answers=(16,))),
        encode(drafts.citation(id=30, source_id=99_999, measure_id=15)),
        *padding(CHUNK + 10, first=10_000),
        encode(drafts.mission(id=13, sending_state="RU", host_state="US")),
        encode(drafts.measure(id=16, actor="US", target="RU", announced=PartialDate(2022, 3, 1))),
    )
    before = await state(engine)
    problems = await refusal(SqlUnitOfWorkFactory(engine), write(tmp_path, wrong, "wrong.jsonl"))
    assert where(problems) == [(2, "mission_id"), (3, "answers"), (4, "source_id")]
    assert "belongs to RU, not PL" in str(problems[0])
    assert "an answer never points forward in time" in str(problems[1])
    assert str(problems[2]).endswith("source_id: Source 99999 does not exist")
    assert await state(engine) == before


async def test_a_row_naming_an_actor_the_file_refuses_further_down_is_refused_with_it(engine: AsyncEngine, tmp_path: Path) -> None:
    text = lines(
        encode(drafts.statement(id=8, on_behalf_of="QUAD")),
        *padding(CHUNK),
        ORGANISATION.replace('"name":"The Quad"', '"name":""'),
    )
    problems = await refusal(SqlUnitOfWorkFactory(engine), write(tmp_path, text))
    assert where(problems) == [(2, "on_behalf_of"), (CHUNK + 3, "name")]
    assert "Actor QUAD is refused (line" in str(problems[0])


async def test_replacing_a_mission_that_rows_read_earlier_were_checked_against_checks_them_again(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    first = lines(encode(drafts.mission(id=3, sending_state="RU", host_state="US")), encode(drafts.diplomat(id=7, mission_id=3)))
    await import_file(SqlUnitOfWorkFactory(engine), write(tmp_path, first))
    before = await state(engine)
    moved = lines(
        encode(drafts.diplomat(id=8, sending_state="RU", mission_id=3)),
        *padding(CHUNK),
        encode(drafts.mission(id=3, sending_state="BY", host_state="US")),
    )
    problems = await refusal(SqlUnitOfWorkFactory(engine), write(tmp_path, moved, "moved.jsonl"), replace=True)
    assert where(problems) == [(2, "mission_id"), (CHUNK + 3, "input")]
    assert "belongs to BY, not RU" in str(problems[0])
    assert "stored Diplomat 7 refers to it (mission_id)" in str(problems[1])
    assert await state(engine) == before


async def test_a_streamed_import_is_read_by_the_history_s_followers_as_soon_as_it_commits(engine: AsyncEngine, tmp_path: Path) -> None:
    """Its entries go in in bulk; the followers (the live history, resumes) read up to the newest of them at once,
    without waiting for a later writer's mark."""
    uow_factory = SqlUnitOfWorkFactory(engine)
    report = await import_file(uow_factory, write(tmp_path, lines(*padding(CHUNK + 5))))
    assert report.added == {"Source": CHUNK + 5}
    async with uow_factory.reader() as uow:
        newest = await uow.actors.connection.scalar(select(func.max(SqlHistoryRepository.table.c.id)))
        assert newest is not None
        assert await uow.history.last_id() == newest
        assert len(await uow.history.since(newest - CHUNK - 5, CHUNK + 10)) == CHUNK + 5
