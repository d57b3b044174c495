"""Mutations on statements, sources and citations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from api.graphql.arguments import CHANGES, NEW, ExpectedVersion, MeasureId, OptionalVersion, RecordId, StatementId
from api.graphql.context import Info
from api.graphql.errors import Failure, outcome
from api.graphql.inputs import HeadcountInput, InputSpec, headcount, node_id, partial_date, patch_of, ref, refs, required, same
from api.graphql.mutations import common
from api.graphql.types.statements import Citation, Source, Statement
from api.graphql.types.values import Channel, SourceKind, Stance
from api.limits.access import admin_mutation
from domain.record import sources, statements
from domain.use_cases import statements as use_cases


@strawberry.input(description="A new statement. At least the speaker's name or role is needed.")
class CreateStatementInput:
    on_behalf_of: str = strawberry.field(description="Code of the state or organisation on whose behalf it was said.")
    stance: Stance = strawberry.field(description="What it does about the measures it concerns.")
    quote: str = strawberry.field(description="The verbatim quote in its original language.")
    quote_language: str = strawberry.field(description="Language tag of the quote, e.g. 'en'.")
    speaker_name: str | None = strawberry.field(default=None, description="The speaker's name.")
    speaker_role: str | None = strawberry.field(default=None, description="The speaker's role.")
    channel: Channel | None = strawberry.field(default=None, description="How it was made public, if known.")
    relayed_by: str | None = strawberry.field(default=None, description="The outlet that relayed it.")
    said_on: str | None = strawberry.field(default=None, description="When it was said: YYYY, YYYY-MM or YYYY-MM-DD.")
    translation: str | None = strawberry.field(default=None, description="A translation of the quote.")
    translation_language: str | None = strawberry.field(default=None, description="Language tag of the translation.")
    measure_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="IDs of the Expulsions it is about.")


@strawberry.input(description="A new source.")
class CreateSourceInput:
    publisher: str = strawberry.field(description="Who published it.")
    title: str = strawberry.field(description="Its title, or a description.")
    kind: SourceKind = strawberry.field(description="What sort of publisher.")
    url: str | None = strawberry.field(default=None, description="Absolute http(s) URL.")
    published: str | None = strawberry.field(default=None, description="When it was published: YYYY, YYYY-MM or YYYY-MM-DD.")


@strawberry.input(description="A new citation of a source, backing exactly one measure or one statement.")
class CreateCitationInput:
    source_id: strawberry.ID = strawberry.field(description="ID of the Source cited.")
    measure_id: MeasureId | None = strawberry.field(default=None, description="ID of the Expulsion it backs.")
    statement_id: StatementId | None = strawberry.field(default=None, description="ID of the Statement it backs.")
    excerpt: str | None = strawberry.field(default=None, description="The passage relied on.")
    reported_headcount: HeadcountInput | None = strawberry.field(default=None, description="The headcount this source gave, for a measure.")


UpdateStatementInput = patch_of(CreateStatementInput, "UpdateStatementInput", "Changes to a statement; omitted fields stay as they are.")
UpdateSourceInput = patch_of(CreateSourceInput, "UpdateSourceInput", "Changes to a source; omitted fields stay as they are.")
UpdateCitationInput = patch_of(CreateCitationInput, "UpdateCitationInput", "Changes to a citation; omitted fields stay as they are.")

STATEMENT = InputSpec(
    {
        "on_behalf_of": ("on_behalf_of", required(same)),
        "stance": ("stance", required(same)),
        "quote": ("quote", required(same)),
        "quote_language": ("quote_language", required(same)),
        "speaker_name": ("speaker_name", same),
        "speaker_role": ("speaker_role", same),
        "channel": ("channel", same),
        "relayed_by": ("relayed_by", same),
        "said_on": ("said_on", partial_date),
        "translation": ("translation", same),
        "translation_language": ("translation_language", same),
        "measure_ids": ("measure_ids", refs("Expulsion")),
    }
)
SOURCE = InputSpec(
    {
        "publisher": ("publisher", required(same)),
        "title": ("title", required(same)),
        "kind": ("kind", required(same)),
        "url": ("url", same),
        "published": ("published", partial_date),
    }
)
CITATION = InputSpec(
    {
        "source_id": ("source_id", required(ref("Source"))),
        "measure_id": ("measure_id", ref("Expulsion")),
        "statement_id": ("statement_id", ref("Statement")),
        "excerpt": ("excerpt", same),
        "reported_headcount": ("reported_headcount", headcount),
    }
)
StatementResult = common.result_union("StatementResult", Statement)
SourceResult = common.result_union("SourceResult", Source)
CitationResult = common.result_union("CitationResult", Citation)

Link = Callable[..., Awaitable[statements.Statement]]


async def _link(info: Info, link: Link, statement_id: StatementId, measure_id: MeasureId, version: int | None) -> Statement | Failure:
    async def run() -> Statement:
        ids = node_id("Statement", "statementId", statement_id), node_id("Expulsion", "measureId", measure_id)
        return Statement.from_domain(await link(*ids, uow=info.context.uow_factory(), expected_version=version))

    return await outcome(run, {"id": "statementId", "measureIds": "measureId"})


@strawberry.type
class StatementMutations:
    @strawberry.mutation(description="Record a statement.")
    async def create_statement(self, info: Info, input: Annotated[CreateStatementInput, NEW]) -> StatementResult:
        return await common.create(info, input, STATEMENT, statements.Statement, use_cases.statements, Statement.from_domain)

    @strawberry.mutation(description="Change a statement.")
    async def update_statement(
        self, info: Info, id: RecordId, expected_version: ExpectedVersion, input: Annotated[UpdateStatementInput, CHANGES]
    ) -> StatementResult:
        return await common.update(info, "Statement", id, expected_version, input, STATEMENT, use_cases.statements, Statement.from_domain)

    @admin_mutation("Delete a statement with its citations.")
    async def delete_statement(self, info: Info, id: RecordId, expected_version: ExpectedVersion) -> common.DeleteResult:
        return await common.delete(info, "Statement", id, expected_version, use_cases.statements)

    @strawberry.mutation(description="Record that a statement is about a measure.")
    async def link_statement(
        self, info: Info, statement_id: StatementId, measure_id: MeasureId, expected_version: OptionalVersion = None
    ) -> StatementResult:
        return await _link(info, use_cases.link_statement, statement_id, measure_id, expected_version)

    @strawberry.mutation(description="Record that a statement is not about a measure.")
    async def unlink_statement(
        self, info: Info, statement_id: StatementId, measure_id: MeasureId, expected_version: OptionalVersion = None
    ) -> StatementResult:
        return await _link(info, use_cases.unlink_statement, statement_id, measure_id, expected_version)

    @strawberry.mutation(description="Record a source.")
    async def create_source(self, info: Info, input: Annotated[CreateSourceInput, NEW]) -> SourceResult:
        return await common.create(info, input, SOURCE, sources.Source, use_cases.sources, Source.from_domain)

    @strawberry.mutation(description="Change a source.")
    async def update_source(
        self, info: Info, id: RecordId, expected_version: ExpectedVersion, input: Annotated[UpdateSourceInput, CHANGES]
    ) -> SourceResult:
        return await common.update(info, "Source", id, expected_version, input, SOURCE, use_cases.sources, Source.from_domain)

    @admin_mutation("Delete a source that nothing cites.")
    async def delete_source(self, info: Info, id: RecordId, expected_version: ExpectedVersion) -> common.DeleteResult:
        return await common.delete(info, "Source", id, expected_version, use_cases.sources)

    @strawberry.mutation(description="Cite a source for a measure or a statement.")
    async def create_citation(self, info: Info, input: Annotated[CreateCitationInput, NEW]) -> CitationResult:
        return await common.create(info, input, CITATION, sources.Citation, use_cases.citations, Citation.from_domain)

    @strawberry.mutation(description="Change a citation.")
    async def update_citation(
        self, info: Info, id: RecordId, expected_version: ExpectedVersion, input: Annotated[UpdateCitationInput, CHANGES]
    ) -> CitationResult:
        return await common.update(info, "Citation", id, expected_version, input, CITATION, use_cases.citations, Citation.from_domain)

    @admin_mutation("Remove a citation.")
    async def delete_citation(self, info: Info, id: RecordId, expected_version: ExpectedVersion) -> common.DeleteResult:
        return await common.delete(info, "Citation", id, expected_version, use_cases.citations)
