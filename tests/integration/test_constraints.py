"""The database's own constraints, a second line behind the domain: what slips past becomes a Conflict, and no write survives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Executable, insert, text
from sqlalchemy.exc import IntegrityError

from domain.errors import Code, Conflict
from domain.record.expulsions import Expulsion
from domain.use_cases.actors import delete_actor
from persistence.sql import mappers
from persistence.sql.tables import AnswerRow, CitationRow, ExpulsionRow, MissionRow
from persistence.write.base import table_of
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.conftest import contract
from tests.integration import drafts
from tests.integration.conftest import Store

pytestmark = contract


@dataclass(frozen=True)
class Seed:
    """A measure, a statement and a source to point broken rows at."""

    measure: int
    statement: int
    source: int


async def seed(store: Store) -> Seed:
    measure = await store.add(drafts.measure())
    statement = await store.add(drafts.statement(measure_ids=(measure.id or 0,)))
    source = await store.add(drafts.source())
    return Seed(measure.id or 0, statement.id or 0, source.id or 0)


def measure_row(**columns: Any) -> Executable:
    """A measure row as the mapper would write it, with `columns` overridden past the domain's checks."""
    return insert(table_of(ExpulsionRow)).values({**mappers.mapper_of(Expulsion).to_values(drafts.measure()), **columns})


FOREIGN_KEY = "foreign key"

BROKEN_ROWS: dict[str, tuple[Callable[[Seed], Executable], str]] = {
    "unknown-headcount-stored-as-zero": (lambda _: measure_row(headcount_qualifier="unknown", headcount_value=0), "ck_expulsion_headcount"),
    "known-headcount-without-a-number": (
        lambda _: measure_row(headcount_qualifier="exact", headcount_value=None),
        "ck_expulsion_headcount",
    ),
    "negative-headcount": (lambda _: measure_row(headcount_value=-1), "ck_expulsion_headcount"),
    "measure-against-itself": (lambda _: measure_row(actor="RU", target="RU"), "ck_expulsion_not_self"),
    "deadline-before-announcement": (
        lambda _: measure_row(deadline_start=date(2022, 3, 1), deadline_end=date(2022, 3, 1), deadline_precision="day"),
        "ck_expulsion_deadline",
    ),
    "measure-by-an-unknown-actor": (lambda _: measure_row(actor="ZZ"), FOREIGN_KEY),
    "measure-answering-itself": (
        lambda s: insert(table_of(AnswerRow)).values(measure_id=s.measure, answered_id=s.measure),
        "ck_answer_not_self",
    ),
    "answer-to-a-missing-measure": (
        lambda s: insert(table_of(AnswerRow)).values(measure_id=s.measure, answered_id=999_999),
        FOREIGN_KEY,
    ),
    "citation-of-nothing": (lambda s: insert(table_of(CitationRow)).values(source_id=s.source), "ck_citation_one_subject"),
    "citation-of-a-measure-and-a-statement": (
        lambda s: insert(table_of(CitationRow)).values(source_id=s.source, measure_id=s.measure, statement_id=s.statement),
        "ck_citation_one_subject",
    ),
    "citation-reporting-unknown-as-zero": (
        lambda s: insert(table_of(CitationRow)).values(
            source_id=s.source, measure_id=s.measure, headcount_qualifier="unknown", headcount_value=0
        ),
        "ck_citation_headcount",
    ),
    "citation-of-a-missing-source": (
        lambda s: insert(table_of(CitationRow)).values(source_id=999_999, measure_id=s.measure),
        FOREIGN_KEY,
    ),
    "mission-hosted-by-an-unknown-state": (
        lambda _: insert(table_of(MissionRow)).values(sending_state="RU", host_state="ZZ", kind="embassy"),
        FOREIGN_KEY,
    ),
    "statement-without-a-speaker": (
        lambda _: text("INSERT INTO statement (on_behalf_of, stance, quote, quote_language) VALUES ('US', 'condemns', 'Unhelpful.', 'en')"),
        "ck_statement_speaker",
    ),
}


@pytest.mark.usefixtures("sql_backend")
async def test_a_row_breaking_a_constraint_is_a_conflict_and_the_transaction_leaves_nothing(
    store: Store, uow_factory: SqlUnitOfWorkFactory, subtests: pytest.Subtests
) -> None:
    # Every case rolls back in full, so the cases can share one database; each reports on its own.
    ids = await seed(store)
    before = await store.row_counts()
    for case, (broken, constraint) in BROKEN_ROWS.items():
        with subtests.test(case):

            async def write_valid_rows_then_the_broken_one(broken: Callable[[Seed], Executable] = broken) -> None:
                async with uow_factory() as uow:
                    await uow.waves.add(drafts.wave())
                    await uow.sources.add(drafts.source(publisher="Written before the broken row"))
                    await uow.waves.connection.execute(broken(ids))
                    await uow.commit()

            with pytest.raises(Conflict) as raised:
                await write_valid_rows_then_the_broken_one()
            assert isinstance(raised.value.__cause__, IntegrityError)
            assert constraint in raised.value.message.lower()
            assert await store.row_counts() == before


