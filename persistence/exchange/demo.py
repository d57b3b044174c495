"""The built-in demo record: the March 2022 report, kept as a data file and loaded through the domain."""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar

from domain.errors import Code, InvalidInput
from domain.ports import UnitOfWork
from domain.read.filters import ExpulsionFilter
from domain.record.expulsions import Expulsion
from domain.record.missions import Mission
from domain.record.sources import Citation, Source
from domain.record.statements import Statement
from domain.record.values import Headcount, HeadcountQualifier, PartialDate
from domain.use_cases.expulsions import expulsions
from domain.use_cases.missions import missions
from domain.use_cases.statements import citations, sources, statements
from persistence.sql.mappers import stored_type

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

FORMAT = "demarche-demo/1"
T = TypeVar("T")
D = TypeVar("D", bound="DataclassInstance")


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
            raise InvalidInput(f"{self.where}.{field}", f"{value!r} is not a valid {field}", Code.INVALID_VALUE) from None

    def date(self, field: str) -> PartialDate | None:
        value = self.item.get(field)
        return None if value is None else PartialDate.parse(f"{self.where}.{field}", value)

    def headcount(self, field: str) -> Headcount | None:
        value = self.item.get(field)
        if value is None:
            return None
        qualifier = _Reader(f"{self.where}.{field}", value).enum("qualifier", HeadcountQualifier)
        return Headcount.build(f"{self.where}.{field}", qualifier, value.get("value"))

    def entity(self, kind: type[D], **given: Any) -> D:
        """An entity from the item's fields of the same names, each read as its type says; `given` sets the others."""
        hints = typing.get_type_hints(kind)
        values = dict(given)
        for field in dataclasses.fields(kind):
            if field.name in values or field.name not in self.item:
                continue
            held = stored_type(hints[field.name])
            if self.item[field.name] is None:
                values[field.name] = None
            elif held is PartialDate:
                values[field.name] = self.date(field.name)
            elif held is Headcount:
                values[field.name] = self.headcount(field.name)
            elif isinstance(held, type) and issubclass(held, Enum):
                values[field.name] = self.enum(field.name, held)
            else:
                values[field.name] = self.item[field.name]
        try:
            return kind(**values)
        except TypeError:
            needed = [field.name for field in dataclasses.fields(kind) if field.init and field.default is dataclasses.MISSING]
            raise InvalidInput(self.where, f"a {kind.__name__} needs {', '.join(needed)}", Code.REQUIRED) from None

    def key(self, field: str, keys: Mapping[str, int]) -> int:
        value = self.item.get(field)
        if not isinstance(value, str) or value not in keys:
            raise InvalidInput(f"{self.where}.{field}", f"{value!r} names no earlier item of the file", Code.UNKNOWN_REFERENCE)
        return keys[value]


async def load_record(record: Mapping[str, Any], *, uow: UnitOfWork) -> LoadReport | None:
    """Load a record file in one transaction; None when the record already holds measures."""
    if record.get("format") != FORMAT:
        raise InvalidInput("format", f"expected a {FORMAT} file", Code.INVALID_FORMAT)
    async with uow:
        if await uow.expulsions.count(ExpulsionFilter()) > 0:
            return None
        source_ids: dict[str, int] = {}
        for item in record.get("sources", []):
            source = _Reader(f"sources.{item.get('key')}", item).entity(Source)
            source_ids[item["key"]] = (await sources.add(source, uow)).id or 0
        mission_ids: dict[str, int] = {}
        for item in record.get("missions", []):
            mission = _Reader(f"missions.{item.get('key')}", item).entity(Mission)
            mission_ids[item["key"]] = (await missions.add(mission, uow)).id or 0
        citation_count = 0

        async def cite(r: _Reader, measure_id: int | None = None, statement_id: int | None = None) -> None:
            nonlocal citation_count
            for index, entry in enumerate(r.get("citations", [])):
                c = _Reader(f"{r.where}.citations.{index}", entry)
                citation = c.entity(Citation, source_id=c.key("source", source_ids), measure_id=measure_id, statement_id=statement_id)
                await citations.add(citation, uow)
                citation_count += 1

        measure_ids: dict[str, int] = {}
        for item in record.get("measures", []):
            r = _Reader(f"measures.{item.get('key')}", item)
            measure = r.entity(
                Expulsion,
                target_mission_id=r.key("target_mission", mission_ids) if r.get("target_mission") else None,
                answers=tuple(_Reader(r.where, {"answers": key}).key("answers", measure_ids) for key in r.get("answers", [])),
            )
            stored = await expulsions.add(measure, uow)
            measure_ids[item["key"]] = stored.id or 0
            await cite(r, measure_id=stored.id)
        statement_count = 0
        for item in record.get("statements", []):
            r = _Reader(f"statements.{item.get('key')}", item)
            statement = r.entity(
                Statement,
                measure_ids=tuple(_Reader(r.where, {"about": key}).key("about", measure_ids) for key in r.get("about", [])),
            )
            stored_statement = await statements.add(statement, uow)
            statement_count += 1
            await cite(r, statement_id=stored_statement.id)
        await uow.commit()
    return LoadReport(measures=len(measure_ids), statements=statement_count, sources=len(source_ids), citations=citation_count)
