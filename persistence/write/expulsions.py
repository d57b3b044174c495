"""The repositories of expulsions and of the waves that group them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, select

from domain.read.filters import DateRange, ExpulsionFilter, NoFilter
from domain.read.pagination import Order, PageRequest
from domain.record.expulsions import Expulsion, MeasureType, ReasonCategory, Wave
from domain.record.values import HeadcountQualifier
from persistence.read.record_search import measure_matches
from persistence.sql import mappers
from persistence.sql.days import days_between
from persistence.sql.tables import AnswerRow, CitationRow, ExpelledDiplomatRow, ExpulsionRow, MembershipRow, WaveRow
from persistence.write.base import LinkTable, SqlRepository, Where, overlapping, table_of

_ANSWERS = table_of(AnswerRow)
UNKNOWN_SORTS_AFTER = 2**31 - 1


def member_throughout(
    organisation: Any, state: ColumnElement[Any], start: ColumnElement[Any], end: ColumnElement[Any]
) -> ColumnElement[bool]:
    """`state` was a member of `organisation` on every day of the span [start, end]: it had certainly
    joined by the span's first day and certainly not left before its last (see `domain.record.memberships`)."""
    m = table_of(MembershipRow).c
    return exists().where(
        m.organisation == organisation,
        m.state == state,
        m.joined_end <= start,
        or_(m.left_start.is_(None), m.left_start >= end),
    )


