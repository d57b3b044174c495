"""One failing root field costs only itself: root fields are nullable, so the others still answer.

The issue's case: several aliased root fields, one with a bad argument (`actor: "QQ"`), used to
turn the whole `data` into null.
"""

from __future__ import annotations

import httpx

from tests.e2e.helpers import LiveServer

MIXED = """
query {
  good: expulsions(actor: "PL") { totalCount }
  bad: expulsions(actor: "QQ") { totalCount }
  balance: bilateralBalance(between: ["PL", "QQ"]) { directions { actor { code } } }
  timeline(actor: "QQ") { buckets { start } }
  ranked: rankings(limit: 0) { actor { code } }
  thread: reciprocityThread(measureId: "garbage!!") { measures { id } }
  tokens { name }
  states(first: 1) { nodes { code } }
}
"""


def test_each_failing_root_field_is_null_with_its_own_error_and_the_others_answer(api: LiveServer) -> None:
    response = httpx.post(f"{api.url}/graphql", json={"query": MIXED}, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    data = body["data"]
    assert data["good"] == {"totalCount": 1}
    assert data["states"] == {"nodes": [{"code": data["states"]["nodes"][0]["code"]}]}
    failed = {"bad", "balance", "timeline", "ranked", "thread", "tokens"}
    assert {key for key, value in data.items() if value is None} == failed
    by_path = {error["path"][0]: error for error in body["errors"]}
    assert set(by_path) == failed
    assert by_path["bad"]["extensions"]["code"] == "NOT_FOUND"
    assert "QQ" in by_path["bad"]["message"]
    assert by_path["bad"]["extensions"]["argument"] == "actor"
    assert by_path["ranked"]["extensions"]["code"] == "BAD_USER_INPUT"
    assert by_path["ranked"]["extensions"]["argument"] == "limit"
    assert by_path["tokens"]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_compiled_answer_and_a_failing_field_in_one_query_still_give_the_good_part(api: LiveServer) -> None:
    query = '{ a: expulsions(actor: "RU") { nodes { headcount { value } } } b: expulsions(target: "QQ") { totalCount } }'
    body = httpx.post(f"{api.url}/graphql", json={"query": query}, timeout=30).json()
    assert body["data"]["b"] is None
    assert body["data"]["a"]["nodes"], body
    assert [error["path"] for error in body["errors"]] == [["b"]]
