"""Each repository's filter narrows both its listing and its count, alone and combined."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.read.filters import ActorFilter, CitationFilter, DateRange, DiplomatFilter, ExpulsionFilter, MissionFilter, StatementFilter
from domain.read.pagination import PageRequest
from domain.record.actors import ActorKind
from domain.record.diplomats import Rank
from domain.record.expulsions import MeasureType, ReasonCategory
from domain.record.statements import Channel, Stance
from domain.record.values import Headcount, HeadcountQualifier, PartialDate
from persistence.catalogue import ORGANISATIONS
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests import scenarios
from tests.conftest import contract
from tests.integration import drafts
from tests.integration.conftest import Store

pytestmark = contract

EVERYTHING = PageRequest(first=100)


async def test_actor_filter_by_kind_lists_the_organisations(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory.reader() as uow:
        page = await uow.actors.list(ActorFilter(kinds=frozenset({ActorKind.ORGANISATION})), EVERYTHING)
        organisations = await uow.actors.count(ActorFilter(kinds=frozenset({ActorKind.ORGANISATION})))
        states = await uow.actors.count(ActorFilter(kinds=frozenset({ActorKind.STATE, ActorKind.FORMER_STATE})))
        everyone = await uow.actors.count(ActorFilter())
    assert sorted(actor.code for actor in page.items) == sorted(org.code for org in ORGANISATIONS)
    assert organisations == len(ORGANISATIONS)
    assert states + organisations == everyone


async def test_former_states_filter_includes_the_ussr_and_no_current_state(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory.reader() as uow:
        page = await uow.actors.list(ActorFilter(kinds=frozenset({ActorKind.FORMER_STATE})), EVERYTHING)
    codes = {actor.code for actor in page.items}
    assert {"SUHH", "YUCS", "CSHH", "DDDE"} <= codes
    assert all(len(code) == 4 for code in codes)


async def test_expulsion_filters_combine_actor_target_type_and_wave(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    wave = await store.add(drafts.wave())
    in_wave = await store.add(drafts.measure(actor="PL", wave_id=wave.id, measure_type=MeasureType.EXPULSION_ORDER))
    await store.add_all(
        drafts.measure(actor="PL", measure_type=MeasureType.EXPULSION_ORDER),
        drafts.measure(actor="PL", wave_id=wave.id),
        drafts.measure(actor="DE", wave_id=wave.id, measure_type=MeasureType.EXPULSION_ORDER),
        drafts.measure(actor="RU", target="PL", wave_id=wave.id, measure_type=MeasureType.EXPULSION_ORDER),
    )
    narrow = ExpulsionFilter(actor=("PL",), target=("RU",), measure_type=MeasureType.EXPULSION_ORDER, wave_id=wave.id)
    async with uow_factory.reader() as uow:
        page = await uow.expulsions.list(narrow, EVERYTHING)
        counts = {
            "narrow": await uow.expulsions.count(narrow),
            "wave": await uow.expulsions.count(ExpulsionFilter(wave_id=wave.id)),
            "type": await uow.expulsions.count(ExpulsionFilter(measure_type=MeasureType.EXPULSION_ORDER)),
            "target": await uow.expulsions.count(ExpulsionFilter(target=("PL",))),
        }
    assert [m.id for m in page.items] == [in_wave.id]
    assert counts == {"narrow": 1, "wave": 4, "type": 4, "target": 1}


async def test_mission_filter_by_sending_and_host_state(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    in_washington, _, in_moscow = await store.add_all(
        drafts.mission(), drafts.mission(host_state="PL", city="Warsaw"), drafts.mission(sending_state="US", host_state="RU", city="Moscow")
    )
    async with uow_factory.reader() as uow:
        russian_in_us = await uow.missions.list(MissionFilter(sending_state="RU", host_state="US"), EVERYTHING)
        hosted_by_russia = await uow.missions.list(MissionFilter(host_state="RU"), EVERYTHING)
        russian = await uow.missions.count(MissionFilter(sending_state="RU"))
    assert [m.id for m in russian_in_us.items] == [in_washington.id]
    assert [m.id for m in hosted_by_russia.items] == [in_moscow.id]
    assert russian == 2


async def test_diplomat_filter_by_sending_state_and_mission(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    post = await store.add(drafts.mission())
    posted, _, american = await store.add_all(drafts.diplomat(mission_id=post.id), drafts.diplomat(), drafts.diplomat(sending_state="US"))
    async with uow_factory.reader() as uow:
        at_post = await uow.diplomats.list(DiplomatFilter(sending_state="RU", mission_id=post.id), EVERYTHING)
        americans = await uow.diplomats.list(DiplomatFilter(sending_state="US"), EVERYTHING)
        russians = await uow.diplomats.count(DiplomatFilter(sending_state="RU"))
    assert [d.id for d in at_post.items] == [posted.id]
    assert [d.id for d in americans.items] == [american.id]
    assert russians == 2


async def test_statement_filter_by_speaker_and_by_measure(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    first, second = await store.add_all(drafts.measure(), drafts.measure(actor="PL"))
    about_both, about_first, russian = await store.add_all(
        drafts.statement(measure_ids=(first.id or 0, second.id or 0)),
        drafts.statement(measure_ids=(first.id or 0,)),
        drafts.statement(on_behalf_of="RU", measure_ids=(second.id or 0,)),
    )
    async with uow_factory.reader() as uow:
        us_about_second = await uow.statements.list(StatementFilter(on_behalf_of="US", measure_id=second.id), EVERYTHING)
        about_second = await uow.statements.count(StatementFilter(measure_id=second.id))
        by_russia = await uow.statements.list(StatementFilter(on_behalf_of="RU"), EVERYTHING)
    assert [s.id for s in us_about_second.items] == [about_both.id]
    assert about_second == 2
    assert [s.id for s in by_russia.items] == [russian.id]
    assert about_first.measure_ids == (first.id,)


async def test_citation_filter_by_source_measure_and_statement(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    cited = await store.add(drafts.measure())
    quoted = await store.add(drafts.statement())
    reuters, tass = await store.add_all(drafts.source(), drafts.source(publisher="TASS"))
    of_measure, _, of_statement = await store.add_all(
        drafts.citation(source_id=reuters.id, measure_id=cited.id),
        drafts.citation(source_id=tass.id, measure_id=cited.id),
        drafts.citation(source_id=reuters.id, statement_id=quoted.id),
    )
    async with uow_factory.reader() as uow:
        reuters_on_measure = await uow.citations.list(CitationFilter(source_id=reuters.id, measure_id=cited.id), EVERYTHING)
        on_statement = await uow.citations.list(CitationFilter(statement_id=quoted.id), EVERYTHING)
        counts = (
            await uow.citations.count(CitationFilter(source_id=reuters.id)),
            await uow.citations.count(CitationFilter(measure_id=cited.id)),
            await uow.citations.count(CitationFilter()),
        )
    assert [c.id for c in reuters_on_measure.items] == [of_measure.id]
    assert [c.id for c in on_statement.items] == [of_statement.id]
    assert counts == (2, 2, 3)


async def test_party_and_pair_filters_match_either_direction(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    us_ru, ru_us, pl_ru, ru_pl = [
        (await store.add(drafts.measure(actor=actor, target=target))).id
        for actor, target in (("US", "RU"), ("RU", "US"), ("PL", "RU"), ("RU", "PL"))
    ]
    assert await scenarios.matching(uow_factory, party=("US",)) == [us_ru, ru_us]
    assert await scenarios.matching(uow_factory, pair=("RU", "PL")) == [pl_ru, ru_pl]
    assert await scenarios.matching(uow_factory, party=("RU",)) == [us_ru, ru_us, pl_ru, ru_pl]
    assert await scenarios.matching(uow_factory, party=("US", "PL")) == [us_ru, ru_us, pl_ru, ru_pl]
    assert await scenarios.matching(uow_factory, actor=("US", "PL"), target=("RU",)) == [us_ru, pl_ru]


async def test_announced_range_matches_partial_dates_whose_span_overlaps_it(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    march, march_1, year_2022, april_2 = [
        (await store.add(drafts.measure(announced=announced))).id
        for announced in (PartialDate(2022, 3), PartialDate(2022, 3, 1), PartialDate(2022), PartialDate(2022, 4, 2))
    ]
    assert await scenarios.matching(uow_factory, announced=DateRange(date(2022, 3, 15), date(2022, 3, 31))) == [march, year_2022]
    assert await scenarios.matching(uow_factory, announced=DateRange(end=date(2022, 3, 1))) == [march, march_1, year_2022]
    assert await scenarios.matching(uow_factory, announced=DateRange(start=date(2022, 4, 1))) == [year_2022, april_2]


async def test_headcount_bounds_keep_only_measures_with_a_number(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    exact_45, unknown, about_25, at_least_12 = [
        (await store.add(drafts.measure(headcount=headcount))).id
        for headcount in (
            Headcount.exactly(45),
            Headcount.unknown(),
            Headcount(HeadcountQualifier.APPROXIMATE, 25),
            Headcount(HeadcountQualifier.AT_LEAST, 12),
        )
    ]
    assert await scenarios.matching(uow_factory, headcount_min=0) == [exact_45, about_25, at_least_12]
    # "At most" means certainly at most: "at least 12" may be far more than 25.
    assert await scenarios.matching(uow_factory, headcount_max=25) == [about_25]
    assert await scenarios.matching(uow_factory, headcount_max=11) == []
    assert await scenarios.matching(uow_factory, headcount_min=20, headcount_max=30) == [about_25]
    assert await scenarios.matching(uow_factory, qualifiers=frozenset({HeadcountQualifier.UNKNOWN})) == [unknown]


async def test_type_and_reason_sets_keep_any_listed_value(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    spies, closure, solidarity = [
        (await store.add(drafts.measure(measure_type=kind, reason_category=reason))).id
        for kind, reason in (
            (MeasureType.PERSONA_NON_GRATA, ReasonCategory.ESPIONAGE),
            (MeasureType.POST_CLOSURE, ReasonCategory.RETALIATION),
            (MeasureType.EXPULSION_ORDER, ReasonCategory.SOLIDARITY),
        )
    ]
    assert await scenarios.matching(uow_factory, measure_types=frozenset({MeasureType.POST_CLOSURE, MeasureType.EXPULSION_ORDER})) == [
        closure,
        solidarity,
    ]
    assert await scenarios.matching(uow_factory, reason_categories=frozenset({ReasonCategory.ESPIONAGE})) == [spies]


async def test_answer_filters_split_actions_from_reactions(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    action = await store.add(drafts.measure())
    reaction = await store.add(drafts.measure(actor="RU", target="US", answers=(action.id or 0,)))
    alone = await store.add(drafts.measure(actor="PL"))
    assert await scenarios.matching(uow_factory, answers_something=True) == [reaction.id]
    assert await scenarios.matching(uow_factory, answers_something=False) == [action.id, alone.id]
    assert await scenarios.matching(uow_factory, answered=True) == [action.id]
    assert await scenarios.matching(uow_factory, answered=False) == [reaction.id, alone.id]


async def test_person_and_mission_filters_find_the_measures_that_name_them(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    post = await store.add(drafts.mission())
    person = await store.add(drafts.diplomat(rank=Rank.DEFENCE_ATTACHE))
    naming = await store.add(drafts.measure(diplomat_ids=(person.id or 0,)))
    at_post = await store.add(drafts.measure(target_mission_id=post.id))
    await store.add(drafts.diplomat(rank=Rank.COUNSELLOR))
    assert await scenarios.matching(uow_factory, names_diplomat=person.id) == [naming.id]
    assert await scenarios.matching(uow_factory, target_mission_id=post.id) == [at_post.id]
    async with uow_factory.reader() as uow:
        attaches = await uow.diplomats.list(DiplomatFilter(rank=Rank.DEFENCE_ATTACHE), EVERYTHING)
    assert [d.id for d in attaches.items] == [person.id]


async def test_statement_filters_by_speaker_channel_stance_and_date(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    briefing, tweet, undated = await store.add_all(
        drafts.statement(speaker_name="Ned Price", speaker_role=None, channel=Channel.PRESS_BRIEFING, said_on=PartialDate(2022, 3)),
        drafts.statement(
            speaker_role="Foreign Ministry spokeswoman",
            channel=Channel.SOCIAL_MEDIA_POST,
            stance=Stance.THREATENS,
            said_on=PartialDate(2022, 3, 23),
        ),
        drafts.statement(speaker_role="A State Department SPOKESMAN", stance=Stance.CONFIRMS),
    )

    async def kept(**narrowing: Any) -> list[int | None]:
        async with uow_factory.reader() as uow:
            return [s.id for s in (await uow.statements.list(StatementFilter(**narrowing), EVERYTHING)).items]

    assert await kept(speaker="spokes") == [tweet.id, undated.id]
    assert await kept(speaker="price") == [briefing.id]
    assert await kept(speaker="100%_") == []
    assert await kept(channels=frozenset({Channel.PRESS_BRIEFING, Channel.SOCIAL_MEDIA_POST})) == [briefing.id, tweet.id]
    assert await kept(stances=frozenset({Stance.THREATENS, Stance.CONFIRMS})) == [tweet.id, undated.id]
    assert await kept(said_on=DateRange(date(2022, 3, 20), date(2022, 3, 31))) == [briefing.id, tweet.id]
    assert await kept(said_on=DateRange(start=date(2022, 3, 24))) == [briefing.id]


async def test_lag_filters_keep_answers_certainly_within_the_days(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    await scenarios.lag_filters_keep_answers_certainly_within_the_days(store, uow_factory)


async def test_sources_disagree_when_they_give_different_figures(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    await scenarios.sources_disagree_when_they_give_different_figures(store, uow_factory)