class SqlExpulsionRepository(SqlRepository[Expulsion, ExpulsionFilter]):
    table = table_of(ExpulsionRow)
    links = (
        LinkTable("answers", _ANSWERS, "measure_id", "answered_id"),
        LinkTable("diplomat_ids", table_of(ExpelledDiplomatRow), "measure_id", "diplomat_id"),
    )
    mapper = mappers.mapper_of(Expulsion)

    def _one_of(self, column: str, values: frozenset[Any]) -> Where:
        return self.table.c[column].in_(sorted(value.value for value in values))

    def where_actor(self, codes: tuple[str, ...]) -> Where:
        return self.table.c.actor.in_([self.code(code) for code in codes])

    def where_target(self, codes: tuple[str, ...]) -> Where:
        return self.table.c.target.in_([self.code(code) for code in codes])

    def where_party(self, codes: tuple[str, ...]) -> Where:
        c, parties = self.table.c, [self.code(code) for code in codes]
        return or_(c.actor.in_(parties), c.target.in_(parties))

    def where_member_of(self, organisation: str) -> Where:
        c = self.table.c
        return member_throughout(self.organisation_code(organisation), c.actor, c.announced_start, c.announced_end)

    def where_target_member_of(self, organisation: str) -> Where:
        c = self.table.c
        return member_throughout(self.organisation_code(organisation), c.target, c.announced_start, c.announced_end)

    def where_pair(self, pair: tuple[str, str]) -> Where:
        c, one, other = self.table.c, self.code(pair[0]), self.code(pair[1])
        return or_(and_(c.actor == one, c.target == other), and_(c.actor == other, c.target == one))

    def where_announced(self, span: DateRange) -> Where:
        return overlapping(self.table.c.announced_start, self.table.c.announced_end, span)

    def where_measure_type(self, measure_type: MeasureType) -> Where:
        return self.table.c.measure_type == measure_type.value

    def where_reason_categories(self, categories: frozenset[ReasonCategory]) -> Where:
        return self._one_of("reason_category", categories)

    def where_qualifiers(self, qualifiers: frozenset[HeadcountQualifier]) -> Where:
        return self._one_of("headcount_qualifier", qualifiers)

    def where_headcount_min(self, least: int) -> Where:
        return self.table.c.headcount_value >= least

    def where_headcount_max(self, most: int) -> Where:
        c = self.table.c
        return and_(c.headcount_value <= most, c.headcount_qualifier != HeadcountQualifier.AT_LEAST.value)

    def where_answers_something(self, wanted: bool) -> Where:
        answers = exists().where(_ANSWERS.c.measure_id == self.table.c.id)
        return answers if wanted else not_(answers)

    def where_answered(self, wanted: bool) -> Where:
        answered = exists().where(_ANSWERS.c.answered_id == self.table.c.id)
        return answered if wanted else not_(answered)

    # A lag is certainly within N days when its longest reading is: the later span's end less the earlier's start.
    def where_answers_within_days(self, days: int) -> Where:
        c, a, other = self.table.c, _ANSWERS.c, self.table.alias("other")
        return (
            exists()
            .select_from(_ANSWERS.join(other, other.c.id == a.answered_id))
            .where(a.measure_id == c.id, days_between(c.announced_end, other.c.announced_start) <= days)
        )

    def where_answered_within_days(self, days: int) -> Where:
        c, a, other = self.table.c, _ANSWERS.c, self.table.alias("other")
        return (
            exists()
            .select_from(_ANSWERS.join(other, other.c.id == a.measure_id))
            .where(a.answered_id == c.id, days_between(other.c.announced_end, c.announced_start) <= days)
        )

    def where_sources_disagree(self, wanted: bool) -> Where:
        disagree = self._sources_disagree()
        return disagree if wanted else not_(disagree)

    def where_wave_id(self, id: int) -> Where:
        return self.table.c.wave_id == id

    def where_search(self, words: str) -> Where:
        return measure_matches(self.connection.dialect.name, words, self.table)

    def where_measure_types(self, measure_types: frozenset[MeasureType]) -> Where:
        return self._one_of("measure_type", measure_types)

    def where_names_diplomat(self, id: int) -> Where:
        people = table_of(ExpelledDiplomatRow).c
        return exists().where(people.measure_id == self.table.c.id, people.diplomat_id == id)

    def where_target_mission_id(self, id: int) -> Where:
        return self.table.c.target_mission_id == id

    def _sources_disagree(self) -> ColumnElement[bool]:
        """Two citations of the measure give different figures (numbers with their qualifiers), as `sources.figures` counts."""
        citations = table_of(CitationRow)
        one, other = citations.alias("one"), citations.alias("other")
        return (
            exists()
            .select_from(one.join(other, other.c.measure_id == one.c.measure_id))
            .where(
                one.c.measure_id == self.table.c.id,
                one.c.headcount_value.is_not(None),
                other.c.headcount_value.is_not(None),
                or_(one.c.headcount_value != other.c.headcount_value, one.c.headcount_qualifier != other.c.headcount_qualifier),
            )
        )

    def sort_columns(self, page: PageRequest, filter: ExpulsionFilter) -> list[ColumnElement[Any]]:
        c = self.table.c
        if page.order is Order.ANNOUNCED:
            return [c.announced_start]
        if page.order is Order.HEADCOUNT:
            # Unknown headcounts have no number; they sort after every known one either way.
            unknown_last = -1 if page.descending else UNKNOWN_SORTS_AFTER
            return [func.coalesce(c.headcount_value, unknown_last)]
        return super().sort_columns(page, filter)

    async def answered_transitively(self, ids: Collection[int]) -> set[int]:
        if not ids:
            return set()
        a = _ANSWERS.c
        reach = select(a.answered_id.label("id")).where(a.measure_id.in_(list(ids))).cte("reach", recursive=True)
        reach = reach.union(select(a.answered_id).join(reach, a.measure_id == reach.c.id))
        return set((await self.connection.execute(select(reach.c.id))).scalars())

    async def answering(self, ids: Collection[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {id: [] for id in ids}
        if ids:
            a = _ANSWERS.c
            rows = await self.connection.execute(
                select(a.answered_id, a.measure_id).where(a.answered_id.in_(list(ids))).order_by(a.answered_id, a.measure_id)
            )
            for answered_id, measure_id in rows:
                found[answered_id].append(measure_id)
        return found


class SqlWaveRepository(SqlRepository[Wave, NoFilter]):
    table = table_of(WaveRow)
    mapper = mappers.mapper_of(Wave)
