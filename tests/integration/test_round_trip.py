"""Every aggregate goes into the database and comes back field for field, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Protocol, TypeVar

from domain.record.actors import Actor, ActorKind
from domain.record.diplomats import Diplomat, Rank, StaffCategory
from domain.record.expulsions import Expulsion, LegalBasis, MeasureType, ReasonCategory
from domain.record.missions import MissionKind
from domain.record.sources import SourceKind
from domain.record.statements import Channel, Stance, Statement
from domain.record.values import Headcount, HeadcountQualifier, PartialDate, Precision
from tests.conftest import contract
from tests.integration import drafts
from tests.integration.conftest import Store

pytestmark = contract

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


class Record(Protocol):
    @property
    def id(self) -> int | None: ...


S = TypeVar("S", bound=Record)


def without_id(entity: R) -> R:
    return dataclasses.replace(entity, id=None, version=0)


async def read_back(store: Store, draft: S) -> tuple[int, S]:
    """`draft` stored, then read back in a transaction of its own: its new id, and what was read."""
    stored = await store.add(draft)
    assert stored.id is not None
    found = await store.get(type(draft), stored.id)
    assert found is not None
    return stored.id, found


async def test_organisation_comes_back_with_every_field(store: Store) -> None:
    draft = Actor(code="ASEAN", kind=ActorKind.ORGANISATION, name="ASEAN", official_name="Association of Southeast Asian Nations")
    id, found = await read_back(store, draft)
    assert found == dataclasses.replace(draft, id=id, version=1)


async def test_former_state_comes_back_with_its_codes_and_dissolution_date(store: Store) -> None:
    draft = Actor(
        code="QQHH",
        kind=ActorKind.FORMER_STATE,
        name="Q-land",
        alpha3="QQQ",
        numeric="999",
        official_name="Republic of Q",
        dissolved=date(1991, 12, 26),
    )
    stored = await store.add(draft)
    assert stored == dataclasses.replace(draft, id=stored.id, version=1)


async def test_mission_comes_back_with_host_and_accreditation(store: Store) -> None:
    draft = drafts.mission(
        kind=MissionKind.PERMANENT_MISSION, accredited_to="UN", city="New York", name="Permanent Mission of Russia to the UN"
    )
    id, found = await read_back(store, draft)
    assert found == dataclasses.replace(draft, id=id, version=1)


async def test_diplomat_comes_back_with_mission_rank_and_name(store: Store) -> None:
    post = await store.add(drafts.mission())
    draft = drafts.diplomat(name="Ivan Petrov", rank=Rank.FIRST_SECRETARY, mission_id=post.id)
    id, found = await read_back(store, draft)
    assert found == dataclasses.replace(draft, id=id, version=1)


async def test_unnamed_diplomat_comes_back_without_name_rank_or_mission(store: Store) -> None:
    stored = await store.add(drafts.diplomat(staff_category=StaffCategory.ADMINISTRATIVE_TECHNICAL))
    assert stored.id is not None
    found = await store.get(Diplomat, stored.id)
    assert found is not None
    assert (found.name, found.rank, found.mission_id, found.staff_category) == (None, None, None, StaffCategory.ADMINISTRATIVE_TECHNICAL)


async def test_wave_comes_back_with_its_description(store: Store) -> None:
    draft = drafts.wave(description="EU states acting together after Bucha.")
    id, found = await read_back(store, draft)
    assert found == dataclasses.replace(draft, id=id, version=1)


async def test_measure_comes_back_with_every_field_and_link(store: Store) -> None:
    post = await store.add(drafts.mission(kind=MissionKind.PERMANENT_MISSION, accredited_to="UN", city="New York"))
    first, second = await store.add_all(drafts.diplomat(name="A"), drafts.diplomat(name="B"))
    together = await store.add(drafts.wave())
    earlier = await store.add(drafts.measure(actor="RU", target="US", announced=PartialDate(2022, 2)))
    draft = drafts.measure(
        measure_type=MeasureType.EXPULSION_ORDER,
        legal_basis=LegalBasis.UN_HEADQUARTERS_AGREEMENT,
        reason_category=ReasonCategory.ESPIONAGE,
        stated_reason="Abuse of the privileges of residence.",
        target_mission_id=post.id,
        headcount=Headcount(HeadcountQualifier.AT_LEAST, 12),
        announced=PartialDate(2022, 3),
        notified=PartialDate(2022, 3, 1),
        deadline=PartialDate(2022, 3, 7),
        departed=PartialDate(2022),
        diplomat_ids=(second.id or 0, first.id or 0),
        answers=(earlier.id or 0,),
        wave_id=together.id,
    )
    _, found = await read_back(store, draft)
    assert without_id(found) == dataclasses.replace(draft, diplomat_ids=tuple(sorted(draft.diplomat_ids)))


async def test_partial_dates_keep_their_precision(store: Store) -> None:
    dates = [PartialDate(2018), PartialDate(2022, 3), PartialDate(2022, 2, 28)]
    stored = await store.add_all(*(drafts.measure(announced=announced) for announced in dates))
    found = [await store.get(Expulsion, measure.id or 0) for measure in stored]
    assert [measure.announced for measure in found if measure is not None] == dates
    assert [measure.announced.precision for measure in found if measure is not None] == [Precision.YEAR, Precision.MONTH, Precision.DAY]


async def test_month_precision_date_does_not_come_back_as_its_first_day(store: Store) -> None:
    stored = await store.add(drafts.measure(announced=PartialDate(2022, 3), deadline=PartialDate(2022, 3)))
    assert (stored.announced.day, stored.deadline) == (None, PartialDate(2022, 3))
    assert str(stored.announced) == "2022-03"


async def test_headcounts_keep_their_qualifier_and_value(store: Store) -> None:
    headcounts = [
        Headcount.exactly(0),
        Headcount.exactly(45),
        Headcount(HeadcountQualifier.APPROXIMATE, 25),
        Headcount(HeadcountQualifier.AT_LEAST, 25),
        Headcount.unknown(),
    ]
    stored = await store.add_all(*(drafts.measure(headcount=headcount) for headcount in headcounts))
    found = [await store.get(Expulsion, measure.id or 0) for measure in stored]
    assert [measure.headcount for measure in found if measure is not None] == headcounts


async def test_unknown_headcount_comes_back_as_none_never_zero(store: Store) -> None:
    stored = await store.add(drafts.measure(headcount=Headcount.unknown()))
    assert stored.id is not None
    found = await store.get(Expulsion, stored.id)
    assert found is not None
    assert found.headcount.value is None
    assert found.headcount.qualifier is HeadcountQualifier.UNKNOWN


async def test_statement_comes_back_with_every_field_and_the_measures_it_is_about(store: Store) -> None:
    first, second = await store.add_all(drafts.measure(), drafts.measure(actor="PL"))
    draft = drafts.statement(
        on_behalf_of="RU",
        stance=Stance.THREATENS,
        channel=Channel.NEWS_AGENCY_REMARKS,
        speaker_name="Sergei Ryabkov",
        speaker_role="Deputy Foreign Minister",
        relayed_by="Interfax",
        said_on=PartialDate(2022, 3, 23),
        quote="Ответ будет соразмерным.",
        quote_language="ru",
        translation="The response will be comparable.",
        translation_language="en",
        measure_ids=(second.id or 0, first.id or 0),
    )
    _, found = await read_back(store, draft)
    assert without_id(found) == dataclasses.replace(draft, measure_ids=tuple(sorted(draft.measure_ids)))


async def test_statement_about_no_measure_comes_back_without_channel_date_or_links(store: Store) -> None:
    stored = await store.add(drafts.statement(speaker_name="Antony Blinken", speaker_role=None, stance=Stance.ANNOUNCES))
    assert stored.id is not None
    found = await store.get(Statement, stored.id)
    assert found is not None
    assert (found.channel, found.said_on, found.measure_ids, found.speaker_role) == (None, None, (), None)


async def test_source_comes_back_with_url_and_month_precision_publication(store: Store) -> None:
    draft = drafts.source(kind=SourceKind.STATE_MEDIA, url="https://tass.com/politics/1", published=PartialDate(2022, 3))
    id, found = await read_back(store, draft)
    assert found == dataclasses.replace(draft, id=id, version=1)
    assert found.published is not None
    assert found.published.precision is Precision.MONTH


async def test_citation_of_a_measure_keeps_the_sources_own_unknown_figure(store: Store) -> None:
    cited = await store.add(drafts.measure(headcount=Headcount.exactly(12)))
    origin = await store.add(drafts.source())
    draft = drafts.citation(source_id=origin.id, measure_id=cited.id, excerpt="a list of personnel", reported_headcount=Headcount.unknown())
    id, found = await read_back(store, draft)
    assert found == dataclasses.replace(draft, id=id, version=1)
    assert found.reported_headcount is not None
    assert found.reported_headcount.value is None


async def test_citation_of_a_statement_comes_back_without_a_figure(store: Store) -> None:
    quoted = await store.add(drafts.statement())
    origin = await store.add(drafts.source())
    draft = drafts.citation(source_id=origin.id, statement_id=quoted.id)
    stored = await store.add(draft)
    assert stored == dataclasses.replace(draft, id=stored.id, version=1)
    assert stored.reported_headcount is None


async def test_get_many_returns_only_the_ids_that_exist(store: Store) -> None:
    first, second = await store.add_all(drafts.wave("one"), drafts.wave("two"))
    async with store.uow_factory.reader() as uow:
        found = await uow.waves.get_many([first.id or 0, second.id or 0, 999_999])
        nothing = await uow.waves.get_many([])
    assert found == {first.id: first, second.id: second}
    assert nothing == {}
