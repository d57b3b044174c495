"""One search across the record (measures, statements, citations, sources): the same hits on SQLite and PostgreSQL,
indexes that follow every insert, update and delete, and measures found by their own words or their citations'."""

from __future__ import annotations

import dataclasses

import pytest

from domain.errors import InvalidInput
from domain.read.filters import ExpulsionFilter
from domain.read.pagination import Key, PageRequest
from domain.read.search import Hit, MatchedField, SearchKind
from domain.record.expulsions import Expulsion, LegalBasis, ReasonCategory
from domain.record.sources import Source
from domain.record.values import Headcount
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.integration import drafts
from tests.integration.conftest import Store

EVERYTHING = PageRequest(first=100)


async def hits(uow_factory: SqlUnitOfWorkFactory, text: str, kinds: set[SearchKind] | None = None) -> list[Hit]:
    async with uow_factory.reader() as uow:
        return (await uow.search.find(text, kinds, EVERYTHING)).items


async def found(uow_factory: SqlUnitOfWorkFactory, text: str, kinds: set[SearchKind] | None = None) -> set[tuple[MatchedField, int]]:
    return {(hit.field, hit.id) for hit in await hits(uow_factory, text, kinds)}


async def measures(uow_factory: SqlUnitOfWorkFactory, search: str) -> list[int | None]:
    async with uow_factory.reader() as uow:
        return [m.id for m in (await uow.expulsions.list(ExpulsionFilter(search=search), EVERYTHING)).items]


@pytest.fixture
async def poland(store: Store) -> dict[str, int]:
    """Poland's 45 spies, told in the measure's reason and a citation's excerpt only."""
    measure = await store.add(
        drafts.measure(
            actor="PL",
            headcount=Headcount.exactly(45),
            reason_category=ReasonCategory.ESPIONAGE,
            legal_basis=LegalBasis.VCDR_ARTICLE_9,
            stated_reason="Accused of being spies pretending to be diplomats.",
        )
    )
    other = await store.add(drafts.measure(stated_reason="Retaliation for the closure of a consulate."))
    source = await store.add(drafts.source(publisher="Notes from Poland", title="Poland expels 45 Russian diplomats"))
    citation = await store.add(
        drafts.citation(source_id=source.id, measure_id=measure.id, excerpt="Kaminski accused the 45 Russians of spying.")
    )
    said = await store.add(drafts.statement(quote="We will answer this hostile step."))
    ids = {"measure": measure.id, "other": other.id, "source": source.id, "citation": citation.id, "statement": said.id}
    return {name: id or 0 for name, id in ids.items()}


@pytest.mark.parametrize("word", ["spies", "spy", "SPYING", "spied"])
async def test_every_form_of_spy_finds_the_reason_and_the_excerpt_on_both_databases(
    uow_factory: SqlUnitOfWorkFactory, poland: dict[str, int], word: str
) -> None:
    assert await found(uow_factory, word) == {(MatchedField.STATED_REASON, poland["measure"]), (MatchedField.EXCERPT, poland["citation"])}


async def test_espionage_finds_the_measure_by_its_reason_category(uow_factory: SqlUnitOfWorkFactory, poland: dict[str, int]) -> None:
    assert await found(uow_factory, "espionage") == {(MatchedField.REASON_CATEGORY, poland["measure"])}


async def test_the_legal_basis_code_is_searched_as_words(uow_factory: SqlUnitOfWorkFactory, poland: dict[str, int]) -> None:
    assert await found(uow_factory, "vcdr article") == {(MatchedField.LEGAL_BASIS, poland["measure"])}


async def test_sources_are_found_by_title_and_publisher(uow_factory: SqlUnitOfWorkFactory, poland: dict[str, int]) -> None:
    assert await found(uow_factory, "Poland") == {(MatchedField.TITLE, poland["source"]), (MatchedField.PUBLISHER, poland["source"])}


async def test_statements_are_found_by_their_quote(uow_factory: SqlUnitOfWorkFactory, poland: dict[str, int]) -> None:
    assert await found(uow_factory, "hostile") == {(MatchedField.QUOTE, poland["statement"])}


async def test_the_kinds_narrow_the_search(uow_factory: SqlUnitOfWorkFactory, poland: dict[str, int]) -> None:
    assert await found(uow_factory, "spies", {SearchKind.CITATION}) == {(MatchedField.EXCERPT, poland["citation"])}
    assert await found(uow_factory, "spies", {SearchKind.SOURCE, SearchKind.STATEMENT}) == set()


