"""Counting the SQL statements a read sends, on a record big enough to count on: for the tests that bound them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event

from api.graphql.context import Context
from api.graphql.schema import build_schema
from api.settings import Settings
from domain.record.diplomats import Diplomat, StaffCategory
from domain.record.expulsions import Expulsion, MeasureType
from domain.record.sources import Citation, Source, SourceKind
from domain.record.statements import Stance, Statement
from domain.record.values import Headcount, PartialDate
from domain.use_cases.expulsions import expulsions
from domain.use_cases.missions import diplomats
from domain.use_cases.statements import citations, sources, statements
from persistence.catalogue import IsoStateCatalogue
from persistence.write.unit_of_work import SqlUnitOfWorkFactory

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


def is_control(sql: str, *more: str) -> bool:
    """Whether `sql` is transaction control (or starts with one of `more`), not a query."""
    return sql.strip().upper().startswith((*TRANSACTION_CONTROL, *more))


@contextmanager
def sql_sent(target: Any) -> Iterator[list[str]]:
    """Every SQL statement sent through `target` while the block runs: an engine's `sync_engine`, or the `Engine`
    class for every engine in the process."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(target, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(target, "before_cursor_execute", record)


async def executed(
    uow_factory: SqlUnitOfWorkFactory, query: str, variables: dict[str, Any], authorization: str | None = None
) -> dict[str, Any]:
    """The data the GraphQL executor answers `query` with, in-process, as a request would get it; no error allowed."""
    schema = build_schema()
    context = await Context.for_request(uow_factory, IsoStateCatalogue(), Settings(), authorization)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    await context.reads.close()
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


NESTED_PAGE = """
query Page($first: Int!) {
  expulsions(first: $first, orderBy: ANNOUNCED) {
    edges { cursor node {
      id measureType headcount { qualifier value } announced { value precision }
      actor { code name } target { code name }
      people { name rank sendingState { code } }
      answers { id } answeredBy { id }
      statements { quote stance onBehalfOf { code } citations { source { publisher } } }
      citations { excerpt reportedHeadcount { value } source { publisher kind } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PAIRS = [("PL", "RU"), ("RU", "US"), ("US", "RU"), ("DE", "RU"), ("RU", "DE"), ("FR", "RU"), ("BY", "UA"), ("RU", "PL")]


async def fill(uow_factory: SqlUnitOfWorkFactory, count: int) -> None:
    async with uow_factory() as uow:
        source = await sources.add(Source(publisher="Agency", title="Report", kind=SourceKind.WIRE_AGENCY), uow)
        assert source.id is not None
        previous: int | None = None
        for index in range(count):
            actor, target = PAIRS[index % len(PAIRS)]
            people = [
                await diplomats.add(
                    Diplomat(sending_state=target, staff_category=StaffCategory.DIPLOMATIC, name=f"Person {index}-{n}"), uow
                )
                for n in range(2)
            ]
            measure = await expulsions.add(
                Expulsion(
                    actor=actor,
                    target=target,
                    measure_type=MeasureType.PERSONA_NON_GRATA,
                    announced=PartialDate.of(date(2020, 1, 1) + timedelta(days=index)),
                    headcount=Headcount.exactly(2 + index % 5),
                    diplomat_ids=tuple(p.id for p in people if p.id is not None),
                    answers=(previous,) if previous is not None else (),
                ),
                uow,
            )
            assert measure.id is not None
            previous = measure.id
            statement = await statements.add(
                Statement(
                    on_behalf_of=actor,
                    stance=Stance.ANNOUNCES,
                    quote=f"Quote {index}",
                    quote_language="en",
                    speaker_role="Spokesperson",
                    measure_ids=(measure.id,),
                ),
                uow,
            )
            await citations.add(Citation(source_id=source.id, measure_id=measure.id, excerpt=f"Excerpt {index}"), uow)
            await citations.add(Citation(source_id=source.id, statement_id=statement.id), uow)
        await uow.commit()
