"""The floors: bare Starlette routes doing what a benchmarked request does, with no GraphQL at all.
Not part of the product; they show what the work itself costs on the same driver, pool and server.

- /floor serves the benchmark's 50-item page from one hand-written SQL query, serialised with orjson.
- /floor/write creates a wave as Demarche's `createWave` does, in one transaction: the bearer token checked
  (its SHA-256 digest looked up, an editor's or admin's, not revoked), the wave inserted, its history entry
  (who, when, the record after) appended, and the change signal sent (pg_notify on Demarche's channel, as
  persistence/write/unit_of_work.py does; on SQLite there is none). It takes no lock and bumps no shared
  counter: that is the transaction's own work, what a writer cannot skip.

Run: DEMARCHE_DATABASE_URL=... uvicorn bench.floor:app
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
from datetime import UTC, datetime

import orjson
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from persistence.sql.engine import create_engine

SQLITE_PAGE = """
SELECT json_object(
  'id', e.id, 'measureType', e.measure_type,
  'headcount', json_object('qualifier', e.headcount_qualifier, 'value', e.headcount_value),
  'announced', json_object('start', e.announced_start, 'precision', e.announced_precision),
  'actor', json((SELECT json_object('code', a.code, 'name', a.name) FROM actor a WHERE a.code = e.actor)),
  'target', json((SELECT json_object('code', a.code, 'name', a.name) FROM actor a WHERE a.code = e.target)),
  'people', json((SELECT json_group_array(json_object('name', d.name, 'rank', d.rank))
                  FROM expulsion_diplomat ed JOIN diplomat d ON d.id = ed.diplomat_id WHERE ed.measure_id = e.id)),
  'statements', json((SELECT json_group_array(json_object('quote', s.quote, 'stance', s.stance,
                                                          'onBehalfOf', json_object('code', s.on_behalf_of)))
                      FROM statement_measure sm JOIN statement s ON s.id = sm.statement_id WHERE sm.measure_id = e.id)),
  'citations', json((SELECT json_group_array(json_object('excerpt', c.excerpt,
                       'reportedHeadcount', json_object('qualifier', c.headcount_qualifier, 'value', c.headcount_value),
                       'source', json_object('publisher', src.publisher, 'kind', src.kind)))
                     FROM citation c JOIN source src ON src.id = c.source_id WHERE c.measure_id = e.id))
) FROM expulsion e ORDER BY e.announced_start, e.id LIMIT 50
"""

POSTGRES_PAGE = """
SELECT json_build_object(
  'id', e.id, 'measureType', e.measure_type,
  'headcount', json_build_object('qualifier', e.headcount_qualifier, 'value', e.headcount_value),
  'announced', json_build_object('start', e.announced_start, 'precision', e.announced_precision),
  'actor', (SELECT json_build_object('code', a.code, 'name', a.name) FROM actor a WHERE a.code = e.actor),
  'target', (SELECT json_build_object('code', a.code, 'name', a.name) FROM actor a WHERE a.code = e.target),
  'people', coalesce((SELECT json_agg(json_build_object('name', d.name, 'rank', d.rank))
                      FROM expulsion_diplomat ed JOIN diplomat d ON d.id = ed.diplomat_id WHERE ed.measure_id = e.id), '[]'),
  'statements', coalesce((SELECT json_agg(json_build_object('quote', s.quote, 'stance', s.stance,
                                                            'onBehalfOf', json_build_object('code', s.on_behalf_of)))
                          FROM statement_measure sm JOIN statement s ON s.id = sm.statement_id WHERE sm.measure_id = e.id), '[]'),
  'citations', coalesce((SELECT json_agg(json_build_object('excerpt', c.excerpt,
                           'reportedHeadcount', json_build_object('qualifier', c.headcount_qualifier, 'value', c.headcount_value),
                           'source', json_build_object('publisher', src.publisher, 'kind', src.kind)))
                         FROM citation c JOIN source src ON src.id = c.source_id WHERE c.measure_id = e.id), '[]')
)::text FROM expulsion e ORDER BY e.announced_start, e.id LIMIT 50
"""

engine = create_engine(os.environ.get("DEMARCHE_DATABASE_URL", "sqlite:///demarche.db"))
PAGE = SQLITE_PAGE if engine.dialect.name == "sqlite" else POSTGRES_PAGE


async def page(_request: Request) -> Response:
    async with engine.connect() as connection:
        rows = (await connection.exec_driver_sql(PAGE)).all()
    edges = [{"node": orjson.Fragment(row[0])} for row in rows]
    return Response(orjson.dumps({"data": {"expulsions": {"edges": edges}}}), media_type="application/json")


CHANNEL = "demarche_changes"
WRITER = f"{socket.gethostname()[:64]}:{os.getpid()}"
TOKEN = text("SELECT name FROM api_token WHERE digest = :digest AND revoked_at IS NULL AND role IN ('editor', 'admin')")
INSERT_WAVE = text("INSERT INTO wave (version, name, description) VALUES (1, :name, NULL) RETURNING id")
INSERT_ENTRY = text(
    "INSERT INTO history (at, author, action, entity, record_id, version, before, after, reason) "
    "VALUES (:at, :author, 'create', 'Wave', :id, 1, 'null', :after, NULL) RETURNING id"
)
NOTIFY = text("SELECT pg_notify(:channel, json_build_object('writer', CAST(:writer AS text), 'entry', CAST(:entry AS integer))::text)")


def _refused(status: int, message: str) -> Response:
    return Response(orjson.dumps({"errors": [{"message": message}]}), status_code=status, media_type="application/json")


async def create_wave(request: Request) -> Response:
    """The body is the benchmark's createWave request ({"variables": {"name": ...}}); the answer has its shape."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return _refused(401, "a bearer token is needed")
    try:
        name = orjson.loads(await request.body())["variables"]["name"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return _refused(400, 'expected {"variables": {"name": ...}}')
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        return _refused(400, "name: 1 to 200 characters")
    digest = hashlib.sha256(secret.encode()).hexdigest()
    async with engine.begin() as connection:
        author = (await connection.execute(TOKEN, {"digest": digest})).scalar_one_or_none()
        if author is None:
            return _refused(403, "an editor's token is needed")
        wave = (await connection.execute(INSERT_WAVE, {"name": name})).scalar_one()
        after = orjson.dumps({"name": name, "description": None, "id": wave}).decode()
        values = {"at": datetime.now(UTC), "author": author, "id": wave, "after": after}
        entry = (await connection.execute(INSERT_ENTRY, values)).scalar_one()
        if engine.dialect.name == "postgresql":
            await connection.execute(NOTIFY, {"channel": CHANNEL, "writer": WRITER, "entry": entry})
    node = base64.b64encode(f"Wave:{wave}".encode()).decode()
    return Response(orjson.dumps({"data": {"createWave": {"__typename": "Wave", "id": node, "version": 1}}}), media_type="application/json")


app = Starlette(routes=[Route("/floor", page, methods=["GET", "POST"]), Route("/floor/write", create_wave, methods=["POST"])])