async def test_every_word_must_be_in_the_same_field(uow_factory: SqlUnitOfWorkFactory, poland: dict[str, int]) -> None:
    assert await found(uow_factory, "spies diplomats") == {(MatchedField.STATED_REASON, poland["measure"])}
    assert await found(uow_factory, "spies consulate") == set()


async def test_snippets_mark_the_matched_words(uow_factory: SqlUnitOfWorkFactory, poland: dict[str, int]) -> None:
    snippets = {hit.field: hit.snippet for hit in await hits(uow_factory, "spy")}
    assert "«spies»" in snippets[MatchedField.STATED_REASON]
    assert "«spying»" in snippets[MatchedField.EXCERPT]


async def test_the_more_relevant_hit_comes_first(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    await store.add_all(
        drafts.statement(quote="A statement about many things, one of them expulsions, among others said at length today."),
        drafts.statement(quote="Expulsions, expulsions, expulsions."),
    )
    ranked = await hits(uow_factory, "expulsions")
    assert [hit.snippet.count("«") for hit in ranked] == [3, 1]
    assert ranked[0].rank < ranked[1].rank


async def test_pages_follow_each_other_without_a_gap_or_a_repeat(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    for n in range(4):
        await store.add(drafts.statement(quote=f"Diplomats were expelled ({n})."))
        await store.add(drafts.measure(stated_reason=f"Activities of the diplomats incompatible with their status ({n})."))
    everything = {(hit.field, hit.id) for hit in await hits(uow_factory, "diplomats")}
    seen: list[tuple[MatchedField, int]] = []
    key: Key | None = None
    async with uow_factory.reader() as uow:
        while True:
            page = await uow.search.find("diplomats", None, PageRequest(first=3, after=key))
            assert page.has_previous is (key is not None)
            seen += [(hit.field, hit.id) for hit in page.items]
            if not page.has_next:
                break
            key = page.keys[-1]
        assert await uow.search.count("diplomats", None) == 8
    assert len(seen) == len(everything) == 8
    assert set(seen) == everything


async def test_indexes_follow_inserts_updates_and_deletes(store: Store, uow_factory: SqlUnitOfWorkFactory, poland: dict[str, int]) -> None:
    measure = await store.get(Expulsion, poland["measure"])
    assert measure is not None
    await store.update(dataclasses.replace(measure, stated_reason="Activities incompatible with diplomatic status."))
    source = await store.get(Source, poland["source"])
    assert source is not None
    await store.update(dataclasses.replace(source, title="Warsaw orders 45 out"))
    assert await found(uow_factory, "spies") == {(MatchedField.EXCERPT, poland["citation"])}
    assert await found(uow_factory, "incompatible") == {(MatchedField.STATED_REASON, poland["measure"])}
    assert await found(uow_factory, "warsaw") == {(MatchedField.TITLE, poland["source"])}
    async with uow_factory() as uow:
        await uow.citations.delete(poland["citation"])
        await uow.expulsions.delete(poland["other"])
        await uow.commit()
    assert await found(uow_factory, "spying") == set()
    assert await found(uow_factory, "consulate") == set()


async def test_odd_input_is_read_as_plain_words(uow_factory: SqlUnitOfWorkFactory, poland: dict[str, int]) -> None:
    expected = {(MatchedField.STATED_REASON, poland["measure"]), (MatchedField.EXCERPT, poland["citation"])}
    for text in ['"spies', "spies*", "-spies", "spies AND", "spies or", "(spies)", "{spies}:"]:
        assert await found(uow_factory, text) == expected, text
    for text in ["NEAR(spies, 2)", "stated_reason: spies", "the of and"]:
        assert await found(uow_factory, text) == set(), text


async def test_a_search_without_a_word_is_invalid_input(uow_factory: SqlUnitOfWorkFactory) -> None:
    for text in ["", "  ", '"*":']:
        with pytest.raises(InvalidInput) as raised:
            await hits(uow_factory, text)
        assert raised.value.field == "search"


async def test_measures_are_found_by_their_own_words_or_their_citations(uow_factory: SqlUnitOfWorkFactory, poland: dict[str, int]) -> None:
    assert await measures(uow_factory, "spy") == [poland["measure"]]
    assert await measures(uow_factory, "Kaminski") == [poland["measure"]]
    assert await measures(uow_factory, "espionage") == [poland["measure"]]
    assert await measures(uow_factory, "consulate") == [poland["other"]]
    assert await measures(uow_factory, "hostile") == []
    async with uow_factory.reader() as uow:
        assert await uow.expulsions.count(ExpulsionFilter(search="spies")) == 1
