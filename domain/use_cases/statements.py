"""Use cases for statements, sources and citations."""

from __future__ import annotations

import dataclasses

from domain.errors import Checks, Code, Conflict
from domain.ports import UnitOfWork
from domain.read.filters import CitationFilter
from domain.record.history import ChangeAction
from domain.record.sources import Citation, Source
from domain.record.statements import Statement
from domain.use_cases import links, references
from domain.use_cases.editing import AggregateEditor


async def _check_statement(statement: Statement, uow: UnitOfWork) -> Statement:
    found = Checks()
    speaker = statement.on_behalf_of
    with found.rule():
        speaker = (await references.actor(uow, "onBehalfOf", statement.on_behalf_of)).code
    with found.rule():
        await references.records(uow.expulsions, "Expulsion", "measureIds", statement.measure_ids)
    found.done()
    return dataclasses.replace(statement, on_behalf_of=speaker)


async def _check_source(source: Source, uow: UnitOfWork) -> Source:
    return source


async def _check_citation(citation: Citation, uow: UnitOfWork) -> Citation:
    found = Checks()
    with found.rule():
        await references.record(uow.sources, "Source", "sourceId", citation.source_id)
    if citation.measure_id is not None:
        with found.rule():
            await references.record(uow.expulsions, "Expulsion", "measureId", citation.measure_id)
    if citation.statement_id is not None:
        with found.rule():
            await references.record(uow.statements, "Statement", "statementId", citation.statement_id)
    found.done()
    return citation


async def _refuse_if_cited(id: int, uow: UnitOfWork) -> None:
    if await uow.citations.count(CitationFilter(source_id=id)) > 0:
        raise Conflict(f"source {id} is still cited; delete its citations first", code=Code.STILL_REFERENCED)


async def _remove_citations(id: int, uow: UnitOfWork) -> None:
    """A statement's citations go with it; each is recorded as deleted, so it can be restored."""
    for citation in (await uow.citations.of_statements([id])).get(id, []):
        await citations.delete_within(citation, uow)


statements = AggregateEditor[Statement]("Statement", lambda uow: uow.statements, _check_statement, _remove_citations)
sources = AggregateEditor[Source]("Source", lambda uow: uow.sources, _check_source, _refuse_if_cited)
citations = AggregateEditor[Citation]("Citation", lambda uow: uow.citations, _check_citation)


async def link_statement(statement_id: int, measure_id: int, *, uow: UnitOfWork, expected_version: int | None = None) -> Statement:
    """Record that a statement is about a measure."""
    return await statements.revise(
        statement_id,
        links.adding("measure_ids", measure_id, "measure"),
        uow=uow,
        expected_version=expected_version,
        action=ChangeAction.LINK,
    )


async def unlink_statement(statement_id: int, measure_id: int, *, uow: UnitOfWork, expected_version: int | None = None) -> Statement:
    """Record that a statement is not about a measure after all."""
    return await statements.revise(
        statement_id,
        links.removing("measure_ids", measure_id, "measure", "measureId"),
        uow=uow,
        expected_version=expected_version,
        action=ChangeAction.UNLINK,
    )
