"""A deterministic synthetic record (fixed seed) at any scale, over all ISO states.

Proportions per statement: 0.5 measures, 0.5 named people, 0.1 sources, and one citation
per measure and per statement; about a third of the measures answer an earlier one.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from domain.record.actors import ActorKind
from domain.record.diplomats import Diplomat, Rank, StaffCategory
from domain.record.expulsions import Expulsion, LegalBasis, MeasureType, ReasonCategory
from domain.record.missions import Mission, MissionKind
from domain.record.sources import Citation, Source, SourceKind
from domain.record.statements import Channel, Stance, Statement
from domain.record.values import Headcount, HeadcountQualifier, PartialDate
from persistence.catalogue import IsoStateCatalogue
from persistence.write.bulk import BulkRecord

SEED = 20220323
BUSY = ["RU", "US", "GB", "PL", "DE", "FR", "CZ", "UA", "BY", "CN", "LT", "LV", "EE", "NL", "IT"]
WORDS = [
    "expel",
    "expelled",
    "expulsion",
    "diplomats",
    "diplomat",
    "embassy",
    "consulate",
    "espionage",
    "spying",
    "spies",
    "retaliation",
    "response",
    "unacceptable",
    "unjustified",
    "hostile",
    "persona",
    "non",
    "grata",
    "staff",
    "mission",
    "reciprocal",
    "measures",
    "sovereignty",
    "interference",
    "network",
    "intelligence",
    "officers",
    "attache",
    "deadline",
    "leave",
    "country",
    "government",
    "ministry",
    "foreign",
    "affairs",
    "condemn",
    "solidarity",
    "allies",
    "partners",
    "relations",
    "bilateral",
    "unhelpful",
    "unproductive",
    "decisive",
    "comparable",
    "step",
    "security",
]
FIRST_DAY = date(1960, 1, 1)
DAYS = (date(2025, 12, 31) - FIRST_DAY).days


def _states() -> list[str]:
    return [state.code for state in IsoStateCatalogue().all_states() if state.kind is ActorKind.STATE]


def _partial(rng: random.Random, day: date) -> PartialDate:
    roll = rng.random()
    if roll < 0.7:
        return PartialDate.of(day)
    if roll < 0.9:
        return PartialDate(day.year, day.month)
    return PartialDate(day.year)


def _headcount(rng: random.Random) -> Headcount:
    roll = rng.random()
    if roll < 0.2:
        return Headcount.unknown()
    qualifier = HeadcountQualifier.EXACT if roll < 0.8 else (HeadcountQualifier.APPROXIMATE if roll < 0.9 else HeadcountQualifier.AT_LEAST)
    return Headcount(qualifier, rng.randint(1, 60))


def _quote(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))).capitalize() + "."


def generate(statements: int, seed: int = SEED) -> BulkRecord:
    """A record with `statements` statements and the rest in proportion, identical for a seed."""
    rng = random.Random(seed)
    states = _states()
    busy = [code for code in BUSY if code in states]
    measure_count = max(1, statements // 2)
    missions: dict[tuple[str, str], Mission] = {}
    diplomats: list[Diplomat] = []
    measures: list[Expulsion] = []
    by_pair: dict[tuple[str, str], list[Expulsion]] = {}
    days = sorted(rng.randrange(DAYS) for _ in range(measure_count))
    for index in range(measure_count):
        actor = rng.choice(busy) if rng.random() < 0.6 else rng.choice(states)
        target = rng.choice(busy) if rng.random() < 0.6 else rng.choice(states)
        while target == actor:
            target = rng.choice(states)
        mission = missions.get((target, actor))
        if mission is None:
            mission = Mission(
                id=len(missions) + 1, sending_state=target, host_state=actor, kind=MissionKind.EMBASSY, city=f"Capital of {actor}"
            )
            missions[(target, actor)] = mission
        people = []
        if rng.random() < 0.5:
            person = Diplomat(
                id=len(diplomats) + 1,
                sending_state=target,
                staff_category=StaffCategory.DIPLOMATIC,
                name=f"Diplomat {len(diplomats) + 1}",
                rank=rng.choice(list(Rank)),
                mission_id=mission.id,
            )
            diplomats.append(person)
            people.append(person.id or 0)
        announced = _partial(rng, FIRST_DAY + timedelta(days=days[index]))
        headcount = _headcount(rng)
        if headcount.qualifier is HeadcountQualifier.EXACT and headcount.value is not None and headcount.value < len(people):
            headcount = Headcount.exactly(len(people))
        answered = by_pair.get((target, actor), [])
        answers: tuple[int, ...] = ()
        if answered and rng.random() < 0.6:
            earlier = answered[-1]
            if not announced.certainly_before(earlier.announced):
                answers = (earlier.id or 0,)
        measure = Expulsion(
            id=index + 1,
            actor=actor,
            target=target,
            target_mission_id=mission.id,
            measure_type=rng.choice(list(MeasureType)),
            legal_basis=rng.choice(list(LegalBasis)),
            reason_category=ReasonCategory.RETALIATION if answers else rng.choice(list(ReasonCategory)),
            stated_reason=_quote(rng),
            headcount=headcount,
            announced=announced,
            diplomat_ids=tuple(people),
            answers=answers,
        )
        measures.append(measure)
        by_pair.setdefault((actor, target), []).append(measure)
    sources = [
        Source(
            id=index + 1,
            publisher=f"Outlet {index % 97}",
            title=f"Report {index + 1}",
            kind=rng.choice(list(SourceKind)),
            url=f"https://news.example/{index + 1}",
        )
        for index in range(max(1, statements // 10))
    ]
    said: list[Statement] = []
    for index in range(statements):
        about = measures[rng.randrange(len(measures))]
        speaker = about.actor if rng.random() < 0.6 else about.target
        said.append(
            Statement(
                id=index + 1,
                on_behalf_of=speaker,
                speaker_role="Foreign ministry spokesperson",
                channel=rng.choice(list(Channel)),
                stance=rng.choice(list(Stance)),
                quote=_quote(rng),
                quote_language="en",
                said_on=about.announced,
                measure_ids=(about.id or 0,),
            )
        )
    citations = [
        Citation(
            id=index + 1,
            source_id=rng.randrange(len(sources)) + 1,
            measure_id=measure.id,
            excerpt=measure.stated_reason,
            reported_headcount=measure.headcount,
        )
        for index, measure in enumerate(measures)
    ]
    citations += [
        Citation(id=len(citations) + index + 1, source_id=rng.randrange(len(sources)) + 1, statement_id=statement.id)
        for index, statement in enumerate(said)
    ]
    return BulkRecord(
        missions=list(missions.values()), diplomats=diplomats, expulsions=measures, sources=sources, statements=said, citations=citations
    )