async def referenced_actor(store: Store) -> tuple[str, int]:
    await store.add(drafts.measure(actor="LT", target="BY"))
    async with store.uow_factory.reader() as uow:
        lithuania = (await uow.actors.get_by_codes(["LT"]))["LT"]
    return "actors", lithuania.id or 0


async def diplomat_named_in_a_measure(store: Store) -> tuple[str, int]:
    person = await store.add(drafts.diplomat())
    await store.add(drafts.measure(diplomat_ids=(person.id or 0,)))
    return "diplomats", person.id or 0


async def mission_with_a_diplomat(store: Store) -> tuple[str, int]:
    post = await store.add(drafts.mission())
    await store.add(drafts.diplomat(mission_id=post.id))
    return "missions", post.id or 0


async def mission_targeted_by_a_measure(store: Store) -> tuple[str, int]:
    post = await store.add(drafts.mission())
    await store.add(drafts.measure(target_mission_id=post.id))
    return "missions", post.id or 0


async def wave_with_a_measure(store: Store) -> tuple[str, int]:
    together = await store.add(drafts.wave())
    await store.add(drafts.measure(wave_id=together.id))
    return "waves", together.id or 0


async def cited_source(store: Store) -> tuple[str, int]:
    measure = await store.add(drafts.measure())
    origin = await store.add(drafts.source())
    await store.add(drafts.citation(source_id=origin.id, measure_id=measure.id))
    return "sources", origin.id or 0


async def answered_measure(store: Store) -> tuple[str, int]:
    earlier = await store.add(drafts.measure())
    await store.add(drafts.measure(actor="RU", target="US", answers=(earlier.id or 0,)))
    return "expulsions", earlier.id or 0


STILL_REFERENCED = [
    referenced_actor,
    diplomat_named_in_a_measure,
    mission_with_a_diplomat,
    mission_targeted_by_a_measure,
    wave_with_a_measure,
    cited_source,
    answered_measure,
]


async def test_deleting_a_record_still_referenced_is_a_conflict_and_deletes_nothing(
    store: Store, uow_factory: SqlUnitOfWorkFactory, subtests: pytest.Subtests
) -> None:
    for referenced in STILL_REFERENCED:
        with subtests.test(referenced.__name__):
            repository, id = await referenced(store)
            before = await store.row_counts()

            async def delete_past_the_domain(repository: str = repository, id: int = id) -> None:
                async with uow_factory() as uow:
                    await getattr(uow, repository).delete(id)
                    await uow.commit()

            with pytest.raises(Conflict) as refused:
                await delete_past_the_domain()
            assert refused.value.code is Code.STILL_REFERENCED
            assert await store.row_counts() == before


async def test_a_reference_to_a_missing_record_is_a_conflict_naming_the_rule(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    earlier = await store.add(drafts.measure())
    before = await store.row_counts()
    for dangling in (drafts.measure(answers=(earlier.id or 0, 999_999)), drafts.measure(wave_id=999_999)):

        async def add_past_the_domain(measure: Expulsion = dangling) -> None:
            async with uow_factory() as uow:
                await uow.expulsions.add(measure)
                await uow.commit()

        with pytest.raises(Conflict) as refused:
            await add_past_the_domain()
        assert refused.value.code is Code.UNKNOWN_REFERENCE
    assert await store.row_counts() == before


async def test_delete_actor_use_case_reports_a_conflict_for_an_actor_still_acting(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    _, lithuania = await referenced_actor(store)
    with pytest.raises(Conflict):
        await delete_actor(lithuania, uow=uow_factory())
    async with uow_factory.reader() as uow:
        assert await uow.actors.get(lithuania) is not None


async def test_delete_actor_use_case_removes_an_actor_nothing_refers_to(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory.reader() as uow:
        tuvalu = (await uow.actors.get_by_codes(["TV"]))["TV"]
    await delete_actor(tuvalu.id or 0, uow=uow_factory())
    async with uow_factory.reader() as uow:
        assert await uow.actors.get_by_codes(["TV", "TUV"]) == {}
