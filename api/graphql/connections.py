"""Relay cursor connections over keyset pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.relay import PageInfo

from domain.read.pagination import Order, Page, PageRequest, decode_cursor, encode_cursor

T = TypeVar("T")


def page_request(
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    limit: int,
    order: Order = Order.ID,
    descending: bool = False,
) -> PageRequest:
    """A keyset page request from connection arguments, or `InvalidInput` naming the bad one."""
    return PageRequest(
        first=first,
        after=decode_cursor("after", after, order, descending),
        last=last,
        before=decode_cursor("before", before, order, descending),
        limit=limit,
        order=order,
        descending=descending,
    )


def page_info(page: Page[Any], cursors: list[str]) -> PageInfo:
    """The page's ends, from the cursors of its items in order."""
    return PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


@strawberry.type(description="One item of a connection with its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="Opaque cursor: pass it as `after` or `before` to page from this item.")


@strawberry.type(description="A page of items with Relay cursors; pages are found by key, so a deep page costs what the first does.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page, in the requested order.")
    page_info: PageInfo = strawberry.field(description="Cursors of the page's ends and whether more items lie beyond them.")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items match the filter across all pages (counted only when asked for).")
    async def total_count(self) -> int:
        return await self._count()

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def connection(page: Page[Any], request: PageRequest, build: Callable[[Any], T], count: Callable[[], Awaitable[int]]) -> Connection[T]:
    edges = [
        Edge(node=build(item), cursor=encode_cursor(key, request.order, request.descending))
        for item, key in zip(page.items, page.keys, strict=True)
    ]
    return Connection(edges=edges, page_info=page_info(page, [edge.cursor for edge in edges]), _count=count)
