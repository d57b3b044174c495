"""A response-cache hit costs no SQL statement at all: no record-version read, no token, no rate ledger (here, off).

On PostgreSQL, a write committed by another writer (another process, as far as this app can tell: a unit of work that
does not raise its signal) reaches the app through LISTEN/NOTIFY, and the next request answers fresh.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy.engine import Engine

from api.app import create_app
from api.settings import Settings
from domain.record.sources import Source, SourceKind
from domain.use_cases.statements import sources
from persistence.sql.engine import create_engine
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.api.counting import sql_sent
from tests.conftest import BACKENDS

QUERY = "query Sources { sources(first: 5) { totalCount } }"


async def ask(client: httpx.AsyncClient) -> tuple[int, bool]:
    response = await client.post("/graphql", json={"query": QUERY})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["sources"]["totalCount"], response.headers.get("x-demarche-cache") == "hit"


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
async def test_a_cache_hit_sends_no_sql_statement(database_url: str, backend: str) -> None:
    settings = Settings(database_url=database_url, load_demo=False, rate_limit=0, metrics=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        with sql_sent(Engine) as missed:
            assert await ask(client) == (0, False)
        assert missed, "a miss reads the record"
        with sql_sent(Engine) as hit:
            assert await ask(client) == (0, True)
        assert hit == []
        if backend != "postgresql":
            return
        # Another writer commits: only its notification can tell this app.
        other = create_engine(database_url)
        try:
            async with SqlUnitOfWorkFactory(other)() as uow:
                await sources.add(Source(publisher="Agency", title="Report", kind=SourceKind.WIRE_AGENCY), uow)
                await uow.commit()
        finally:
            await other.dispose()
        # The notification arrives a moment after the commit; until then the old answer is as current as the app can know.
        async with asyncio.timeout(5):
            while True:
                answer = await ask(client)
                if answer[0] == 1:
                    break
                await asyncio.sleep(0.01)
        assert answer == (1, False)
        with sql_sent(Engine) as hit:
            assert await ask(client) == (1, True)
        assert hit == []
