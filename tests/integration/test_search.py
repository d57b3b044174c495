"""Full-text search over statements (FTS5 on SQLite, tsvector on PostgreSQL), which must find the same things on both.

Backend-specific, so not run on the fakes as the rest of the repositories' contract is: stemming, stop words and
ranking are the databases' own, and the fakes refuse a search (`tests.fakes.SearchNotFaked`) rather than approximate it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from domain.errors import InvalidInput, StorageUnavailable
from domain.read.filters import StatementFilter
from domain.read.pagination import Key, Order, PageRequest
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.integration import drafts
from tests.integration.conftest import Store

EVERYTHING = PageRequest(first=100)


async def found(uow_factory: SqlUnitOfWorkFactory, **narrowing: Any) -> list[int | None]:
    async with uow_factory.reader() as uow:
        return [s.id for s in (await uow.statements.list(StatementFilter(**narrowing), EVERYTHING)).items]


async def test_search_finds_other_forms_of_a_word(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    poland, other = await store.add_all(
        drafts.statement(quote="Poland expels 45 Russian diplomats."), drafts.statement(quote="We condemn this decision.")
    )
    assert await found(uow_factory, search="expelling") == [poland.id]
    assert await found(uow_factory, search="DIPLOMAT") == [poland.id]
    assert await found(uow_factory, search="decisions") == [other.id]


async def test_search_reads_the_translation_as_well_as_the_quote(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    russian = await store.add(
        drafts.statement(
            quote="Ответ будет соразмерным.",
            quote_language="ru",
            translation="The response will be proportionate.",
            translation_language="en",
        )
    )
    assert await found(uow_factory, search="proportionate") == [russian.id]
    assert await found(uow_factory, search="ответ") == [russian.id]


async def test_search_needs_every_word(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    both, _ = await store.add_all(
        drafts.statement(quote="Russia expels American diplomats."), drafts.statement(quote="Poland expels Russian diplomats.")
    )
    assert await found(uow_factory, search="expels American") == [both.id]


async def test_search_keeps_up_with_edits_and_deletes(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    said = await store.add(drafts.statement(quote="An unhelpful step."))
    await store.update(dataclasses.replace(said, quote="A regrettable step."))
    assert (await found(uow_factory, search="unhelpful"), await found(uow_factory, search="regrettable")) == ([], [said.id])
    async with uow_factory() as uow:
        await uow.statements.delete(said.id or 0)
        await uow.commit()
    assert await found(uow_factory, search="regrettable") == []


async def test_search_syntax_in_the_query_is_read_as_plain_words(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    said = await store.add(drafts.statement(quote="Spies posing as diplomats."))
    assert await found(uow_factory, search='"diplomats*') == [said.id]
    assert await found(uow_factory, search="spies: (posing)") == [said.id]


async def test_a_search_without_any_word_is_invalid_input(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(InvalidInput) as raised:
        await found(uow_factory, search=" ?! ")
    assert raised.value.field == "search"


async def test_relevance_ordering_pages_through_every_match_once(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    quotes = ["diplomats diplomats diplomats", "diplomats and staff", "staff only", "diplomats", "the diplomats diplomats left"]
    ids = [(await store.add(drafts.statement(quote=quote))).id for quote in quotes]
    seen: list[int | None] = []
    key: Key | None = None
    async with uow_factory.reader() as uow:
        while True:
            page = await uow.statements.list(StatementFilter(search="diplomats"), PageRequest(first=2, after=key, order=Order.RELEVANCE))
            seen += [s.id for s in page.items]
            if not page.has_next:
                break
            key = page.keys[-1]
    assert sorted(seen, key=lambda id: id or 0) == [ids[0], ids[1], ids[3], ids[4]]
    assert seen[0] == ids[0]


async def test_relevance_ordering_needs_a_search(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(InvalidInput) as raised:
        async with uow_factory.reader() as uow:
            await uow.statements.list(StatementFilter(), PageRequest(first=5, order=Order.RELEVANCE))
    assert raised.value.field == "orderBy"


async def test_counting_search_results_agrees_with_the_listing(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    await store.add_all(drafts.statement(quote="Poland expels diplomats."), drafts.statement(quote="No comment."))
    try:
        async with uow_factory.reader() as uow:
            counted = await uow.statements.count(StatementFilter(search="diplomats"))
    except StorageUnavailable:
        pytest.fail("counting a search failed in the store")
    assert counted == len(await found(uow_factory, search="diplomats")) == 1


async def test_speaker_filter_ignores_case_beyond_ascii(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    polish, russian = await store.add_all(
        drafts.statement(on_behalf_of="PL", speaker_name="Łukasz Jasina"),
        drafts.statement(on_behalf_of="RU", speaker_name="Мария Захарова"),
    )
    assert await found(uow_factory, speaker="łukasz") == [polish.id]
    assert await found(uow_factory, speaker="захарова") == [russian.id]


async def test_a_common_word_missing_from_the_quote_does_not_hide_it(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    said = await store.add(drafts.statement(quote="We demand an end to the expulsions."))
    assert await found(uow_factory, search="end of expulsions") == [said.id]
