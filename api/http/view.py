"""The GraphQL view: Strawberry's ASGI view, behind the gate, with a fresh context (and fresh loaders) per request.

It takes the request the gate already read and measured from the ASGI scope (api.http.requests.gated), answers a
query from its compiled plan where it has one, and says where a write left the store (`Demarche-Written-At`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cross_web import StarletteRequestAdapter
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from api.compiled.reads import CompiledJson, CompiledReads
from api.graphql.as_of import ARGUMENT, described, requested_instant
from api.graphql.context import Context
from api.graphql.schema import build_schema
from api.http import graphiql
from api.http.cache import READ_AFTER_HEADER
from api.http.requests import gated
from api.settings import Settings
from domain.errors import DomainError
from domain.record.catalogue import StateCatalogue
from domain.store import RecordStore

WRITTEN_AT = "Demarche-Written-At"
"""Response header of a write, with a replica in use: the primary's WAL position the write reached."""
READ_AFTER = READ_AFTER_HEADER.decode()
"""Request header: read nothing older than this WAL position (a `Demarche-Written-At` the client was given); such a
request is never answered from the response cache."""


@dataclass(frozen=True, slots=True)
class Positions:
    """How the store's positions are written in a header and read back (the composition root gives the SQL store's)."""

    read: Callable[[str], int]
    """A position from its text; ValueError for a text that is none."""
    write: Callable[[int], str]
    latest: int
    """What a header that names no position asks for: the latest write (the primary)."""

    def after(self, header: str | None) -> int:
        """The position a request asks to read after (0: none)."""
        if header is None:
            return 0
        try:
            return self.read(header)
        except ValueError:
            return self.latest


class GatedRequest(StarletteRequestAdapter):
    """Strawberry's view of a Starlette request, with the request the gate read."""

    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self.call = gated(request.scope)


class DemarcheGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with a fresh context (and fresh loaders) per request."""

    request_adapter_class = GatedRequest

    def __init__(self, settings: Settings, uow_factory: RecordStore, catalogue: StateCatalogue, positions: Positions) -> None:
        schema = build_schema(
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            page_default=settings.max_page_size,
            tracing=settings.tracing,
            introspection=settings.introspection,
        )
        # Strawberry's own websocket protocols stay off: subscriptions are served by api/live/sockets.py, held to the gate's limits.
        # The IDE stays declared so that a browser reaches render_graphql_ide, which says so when GraphiQL is off.
        super().__init__(schema, graphql_ide="graphiql", subscription_protocols=())
        self.documents = schema.documents
        self.compiled = CompiledReads(schema) if settings.compiled_reads else None
        self.settings = settings
        self.uow_factory = uow_factory
        self.catalogue = catalogue
        self.positions = positions

    async def render_graphql_ide(self, request: Request) -> Response:
        """Demarche's own GraphiQL, which loads nothing from outside this server (see api/http/graphiql.py); with
        DEMARCHE_GRAPHIQL=false, a 404 that says how to ask instead."""
        if not self.settings.graphiql:
            message = "no IDE is served here (DEMARCHE_GRAPHIQL=false): send GraphQL requests by POST, or by GET with ?query=\n"
            return PlainTextResponse(message, status_code=404, headers={"Cache-Control": "no-cache"})
        return graphiql.page()

    async def get_context(self, request: Request | WebSocket, response: object) -> Context:
        call = gated(request.scope)
        prepared = None if call is None else self.documents.prepare(call.query)
        writing = prepared is not None and not prepared.only_queries
        as_of: datetime | DomainError | None = None
        if call is not None and prepared is not None and prepared.document is not None and not prepared.errors and not writing:
            try:
                as_of = requested_instant(self.documents.schema, prepared.document, call.operation_name, call.variables)
            except DomainError as error:
                as_of = error
        context = await Context.for_request(
            self.uow_factory,
            self.catalogue,
            self.settings,
            request.headers.get("authorization"),
            read_after=self.positions.after(request.headers.get(READ_AFTER)),
            primary=writing,
            as_of=as_of,
        )
        context.cost = None if call is None else call.cost
        return context

    async def parse_http_body(self, request_adapter: Any) -> Any:
        """The request the gate already read and checked; the body is not parsed twice."""
        call = request_adapter.call if isinstance(request_adapter, GatedRequest) else None
        if call is None:
            return await super().parse_http_body(request_adapter)
        return GraphQLRequestData(
            query=call.query,
            variables=call.variables,
            operation_name=call.operation_name,
            extensions=call.extensions,
            protocol="http",
        )

    async def execute_single(
        self, request: Any, request_adapter: Any, sub_response: Any, context: Context, root_value: Any, request_data: Any
    ) -> Any:
        """Answer a query from its compiled plan where it has one; else run it through the executor."""
        if self.compiled is not None and request_data.protocol == "http":
            data = await self.compiled.answer(request_data.query, request_data.variables, request_data.operation_name, context)
            if data is not None:
                sub_response.headers["x-demarche-read"] = "compiled"
                extensions: dict[str, Any] = {} if context.cost is None else {"cost": context.cost}
                if context.instant is not None:
                    extensions[ARGUMENT] = described(context.instant)
                return ExecutionResult(data=data, errors=None, extensions=extensions or None)  # type: ignore[arg-type]  # encode_json writes it out
        return await super().execute_single(request, request_adapter, sub_response, context, root_value, request_data)

    def encode_json(self, data: object) -> str | bytes:
        """Compiled data goes out as the database wrote it; everything else is encoded as usual."""
        if isinstance(data, dict) and isinstance(data.get("data"), CompiledJson) and set(data) <= {"data", "extensions"}:
            compiled: str = data["data"]
            extensions = data.get("extensions")
            tail = "" if not extensions else ',"extensions":' + json.dumps(extensions, separators=(",", ":"))
            return '{"data":' + compiled + tail + "}"
        if isinstance(data, list) and any(isinstance(item, dict) and isinstance(item.get("data"), CompiledJson) for item in data):
            parts = [self.encode_json(item) for item in data]
            return "[" + ",".join(part.decode() if isinstance(part, bytes) else part for part in parts) + "]"
        encoded: str | bytes = super().encode_json(data)
        return encoded

    async def execute_operation(
        self, request: Any, request_adapter: Any, request_data: Any, context: Context, root_value: Any, sub_response: Any
    ) -> Any:
        """Run the operation, then hand the request's read connection back to the pool."""
        try:
            return await super().execute_operation(request, request_adapter, request_data, context, root_value, sub_response)
        finally:
            await context.reads.close()
            written = context.uow_factory.note.position if context.uow_factory.note is not None else None
            if written is not None:
                sub_response.headers[WRITTEN_AT] = self.positions.write(written)
