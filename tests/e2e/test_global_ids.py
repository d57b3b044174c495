"""A malformed global ID given to `node` or `nodes` is refused with a code, over HTTP on both databases; a well-formed
ID of no record is null, without an error."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import LiveServer, global_id

NODE = "query One($id: ID!) { node(id: $id) { id } }"
NODES = "query Several($ids: [ID!]!) { nodes(ids: $ids) { id } }"


@pytest.mark.parametrize("given", ["", "not base64!", "bad", global_id("Nope", 1)])
def test_a_malformed_id_is_refused_with_a_code_and_its_argument(api: LiveServer, given: str) -> None:
    for query, variables, argument in (
        (NODE, {"id": given}, "id"),
        (NODES, {"ids": [global_id("Wave", 1), given]}, "ids"),
        (f'{{ node(id: "{given}") {{ id }} }}', {}, "id"),
    ):
        body = api.graphql(query, variables, token=None)
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (query, body)
        assert error["extensions"]["argument"] == argument
        assert "Traceback" not in error["message"]


def test_a_well_formed_id_of_no_record_is_null_without_an_error(api: LiveServer) -> None:
    assert api.graphql(NODE, {"id": global_id("Wave", 987654)}, token=None) == {"data": {"node": None}, "extensions": {"cost": 1}}
    body = api.graphql(NODES, {"ids": [global_id("Wave", 987654)]}, token=None)
    assert body["data"] == {"nodes": [None]}
    assert "errors" not in body
