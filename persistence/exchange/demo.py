"""The built-in demo record: the March 2022 report, kept as a data file and loaded through the domain."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

from domain.errors import InvalidInput
from domain.ports import UnitOfWork
from domain.read.filters import ExpulsionFilter
from domain.record.expulsions import Expulsion, LegalBasis, MeasureType, ReasonCategory
from domain.record.missions import Mission, MissionKind
from domain.record.sources import Citation, Source, SourceKind
from domain.record.statements import Channel, Stance, Statement
from domain.record.values import Headcount, HeadcountQualifier, PartialDate
from domain.use_cases.expulsions import expulsions
from domain.use_cases.missions import missions
from domain.use_cases.statements import citations, sources, statements

FORMAT = "demarche-demo/1"
T = TypeVar("T")


def demo_record() -> dict[str, Any]:
    """The March 2022 record shipped with the package."""
    text = resources.files("persistence").joinpath("data/march_2022.json").read_text(encoding="utf-8")
    record: dict[str, Any] = json.loads(text)
    return record


@dataclass(frozen=True, slots=True)
class LoadReport:
    measures: int
    statements: int
    sources: int
    citations: int


class _Reader:
    """Reads one item of the file, naming `item.field` in every error."""

    def __init__(self, where: str, item: Mapping[str, Any]) -> None:
        self.where, self.item = where, item

    def get(self, field: str, default: Any = None) -> Any:
        return self.item.get(field, default)

    def enum(self, field: str, kind: Callable[[Any], T], default: T | None = None) -> T:
        value = self.item.get(field)
        if value is None and default is not None:
            return default
        try:
            return kind(value)
        except ValueError:
            raise InvalidInput(f"{self.where}.{field}", f"{value!r} is not a valid {field}") from None

    def date(self, field: str) -> PartialDate | None:
        value = self.item.get(field)
        return None if value is None else PartialDate.parse(f"{self.where}.{field}", value)

    def headcount(self, field: str) -> Headcount | None:
        value = self.item.get(field)
        if value is None:
            return None
        qualifier = _Reader(f"{self.where}.{field}", value).enum("qualifier", HeadcountQualifier)
        return Headcount.build(f"{self.where}.{field}", qualifier, value.get("value"))

    def key(self, field: str, keys: Mapping[str, int]) -> int:
        value = self.item.get(field)
        if not isinstance(value, str) or value not in keys:
            raise InvalidInput(f"{self.where}.{field}", f"{value!r} names no earlier item of the file")
        return keys[value]


async def load_record(record: Mapping[str, Any], *, uow: UnitOfWork) -> LoadReport | None:
    """Load a record file in one transaction; None when the record already holds measures."""
    if record.get("format") != FORMAT:
        raise InvalidInput("format", f"expected a {FORMAT} file")
    async with uow:
        if await uow.expulsions.count(ExpulsionFilter()) > 0:
            return None
        source_ids: dict[str, int] = {}
        for item in record.get("sources", []):
            r = _Reader(f"sources.{item.get('key')}", item)
            source = Source(
                publisher=r.get("publisher"),
                title=r.get("title"),
                kind=r.enum("kind", SourceKind),
                url=r.get("url"),
                published=r.date("published"),
            )
            source_ids[item["key"]] = (await sources.add(source, uow)).id or 0
        mission_ids: dict[str, int] = {}
        for item in record.get("missions", []):
            r = _Reader(f"missions.{item.get('key')}", item)
            mission = Mission(
                sending_state=r.get("sending_state"),
                host_state=r.get("host_state"),
                accredited_to=r.get("accredited_to"),
                kind=r.enum("kind", MissionKind),
                city=r.get("city"),
                name=r.get("name"),
            )
            mission_ids[item["key"]] = (await missions.add(mission, uow)).id or 0
        citation_count = 0

        async def cite(r: _Reader, measure_id: int | None = None, statement_id: int | None = None) -> None:
            nonlocal citation_count
            for index, entry in enumerate(r.get("citations", [])):
                c = _Reader(f"{r.where}.citations.{index}", entry)
                citation = Citation(
                    source_id=c.key("source", source_ids),
                    measure_id=measure_id,
                    statement_id=statement_id,
                    excerpt=c.get("excerpt"),
                    reported_headcount=c.headcount("reported_headcount"),
                )
                await citations.add(citation, uow)
                citation_count += 1

        measure_ids: dict[str, int] = {}
        for item in record.get("measures", []):
            r = _Reader(f"measures.{item.get('key')}", item)
            headcount, announced = r.headcount("headcount"), r.date("announced")
            if headcount is None or announced is None:
                raise InvalidInput(r.where, "a measure needs a headcount and an announcement date")
            measure = Expulsion(
                actor=r.get("actor"),
                target=r.get("target"),
                measure_type=r.enum("measure_type", MeasureType),
                legal_basis=r.enum("legal_basis", LegalBasis, LegalBasis.UNSTATED),
                reason_category=r.enum("reason_category", ReasonCategory, ReasonCategory.UNSTATED),
                stated_reason=r.get("stated_reason"),
                headcount=headcount,
                announced=announced,
                notified=r.date("notified"),
                deadline=r.date("deadline"),
                departed=r.date("departed"),
                target_mission_id=r.key("target_mission", mission_ids) if r.get("target_mission") else None,
                answers=tuple(_Reader(r.where, {"answers": key}).key("answers", measure_ids) for key in r.get("answers", [])),
            )
            stored = await expulsions.add(measure, uow)
            measure_ids[item["key"]] = stored.id or 0
            await cite(r, measure_id=stored.id)
        statement_count = 0
        for item in record.get("statements", []):
            r = _Reader(f"statements.{item.get('key')}", item)
            statement = Statement(
                on_behalf_of=r.get("on_behalf_of"),
                stance=r.enum("stance", Stance),
                channel=r.enum("channel", Channel) if r.get("channel") else None,
                quote=r.get("quote"),
                quote_language=r.get("quote_language"),
                speaker_name=r.get("speaker_name"),
                speaker_role=r.get("speaker_role"),
                relayed_by=r.get("relayed_by"),
                said_on=r.date("said_on"),
                translation=r.get("translation"),
                translation_language=r.get("translation_language"),
                measure_ids=tuple(_Reader(r.where, {"about": key}).key("about", measure_ids) for key in r.get("about", [])),
            )
            stored_statement = await statements.add(statement, uow)
            statement_count += 1
            await cite(r, statement_id=stored_statement.id)
        await uow.commit()
    return LoadReport(measures=len(measure_ids), statements=statement_count, sources=len(source_ids), citations=citation_count)
