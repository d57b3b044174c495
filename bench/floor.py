"""The floor: a bare Starlette route serving the benchmark's 50-item page from one hand-written
SQL query, serialised with orjson. Not part of the product; it shows what the page costs with
no GraphQL at all. Run: DEMARCHE_DATABASE_URL=... uvicorn bench.floor:app
"""

from __future__ import annotations

import os

import orjson
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


app = Starlette(routes=[Route("/floor", page, methods=["GET", "POST"])])
