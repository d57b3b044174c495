"""`admitting`: many filters judged on one measure in one statement, exactly as `matching` judges each alone."""

from __future__ import annotations

from domain.read.filters import ExpulsionFilter
from domain.record.expulsions import MeasureType
from domain.record.values import Headcount, HeadcountQualifier
from persistence.write.base import ADMITTING_COLUMNS
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.integration import drafts
from tests.integration.conftest import Store

FILTERS = [
    ExpulsionFilter(),
    ExpulsionFilter(actor=("US",)),
    ExpulsionFilter(actor=("PL",)),
    ExpulsionFilter(target=("RU",), measure_type=MeasureType.PERSONA_NON_GRATA),
    ExpulsionFilter(party=("PL",)),
    ExpulsionFilter(headcount_min=5),
    ExpulsionFilter(headcount_min=13),
    ExpulsionFilter(headcount_max=3),
    ExpulsionFilter(member_of="EU"),
    ExpulsionFilter(answers_something=True),
    ExpulsionFilter(answered=False),
    ExpulsionFilter(sources_disagree=False),
    ExpulsionFilter(search="espionage"),
    ExpulsionFilter(search="nothing-like-this"),
]


async def test_every_filter_judges_each_measure_as_matching_does(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    measures = await store.add_all(
        drafts.measure(),
        drafts.measure(actor="PL", headcount=Headcount(HeadcountQualifier.EXACT, 3), stated_reason="espionage"),
        drafts.measure(actor="DE", measure_type=MeasureType.EXPULSION_ORDER, headcount=Headcount(HeadcountQualifier.UNKNOWN, None)),
    )
    async with uow_factory.reader() as uow:
        for measure in measures:
            assert measure.id is not None
            alone = [measure.id in await uow.expulsions.matching(filter, [measure.id]) for filter in FILTERS]
            together = await uow.expulsions.admitting(FILTERS, measure.id)
            assert together == alone, measure
            assert any(alone)
            assert not all(alone)
        assert await uow.expulsions.admitting(FILTERS, 10**9) == [False] * len(FILTERS)  # gone: no filter keeps it


async def test_more_filters_than_one_statement_holds_are_judged_in_order(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    [measure] = await store.add_all(drafts.measure(headcount=Headcount(HeadcountQualifier.EXACT, 12)))
    assert measure.id is not None
    count = ADMITTING_COLUMNS * 2 + 7
    filters = [ExpulsionFilter(headcount_min=least) for least in range(count)]  # keeps it up to 12
    async with uow_factory.reader() as uow:
        judged = await uow.expulsions.admitting(filters, measure.id)
    assert judged == [least <= 12 for least in range(count)]
