"""Relay cursor connections over keyset pages."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from strawberry.relay import PageInfo

from domain.read.pagination import Order, Page, PageRequest, decode_cursor, encode_cursor

T = TypeVar("T")
R = TypeVar("R", bound=Callable[..., Awaitable[Any]])

FIRST = "How many items to return from the start (or after `after`); at most the server's page size cap (100 by default)."
LAST = "How many items to return from the end (or before `before`); at most the page size cap."
CURSOR = "A cursor from an earlier page."
_PAGE_PARAMETERS = [
    inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[kind | None, strawberry.argument(description=text)]
    )
    for name, kind, text in (("first", int, FIRST), ("after", str, CURSOR), ("last", int, LAST), ("before", str, CURSOR))
]


@dataclass(frozen=True, slots=True)
class PageArguments:
    """A connection field's Relay arguments, as the caller gave them."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def request(self, *, limit: int, order: Order = Order.ID, descending: bool = False) -> PageRequest:
        return page_request(
            first=self.first, after=self.after, last=self.last, before=self.before, limit=limit, order=order, descending=descending
        )


def paged(resolver: R) -> R:
    """Give a connection field the Relay arguments `first`, `after`, `last` and `before`, after the resolver's own; the
    resolver receives them as one `page: PageArguments`."""
    signature = inspect.signature(resolver)
    own = [parameter for parameter in signature.parameters.values() if parameter.name != "page"]
    at = next((index for index, parameter in enumerate(own) if parameter.kind is parameter.VAR_KEYWORD), len(own))

    @functools.wraps(resolver)
    async def with_page(
        *args: Any, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None, **rest: Any
    ) -> Any:
        return await resolver(*args, page=PageArguments(first, after, last, before), **rest)

    with_page.__signature__ = signature.replace(parameters=[*own[:at], *_PAGE_PARAMETERS, *own[at:]])  # type: ignore[attr-defined]
    with_page.__annotations__ = {
        **{name: kind for name, kind in resolver.__annotations__.items() if name != "page"},
        **{parameter.name: parameter.annotation for parameter in _PAGE_PARAMETERS},
    }
    return with_page  # type: ignore[return-value]


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
