"""The record's analysis questions answered in SQL: a few grouped queries, never a loop per row."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Integer, Select, and_, case, cast, extract, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.read.analysis import (
    BalanceSide,
    Granularity,
    Group,
    GroupBy,
    HeadcountTally,
    RankBy,
    RankingEntry,
    RecordAnalysis,
    Role,
    Thread,
    ThreadLink,
    Timeline,
    TimelineBucket,
)
from domain.read.filters import ExpulsionFilter
from domain.record.expulsions import Expulsion
from domain.record.statements import Statement
from domain.record.values import HeadcountQualifier, Precision
from persistence.sql.tables import AnswerRow, CitationRow, ExpulsionRow, MembershipRow, StatementAboutRow
from persistence.write.base import table_of
from persistence.write.expulsions import SqlExpulsionRepository
from persistence.write.statements import SqlStatementRepository

_MEASURES = table_of(ExpulsionRow)
_ANSWERS = table_of(AnswerRow)
_ABOUT = table_of(StatementAboutRow)
_CITATIONS = table_of(CitationRow)
_MEMBERSHIPS = table_of(MembershipRow)
_KNOWN = (HeadcountQualifier.EXACT.value, HeadcountQualifier.APPROXIMATE.value)


def _cited_figures() -> FromClause:
    """Per measure, the lowest and highest number its citations give, and whether they give different figures (another
    number or another qualifier, as the `sourcesDisagree` filter means)."""
    c = _CITATIONS.c
    disagree = or_(
        func.min(c.headcount_value) != func.max(c.headcount_value), func.min(c.headcount_qualifier) != func.max(c.headcount_qualifier)
    )
    return (
        select(
            c.measure_id.label("measure_id"),
            func.min(c.headcount_value).label("low"),
            func.max(c.headcount_value).label("high"),
            case((disagree, 1), else_=0).label("contested"),
        )
        .where(c.measure_id.is_not(None), c.headcount_value.is_not(None))
        .group_by(c.measure_id)
        .subquery("cited")
    )


_CITED = _cited_figures()
_TALLIED = _MEASURES.outerjoin(_CITED, _CITED.c.measure_id == _MEASURES.c.id)
"""The measures with their sources' figures: every tally reads from this."""


