"""The composition root: settings in, a Starlette app serving GraphQL out."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Mount, Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionResult

from api.cache import ResponseCache
from api.compiled import CompiledJson, CompiledReads
from api.context import Context
from api.schema import build_schema
from api.settings import Settings
from persistence.catalogue import IsoStateCatalogue
from persistence.engine import create_engine, create_read_engine
from persistence.setup import prepare
from persistence.unit_of_work import SqlUnitOfWorkFactory


class DemarcheGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with a fresh context (and fresh loaders) per request."""

    def __init__(self, settings: Settings, units: SqlUnitOfWorkFactory) -> None:
        schema = build_schema(max_depth=settings.max_query_depth)
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None)
        self.compiled = CompiledReads(schema) if settings.compiled_reads else None
        self.settings = settings
        self.units = units
        self.catalogue = IsoStateCatalogue()

    async def get_context(self, request: Request | WebSocket, response: object) -> Context:
        return await Context.for_request(self.units, self.catalogue, self.settings, request.headers.get("authorization"))

    async def execute_single(
        self, request: Any, request_adapter: Any, sub_response: Any, context: Context, root_value: Any, request_data: Any
    ) -> Any:
        """Answer a query from its compiled plan where it has one; else run it through the executor."""
        if self.compiled is not None and request_data.protocol == "http":
            data = await self.compiled.answer(request_data.query, request_data.variables, request_data.operation_name, context)
            if data is not None:
                sub_response.headers["x-demarche-read"] = "compiled"
                return ExecutionResult(data=data, errors=None)  # type: ignore[arg-type]  # encode_json writes it out
        return await super().execute_single(
            request=request,
            request_adapter=request_adapter,
            sub_response=sub_response,
            context=context,
            root_value=root_value,
            request_data=request_data,
        )

    def encode_json(self, data: object) -> str | bytes:
        """Compiled data goes out as the database wrote it; everything else is encoded as usual."""
        if isinstance(data, dict) and isinstance(data.get("data"), CompiledJson) and len(data) == 1:
            compiled: str = data["data"]
            return '{"data":' + compiled + "}"
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
            return await super().execute_operation(
                request=request,
                request_adapter=request_adapter,
                request_data=request_data,
                context=context,
                root_value=root_value,
                sub_response=sub_response,
            )
        finally:
            await context.reads.close()


def create_app(settings: Settings) -> Starlette:
    """Build engine, unit-of-work factory, schema and routes from one settings object."""
    engine = create_engine(settings.database_url, pool_size=settings.pool_size)
    reads = create_read_engine(settings.database_url, pool_size=settings.pool_size)
    units = SqlUnitOfWorkFactory(engine, reads=reads)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await prepare(engine, load_demo=settings.load_demo, migrate=settings.migrate_on_start)
        yield
        await engine.dispose()
        if reads is not None:
            await reads.dispose()

    async def health(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def home(_request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    graphql = ResponseCache(DemarcheGraphQL(settings, units), units.record_version, entries=settings.response_cache)
    routes = [Route("/", home), Route("/health", health), Route("/graphql", graphql, methods=["GET", "POST"]), Mount("/graphql", graphql)]
    return Starlette(routes=routes, lifespan=lifespan)
