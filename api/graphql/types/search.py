"""The GraphQL face of the search across the record: kinds, matched fields, hits and their connection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry
from strawberry.relay import PageInfo

from api.graphql.types.expulsions import Expulsion
from api.graphql.types.statements import Citation, Source, Statement
from domain.read import search

SearchKind = strawberry.enum(
    search.SearchKind, description="A kind of record the search reads: measures, statements, citations or sources."
)
MatchedField = strawberry.enum(
    search.MatchedField,
    description=(
        "The field a hit was found in: a measure's STATED_REASON, LEGAL_BASIS or REASON_CATEGORY (their codes read as words, "
        "e.g. VCDR_ARTICLE_9 as 'vcdr article 9'), a statement's QUOTE or TRANSLATION, a citation's EXCERPT, "
        "a source's TITLE or PUBLISHER."
    ),
)
SearchResult = Annotated[
    Expulsion | Statement | Citation | Source,
    strawberry.union("SearchResult", description="A record the search found: a measure, a statement, a citation or a source."),
]


@strawberry.type(description="One hit of a search: a record, the field of it that holds every word searched for, and where.")
class SearchHit:
    node: SearchResult = strawberry.field(description="The record found.")
    cursor: str = strawberry.field(description="Opaque cursor: pass it as `after` to page on from this hit.")
    matched_field: MatchedField = strawberry.field(description="The field that holds every word searched for.")
    snippet: str = strawberry.field(
        description=(
            "The passage of that field around the words found, each found word between « and » (as in «spies»); "
            "a long field is cut to about 16 words, a cut marked … on SQLite."
        )
    )
    rank: float = strawberry.field(
        description=(
            "Relevance: lower is more relevant (FTS5's bm25 on SQLite, minus ts_rank on PostgreSQL; "
            "compare ranks within one answer only). Hits are ordered by rank, then field, then record id."
        )
    )


@strawberry.type(description="A page of search hits, most relevant first, with Relay cursors.")
class SearchConnection:
    edges: list[SearchHit] = strawberry.field(description="The hits of this page, most relevant first.")
    page_info: PageInfo = strawberry.field(description="Cursors of the page's ends and whether more hits lie beyond them.")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many hits the search has across all pages (counted only when asked for).")
    async def total_count(self) -> int:
        return await self._count()

    @strawberry.field(description="The records found on this page, without cursors or matches.")
    def nodes(self) -> list[SearchResult]:
        return [edge.node for edge in self.edges]
