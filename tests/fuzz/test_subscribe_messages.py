"""Generated `subscribe` messages over graphql-transport-ws against a live server, on SQLite and PostgreSQL: what
schemathesis does for POST /graphql (tests/fuzz/test_schemathesis.py), done for the socket.

Documents come from hypothesis-graphql (the library schemathesis builds GraphQL cases with), generated from the
contract's Subscription type, valid ones and ones with one violation, with generated variables and ids; around them,
generated envelopes (wrong types, missing ids, stray payloads, binary frames). Failing is what only a broken server
does: a message that is not graphql-transport-ws, an error without `extensions.code`, an error masked as "Unexpected
error." (a traceback in the log), a close code the protocol does not name, or a server that stops answering.

Bounded and reproducible: MAX_EXAMPLES messages per database, derandomized, no example database.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphql
import hypothesis_graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from tests.e2e.helpers import BACKENDS, LiveServer, running_server

MAX_EXAMPLES = 150
PROTOCOL = Subprotocol("graphql-transport-ws")
CONTRACT = Path(__file__).resolve().parents[2] / "schema.graphql"
CLOSE_CODES = {1000, 1011, 1013, 4400, 4403, 4406, 4408, 4409, 4429}
"""Normal closure, the store unavailable, too many sockets, and the protocol's own codes."""
KINDS = {"next", "error", "complete", "ping", "pong"}


def _subscriptions_as_queries() -> graphql.GraphQLSchema:
    """The contract with its Subscription type in the place of Query, which hypothesis-graphql knows how to fill."""
    contract = graphql.build_schema(CONTRACT.read_text(encoding="utf-8"))
    assert contract.subscription_type is not None
    return graphql.GraphQLSchema(query=contract.subscription_type, types=list(contract.type_map.values()))


def _as_subscription(document: graphql.DocumentNode) -> str:
    """The generated query, as the subscription it stands for."""
    printed = graphql.print_ast(document)
    return "subscription " + printed.removeprefix("query").lstrip()


def _string(value: str) -> graphql.StringValueNode:
    return graphql.StringValueNode(value=value)


ENTRY_IDS = st.one_of(
    st.integers(min_value=-3, max_value=2**31).map(lambda n: base64.b64encode(f"HistoryEntry:{n}".encode()).decode()),
    st.sampled_from(["SGlzdG9yeUVudHJ5OjA=", "", "HistoryEntry:1", base64.b64encode(b"Expulsion:1").decode()]),
    st.text(max_size=20),
)
SCALARS = {
    "Date": st.sampled_from(["2022-03-01", "2022-03", "2022", "1900-01-01", "9999-12-31", "2022-02-30", "x"]).map(_string),
    "DateTime": st.sampled_from(["2022-03-01T00:00:00Z", "bad"]).map(_string),
    "JSON": st.just(graphql.StringValueNode(value="{}")),
    "ID": ENTRY_IDS.map(_string),
}
SCHEMA = _subscriptions_as_queries()
DOCUMENTS = st.one_of(
    hypothesis_graphql.from_schema(SCHEMA, custom_scalars=SCALARS, print_ast=_as_subscription, allow_x00=False),
    hypothesis_graphql.from_schema(
        SCHEMA, custom_scalars=SCALARS, print_ast=_as_subscription, allow_x00=False, mode=hypothesis_graphql.Mode.NEGATIVE
    ),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
VARIABLES = st.one_of(
    st.none(),
    st.fixed_dictionaries({}, optional={"after": ENTRY_IDS, "least": st.integers(), "actor": st.text(max_size=4)}),
    JSON_VALUES,
)
SUBSCRIBES = st.builds(
    lambda id, query, variables, name: {
        "id": id,
        "type": "subscribe",
        "payload": {"query": query, "variables": variables, "operationName": name},
    },
    st.text(min_size=1, max_size=12),
    DOCUMENTS,
    VARIABLES,
    st.none() | st.text(max_size=8),
)
ENVELOPES = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["subscribe", "complete", "ping", "pong", "next", "connection_init", "x"])},
        optional={"id": JSON_VALUES, "payload": JSON_VALUES},
    ),
    JSON_VALUES,
)
MESSAGES = st.one_of(
    SUBSCRIBES.map(json.dumps),
    SUBSCRIBES.map(json.dumps),
    ENVELOPES.map(json.dumps),
    st.binary(max_size=30),
    st.text(max_size=30),
)


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(request.param, tmp_path_factory) as running:
        yield running


def _check(message: Any) -> None:
    """One message from the server, as graphql-transport-ws has it."""
    assert isinstance(message, dict), message
    assert message.get("type") in KINDS, message
    if message["type"] in {"next", "error", "complete"}:
        assert isinstance(message.get("id"), str), message
    if message["type"] == "next":
        payload = message["payload"]
        assert isinstance(payload, dict), message
        assert set(payload) <= {"data", "errors", "extensions"}, message
        assert "data" in payload or "errors" in payload, message
        errors = payload.get("errors") or []
    elif message["type"] == "error":
        errors = message["payload"]
        assert isinstance(errors, list), message
        assert errors, message
    else:
        errors = []
    for error in errors:
        assert isinstance(error.get("message"), str), message
        assert error["message"] != "Unexpected error.", message
        assert isinstance(error.get("extensions", {}).get("code"), str), message


async def _exchange(server: LiveServer, sent: str | bytes) -> None:
    async with connect(server.url.replace("http://", "ws://") + "/graphql", subprotocols=[PROTOCOL], open_timeout=10) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv()) == {"type": "connection_ack"}
        await socket.send(sent)
        await socket.send(json.dumps({"type": "ping", "payload": {"marker": True}}))
        try:
            async with asyncio.timeout(10):
                while True:  # up to the pong: every answer to what was sent, save events that may come later
                    message = json.loads(await socket.recv())
                    _check(message)
                    if message == {"type": "pong", "payload": {"marker": True}}:
                        break
            async with asyncio.timeout(0.15):  # a subscription refused as it starts answers a moment later
                while True:
                    _check(json.loads(await socket.recv()))
        except TimeoutError:
            pass
        except ConnectionClosed:
            assert socket.close_code in CLOSE_CODES, (socket.close_code, socket.close_reason)
            assert socket.close_code != 1011, socket.close_reason


def test_generated_subscribe_messages_get_well_formed_answers_with_codes(server: LiveServer) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    )
    @given(sent=MESSAGES)
    def exchange(sent: str | bytes) -> None:
        asyncio.run(_exchange(server, sent))

    exchange()
    assert server.alive()
    masked = [line for line in server.log if "Traceback" in line or "a subscription failed" in line]
    assert not masked, masked[:5]
