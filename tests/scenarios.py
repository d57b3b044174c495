"""Scenarios written once against the domain's ports and run on both the fakes and the SQL adapters,
which must give the same answers; with the `Writer` they store through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from domain.ports import UnitOfWork
from domain.read.filters import ExpulsionFilter
from domain.read.pagination import PageRequest
from domain.record.actors import Actor
from domain.record.diplomats import Diplomat
from domain.record.expulsions import Expulsion, Wave
from domain.record.memberships import Membership
from domain.record.missions import Mission
from domain.record.sources import Citation, Source
from domain.record.statements import Statement
from domain.record.values import Headcount, HeadcountQualifier, PartialDate
from tests.drafts import UowFactory
from tests.integration import drafts

E = TypeVar("E")

EVERYTHING = PageRequest(first=100)

REPOSITORY_OF: dict[type[Any], str] = {
    Actor: "actors",
    Mission: "missions",
    Diplomat: "diplomats",
    Expulsion: "expulsions",
    Wave: "waves",
    Statement: "statements",
    Source: "sources",
    Citation: "citations",
    Membership: "memberships",
}


def repository(uow: UnitOfWork, kind: type[Any]) -> Any:
    return getattr(uow, REPOSITORY_OF[kind])


@dataclass
class Writer:
    """Writes through the repositories, one committed transaction per call, bypassing the use cases."""

    uow_factory: UowFactory

    async def add(self, entity: E) -> E:
        async with self.uow_factory() as uow:
            stored: E = await repository(uow, type(entity)).add(entity)
            await uow.commit()
        return stored

    async def add_all(self, *entities: E) -> list[E]:
        return [await self.add(entity) for entity in entities]

    async def update(self, entity: E) -> E:
        async with self.uow_factory() as uow:
            stored: E = await repository(uow, type(entity)).update(entity)
            await uow.commit()
        return stored

    async def get(self, kind: type[E], id: int) -> E | None:
        async with self.uow_factory.reader() as uow:
            found: E | None = await repository(uow, kind).get(id)
        return found


async def matching(uow_factory: UowFactory, **narrowing: Any) -> list[int]:
    """Ids of the measures a filter keeps, checked against its count."""
    wanted = ExpulsionFilter(**narrowing)
    async with uow_factory.reader() as uow:
        ids = [m.id or 0 for m in (await uow.expulsions.list(wanted, EVERYTHING)).items]
        assert await uow.expulsions.count(wanted) == len(ids)
    return ids


async def lag_filters_keep_answers_certainly_within_the_days(store: Writer, uow_factory: UowFactory) -> None:
    early_march = await store.add(drafts.measure(announced=PartialDate.parse("announced", "2022-03")))
    april_4 = await store.add(drafts.measure(actor="EE", announced=PartialDate.parse("announced", "2022-04-04")))
    # Russia answers "March 2022" on 23 March (0 to 22 days) and 4 April on 8 April (exactly 4 days).
    answer_march = await store.add(drafts.measure(actor="RU", target="US", answers=(early_march.id or 0,)))
    answer_april = await store.add(
        drafts.measure(actor="RU", target="EE", announced=PartialDate.parse("announced", "2022-04-08"), answers=(april_4.id or 0,))
    )
    assert await matching(uow_factory, answers_within_days=4) == [answer_april.id]
    assert await matching(uow_factory, answers_within_days=3) == []
    assert await matching(uow_factory, answers_within_days=22) == [answer_march.id, answer_april.id]
    assert await matching(uow_factory, answered_within_days=4) == [april_4.id]
    assert await matching(uow_factory, answered_within_days=21) == [april_4.id]
    assert await matching(uow_factory, answered_within_days=22) == [early_march.id, april_4.id]


async def sources_disagree_when_they_give_different_figures(store: Writer, uow_factory: UowFactory) -> None:
    wire, paper = await store.add_all(drafts.source(), drafts.source(publisher="A paper"))
    contested, agreed, one, silent = [(await store.add(drafts.measure())).id or 0 for _ in range(4)]
    figures = [
        (contested, wire, Headcount(HeadcountQualifier.AT_LEAST, 14)),
        (contested, paper, Headcount.exactly(14)),
        (agreed, wire, Headcount.exactly(3)),
        (agreed, paper, Headcount.exactly(3)),
        (one, wire, Headcount.exactly(12)),
        (one, paper, None),
        (silent, wire, Headcount.unknown()),
    ]
    for measure_id, source, headcount in figures:
        await store.add(drafts.citation(source_id=source.id, measure_id=measure_id, reported_headcount=headcount))
    assert await matching(uow_factory, sources_disagree=True) == [contested]
    assert await matching(uow_factory, sources_disagree=False) == [agreed, one, silent]
