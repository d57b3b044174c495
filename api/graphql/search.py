"""The root field that searches the whole record: measures, statements, citations and sources."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import strawberry

from api.graphql.connections import CURSOR, FIRST, page_info
from api.graphql.context import Info
from api.graphql.filtering import search_text
from api.graphql.types.expulsions import Expulsion
from api.graphql.types.search import SearchConnection, SearchHit, SearchKind
from api.graphql.types.statements import Citation, Source, Statement
from domain.ports import Repositories
from domain.read import search
from domain.read.pagination import Order, PageRequest, decode_cursor, encode_cursor

RECORDS: dict[search.SearchKind, tuple[Callable[[Repositories], Any], Callable[[Any], Any]]] = {
    search.SearchKind.EXPULSION: (lambda uow: uow.expulsions, Expulsion.from_domain),
    search.SearchKind.STATEMENT: (lambda uow: uow.statements, Statement.from_domain),
    search.SearchKind.CITATION: (lambda uow: uow.citations, Citation.from_domain),
    search.SearchKind.SOURCE: (lambda uow: uow.sources, Source.from_domain),
}
"""Where each kind of record found is read from, and its GraphQL type."""


@strawberry.type
class SearchQueries:
    @strawberry.field(
        description=(
            "Full-text search across the record: measures by stated reason, legal basis and reason category, statements by "
            "quote and translation, citations by excerpt, sources by title and publisher. A hit is one field of one record "
            "holding every word searched for (English stemming: 'spy' finds 'spies' and 'spying'); the text is read as plain "
            "words, never as query syntax. Most relevant first; a record matching in two fields is two hits."
        )
    )
    async def search(
        self,
        info: Info,
        text: Annotated[str, strawberry.argument(description="The words to find (at least one word; at most 500 characters).")],
        kinds: Annotated[
            list[SearchKind] | None, strawberry.argument(description="Only these kinds of record (default: every kind).")
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=CURSOR)] = None,
    ) -> SearchConnection | None:
        wanted = search_text(text)
        assert wanted is not None
        chosen = frozenset(kinds) if kinds is not None else None
        limit = info.context.settings.max_page_size
        request = PageRequest(first=first, after=decode_cursor("after", after, Order.RELEVANCE, False), limit=limit, order=Order.RELEVANCE)
        async with info.context.reads.use() as uow:
            searcher: search.RecordSearch = uow.search
            page = await searcher.find(wanted, chosen, request)
            records: dict[tuple[search.SearchKind, int], Any] = {}
            for kind, (repository, build) in RECORDS.items():
                ids = [hit.id for hit in page.items if hit.kind is kind]
                for id, entity in (await repository(uow).get_many(ids)).items():
                    records[(kind, id)] = build(entity)
        edges = [
            SearchHit(
                node=records[(hit.kind, hit.id)],
                cursor=encode_cursor(key, Order.RELEVANCE, False),
                matched_field=hit.field,
                snippet=hit.snippet,
                rank=hit.rank,
            )
            for hit, key in zip(page.items, page.keys, strict=True)
        ]

        async def count() -> int:
            async with info.context.reads.use() as uow:
                return await uow.search.count(wanted, chosen)

        return SearchConnection(edges=edges, page_info=page_info(page, [edge.cursor for edge in edges]), _count=count)
