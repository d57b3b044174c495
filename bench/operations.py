"""The GraphQL operations the benchmark measures, and how to find realistic arguments for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry import relay

from domain.read.pagination import Order, encode_cursor

PAGE = """
query Page($after: String) {
  expulsions(first: 50, after: $after, orderBy: ANNOUNCED) {
    edges { cursor node {
      id measureType headcount { qualifier value } announced { value precision }
      actor { code name } target { code name }
      people { name rank }
      statements { quote stance onBehalfOf { code } }
      citations { excerpt reportedHeadcount { qualifier value } source { publisher kind } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

THREAD = """
query Thread($id: ID!) {
  reciprocityThread(measureId: $id) {
    measures { id actor { code } target { code } announced { value } headcount { qualifier value } }
    steps { lagDays { min max } answeredHeadcount { value } answeringHeadcount { value } }
  }
}
"""

BALANCE = """
query Balance($between: [String!]!) {
  bilateralBalance(between: $between) {
    directions { actor { code } tally { measures knownHeadcount unknownMeasures lowerBoundMeasures }
                 firstMeasure { announced { value } } lastMeasure { announced { value } } }
    latestStatements { quote saidOn { value } }
  }
}
"""

SEARCH = """
query Search($text: String!) {
  statements(search: $text, first: 20) { edges { node { quote stance onBehalfOf { code } } } }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) { ... on Expulsion { id measureType actor { code } target { code } headcount { qualifier value } } }
}
"""


CREATE_WAVE = """
mutation Create($name: String!) {
  createWave(input: {name: $name}) { __typename ... on Wave { id version } }
}
"""


@dataclass(frozen=True, slots=True)
class Operation:
    """One measured request; `role` sends a bearer token of that role, `expect` must be in every answer."""

    name: str
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    role: str | None = None
    expect: bytes | None = None


async def operations(engine: AsyncEngine) -> list[Operation]:
    """The measured operations, with arguments picked from the loaded record."""
    async with engine.connect() as connection:
        count = (await connection.execute(text("SELECT count(*) FROM expulsion"))).scalar_one()
        deep = (
            await connection.execute(
                text("SELECT announced_start, id FROM expulsion ORDER BY announced_start, id LIMIT 1 OFFSET :skip"),
                {"skip": max(0, int(count * 0.9))},
            )
        ).one()
        answering = (
            await connection.execute(text("SELECT measure_id FROM expulsion_answer ORDER BY measure_id DESC LIMIT 1"))
        ).scalar_one()
        middle = (
            await connection.execute(text("SELECT id FROM expulsion ORDER BY id LIMIT 1 OFFSET :skip"), {"skip": count // 2})
        ).scalar_one()
    start = deep.announced_start if isinstance(deep.announced_start, str) else deep.announced_start.isoformat()
    cursor = encode_cursor((start, deep.id), Order.ANNOUNCED, False)
    return [
        Operation("page of 50, nested", PAGE),
        Operation("same page, 90% deep", PAGE, {"after": cursor}),
        Operation("reciprocity thread", THREAD, {"id": relay.to_base64("Expulsion", answering)}),
        Operation("bilateral balance RU-US", BALANCE, {"between": ["RU", "US"]}),
        Operation("full-text search", SEARCH, {"text": "expel diplomats"}),
        Operation("node lookup", NODE, {"id": relay.to_base64("Expulsion", middle)}),
        Operation("node lookup, reader token", NODE, {"id": relay.to_base64("Expulsion", middle)}, role="reader"),
        Operation("create a wave, editor token", CREATE_WAVE, {"name": "Benchmark wave"}, role="editor", expect=b'"Wave"'),
    ]