def _either(own: ColumnElement[Any], cited: ColumnElement[Any], *, lowest: bool) -> ColumnElement[Any]:
    """The lower (or higher) of two numbers that may each be missing."""
    better = cited < own if lowest else cited > own
    return case((cited.is_(None), own), (own.is_(None), cited), (better, cited), else_=own)


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum_where(condition: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def tally_columns() -> list[ColumnElement[Any]]:
    """Aggregates that keep unknown and lower-bound headcounts apart from known ones."""
    q, v = _MEASURES.c.headcount_qualifier, _MEASURES.c.headcount_value
    own = case((q != HeadcountQualifier.UNKNOWN.value, v), else_=None)
    return [
        func.count().label("measures"),
        _sum_where(q.in_(_KNOWN), v).label("known_headcount"),
        _count_where(q == HeadcountQualifier.APPROXIMATE.value).label("approximate_measures"),
        _count_where(q == HeadcountQualifier.AT_LEAST.value).label("lower_bound_measures"),
        _sum_where(q == HeadcountQualifier.AT_LEAST.value, v).label("lower_bound_headcount"),
        _count_where(q == HeadcountQualifier.UNKNOWN.value).label("unknown_measures"),
        func.coalesce(func.sum(_either(own, _CITED.c.low, lowest=True)), 0).label("sources_lowest_headcount"),
        func.coalesce(func.sum(_either(own, _CITED.c.high, lowest=False)), 0).label("sources_highest_headcount"),
        func.coalesce(func.sum(_CITED.c.contested), 0).label("contested_measures"),
    ]


def _tallies(*grouped: ColumnElement[Any]) -> Select[Any]:
    """A query of tallies (per `grouped` columns, when given) over the measures with their sources' figures."""
    return select(*grouped, *tally_columns()).select_from(_TALLIED)


def tally(row: Any) -> HeadcountTally:
    if row is None:
        return HeadcountTally()
    return HeadcountTally(
        measures=int(row.measures),
        known_headcount=int(row.known_headcount),
        approximate_measures=int(row.approximate_measures),
        lower_bound_measures=int(row.lower_bound_measures),
        lower_bound_headcount=int(row.lower_bound_headcount),
        unknown_measures=int(row.unknown_measures),
        sources_lowest_headcount=int(row.sources_lowest_headcount),
        sources_highest_headcount=int(row.sources_highest_headcount),
        contested_measures=int(row.contested_measures),
    )


class SqlRecordAnalysis:
    """`RecordAnalysis` over one connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.measures = SqlExpulsionRepository(connection)
        self.statements = SqlStatementRepository(connection)

    async def _reach(self, measure_id: int, *, upstream: bool) -> set[int]:
        a = _ANSWERS.c
        start, follow = (a.measure_id, a.answered_id) if upstream else (a.answered_id, a.measure_id)
        reach = select(follow.label("id")).where(start == measure_id).cte("reach", recursive=True)
        reach = reach.union(select(follow).join(reach, start == reach.c.id))
        return set((await self.connection.execute(select(reach.c.id))).scalars())

    async def thread(self, measure_id: int) -> Thread | None:
        ids = {measure_id} | await self._reach(measure_id, upstream=True) | await self._reach(measure_id, upstream=False)
        measures = await self.measures.get_many(ids)
        if measure_id not in measures:
            return None
        ordered = sorted(measures.values(), key=lambda m: (m.announced.start, m.id or 0))
        links = [
            ThreadLink(later=later, earlier=measures[earlier_id])
            for later in ordered
            for earlier_id in later.answers
            if earlier_id in measures
        ]
        return Thread(measures=ordered, links=links)

    async def _one(self, conditions: list[ColumnElement[bool]], *, latest: bool) -> Expulsion | None:
        c = _MEASURES.c
        order = (c.announced_start.desc(), c.id.desc()) if latest else (c.announced_start, c.id)
        found = (await self.connection.execute(select(c.id).where(*conditions).order_by(*order).limit(1))).scalar()
        return None if found is None else await self.measures.get(found)

    async def tally(self, filter: ExpulsionFilter) -> HeadcountTally:
        return tally((await self.connection.execute(_tallies().where(*self.measures.conditions(filter)))).first())

    async def groups(self, by: GroupBy, filter: ExpulsionFilter) -> list[Group]:
        if by is GroupBy.ACTOR_GROUP:
            organisations = select(_MEMBERSHIPS.c.organisation).distinct().order_by(_MEMBERSHIPS.c.organisation)
            found = [
                Group(key=code, tally=await self.tally(dataclasses.replace(filter, member_of=code)))
                for code in (await self.connection.execute(organisations)).scalars()
            ]
            groups = [group for group in found if group.tally.measures]
        else:
            column = _MEASURES.c[
                {GroupBy.WAVE: "wave_id", GroupBy.REASON_CATEGORY: "reason_category", GroupBy.MEASURE_TYPE: "measure_type"}[by]
            ]
            query = _tallies(column.label("key")).where(*self.measures.conditions(filter)).group_by(column)
            groups = [
                Group(key=None if row.key is None else str(row.key), tally=tally(row))
                for row in (await self.connection.execute(query)).all()
            ]
        return sorted(groups, key=lambda group: (-group.tally.measures, group.key is None, group.key or ""))

    async def balance_side(self, actor: str, target: str, filter: ExpulsionFilter) -> BalanceSide:
        c = _MEASURES.c
        conditions = [c.actor == actor, c.target == target, *self.measures.conditions(filter)]
        row = (await self.connection.execute(_tallies().where(*conditions))).first()
        return BalanceSide(
            actor=actor,
            target=target,
            tally=tally(row),
            first=await self._one(conditions, latest=False),
            last=await self._one(conditions, latest=True),
        )

    async def latest_statements(self, pair: tuple[str, str], filter: ExpulsionFilter, limit: int) -> list[Statement]:
        c, one, other = _MEASURES.c, *pair
        between = or_(and_(c.actor == one, c.target == other), and_(c.actor == other, c.target == one))
        about = (
            select(_ABOUT.c.statement_id)
            .join(_MEASURES, _MEASURES.c.id == _ABOUT.c.measure_id)
            .where(between, *self.measures.conditions(filter))
        )
        s = self.statements.table.c
        query = (
            select(*self.statements.columns())
            .where(s.id.in_(about))
            .order_by(func.coalesce(s.said_on_start, date(1, 1, 1)).desc(), s.id.desc())
            .limit(limit)
        )
        return await self.statements.entities((await self.connection.execute(query)).all())

    async def timeline(self, granularity: Granularity, filter: ExpulsionFilter) -> Timeline:
        c = _MEASURES.c
        conditions = self.measures.conditions(filter)
        year = cast(extract("year", c.announced_start), Integer).label("year")
        periods: list[ColumnElement[Any]] = [year]
        fits: list[ColumnElement[bool]] = []
        if granularity is Granularity.MONTH:
            periods.append(cast(extract("month", c.announced_start), Integer).label("month"))
            fits.append(c.announced_precision != Precision.YEAR.value)
        query = _tallies(*periods).where(*conditions, *fits).group_by(*periods).order_by(*periods)
        buckets = [
            TimelineBucket(start=date(row.year, getattr(row, "month", 1), 1), tally=tally(row))
            for row in (await self.connection.execute(query)).all()
        ]
        imprecise = HeadcountTally()
        if granularity is Granularity.MONTH:
            coarse = _tallies().where(*conditions, c.announced_precision == Precision.YEAR.value)
            imprecise = tally((await self.connection.execute(coarse)).first())
        return Timeline(granularity=granularity, buckets=buckets, imprecise=imprecise)

    async def ranking(self, role: Role, by: RankBy, filter: ExpulsionFilter, limit: int) -> list[RankingEntry]:
        who = _MEASURES.c[role.value]
        columns = tally_columns()
        measures, known, floors, lowest, highest = columns[0], columns[1], columns[4], columns[6], columns[7]
        order = {
            RankBy.MEASURES: [measures, known],
            RankBy.KNOWN_HEADCOUNT: [known, measures],
            RankBy.MINIMUM_HEADCOUNT: [known + floors, measures],
            RankBy.SOURCES_LOWEST_HEADCOUNT: [lowest, measures],
            RankBy.SOURCES_HIGHEST_HEADCOUNT: [highest, measures],
        }[by]
        query = (
            select(who.label("code"), *columns)
            .select_from(_TALLIED)
            .where(*self.measures.conditions(filter))
            .group_by(who)
            .order_by(*(key.desc() for key in order), who)
            .limit(limit)
        )
        return [RankingEntry(code=row.code, tally=tally(row)) for row in (await self.connection.execute(query)).all()]


def _conforms(analysis: SqlRecordAnalysis) -> RecordAnalysis:
    """Lets mypy check that the adapter satisfies the domain's port."""
    return analysis
