"""What the fakes do that the repositories' contract does not run: the contract itself (pages, orderings, filters,
references, cascades, the unit of work) runs on the fakes, SQLite and PostgreSQL in tests/integration (the modules
marked `pytestmark = contract`); here are only the fakes' own refusal of a text search and two quick checks."""

from __future__ import annotations

import pytest

from domain.read.filters import ExpulsionFilter, StatementFilter
from domain.read.pagination import Order, PageRequest
from tests import drafts
from tests.fakes import FakeUnitOfWorkFactory, SearchNotFaked


async def test_alpha3_codes_find_the_current_state(fake_units: FakeUnitOfWorkFactory) -> None:
    async with fake_units() as uow:
        found = await uow.actors.get_by_codes(["RUS", "DE", "SUN"])

    assert {code: actor.code for code, actor in found.items()} == {"RUS": "RU", "DE": "DE", "SUN": "SUHH"}


async def test_linked_ids_come_back_in_id_order(fake_units: FakeUnitOfWorkFactory) -> None:
    first, second = await drafts.stored_diplomat(fake_units), await drafts.stored_diplomat(fake_units)

    measure_id = await drafts.stored_measure(fake_units, diplomat_ids=(second, first))

    async with fake_units() as uow:
        stored = await uow.expulsions.get(measure_id)
    assert stored is not None
    assert stored.diplomat_ids == (first, second)


@pytest.mark.parametrize(
    ("repository", "filter", "order"),
    [
        ("expulsions", ExpulsionFilter(search="spies"), Order.ANNOUNCED),
        ("statements", StatementFilter(search="expelled"), Order.SAID_ON),
        ("statements", StatementFilter(search="expelled"), Order.RELEVANCE),
    ],
)
async def test_the_fakes_refuse_a_text_search_rather_than_approximate_the_databases(
    fake_units: FakeUnitOfWorkFactory, repository: str, filter: object, order: Order
) -> None:
    await drafts.stored_measure(fake_units, stated_reason="Accused of being spies")
    await drafts.stored_statement(fake_units, quote="Poland expels 45 diplomats")
    async with fake_units() as uow:
        with pytest.raises(SearchNotFaked):
            await getattr(uow, repository).list(filter, PageRequest(order=order))
