"""What the response cache trusts: the change signal while it is live, the record version read from the store while it is deaf."""

from __future__ import annotations

from typing import Any

from starlette.types import Message

from api.graphql.schema import build_schema
from api.http.cache import ResponseCache
from api.http.requests import GATED, Call
from persistence.live.changes import ChangeSignal
from tests.api.asgi import no_body

SCHEMA = build_schema()
QUERY = "query Q { __typename }"


class Record:
    """An answer that changes with every write, and a record version whose reads are counted."""

    def __init__(self) -> None:
        self.writes = 0
        self.version_reads = 0
        self.store_down = False

    async def app(self, _scope: Any, _receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"data":{"writes":%d}}' % self.writes})

    async def version(self) -> int:
        self.version_reads += 1
        if self.store_down:
            raise OSError("the store is down")
        return self.writes


async def ask(cache: ResponseCache, headers: list[tuple[bytes, bytes]] | None = None) -> tuple[bytes, bool]:
    """The body answered, and whether it came from the cache."""
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "headers": headers or [], "state": {GATED: Call(QUERY, None, None, None)}}
    await cache(scope, no_body, send)
    hit = (b"x-demarche-cache", b"hit") in sent[0]["headers"]
    return sent[1]["body"], hit


def cache_of(record: Record, signal: ChangeSignal) -> ResponseCache:
    return ResponseCache(record.app, record.version, SCHEMA.documents, signal=signal, entries=100, max_bytes=1_000_000)


async def test_while_the_signal_is_live_a_hit_reads_no_version_and_a_change_heard_makes_the_next_answer_fresh() -> None:
    record, signal = Record(), ChangeSignal()
    cache = cache_of(record, signal)
    assert await ask(cache) == (b'{"data":{"writes":0}}', False)
    assert await ask(cache) == (b'{"data":{"writes":0}}', True)
    record.writes += 1
    signal.changed()
    assert await ask(cache) == (b'{"data":{"writes":1}}', False)
    assert await ask(cache) == (b'{"data":{"writes":1}}', True)
    assert record.version_reads == 0


async def test_while_the_signal_is_deaf_every_request_reads_the_version_so_an_unheard_write_is_never_served_stale() -> None:
    record, signal = Record(), ChangeSignal()
    cache = cache_of(record, signal)
    await ask(cache)
    signal.deaf()
    assert await ask(cache) == (b'{"data":{"writes":0}}', False)
    assert await ask(cache) == (b'{"data":{"writes":0}}', True)
    record.writes += 1  # written elsewhere, unheard
    assert await ask(cache) == (b'{"data":{"writes":1}}', False)
    assert record.version_reads == 3
    signal.hearing()
    assert await ask(cache) == (b'{"data":{"writes":1}}', False)  # an answer cached while deaf is not taken for a heard one
    assert await ask(cache) == (b'{"data":{"writes":1}}', True)
    assert record.version_reads == 3


async def test_while_deaf_with_the_store_down_the_cache_is_bypassed() -> None:
    record, signal = Record(), ChangeSignal()
    cache = cache_of(record, signal)
    await ask(cache)
    signal.deaf()
    record.store_down = True
    record.writes += 1
    assert await ask(cache) == (b'{"data":{"writes":1}}', False)
    assert await ask(cache) == (b'{"data":{"writes":1}}', False)


async def test_an_answer_made_while_a_change_is_heard_is_kept_under_the_generation_it_began_in() -> None:
    record, signal = Record(), ChangeSignal()

    async def slow_app(scope: Any, receive: Any, send: Any) -> None:
        answer = record.writes  # read before the change...
        record.writes += 1
        signal.changed()  # ...heard while the answer is still being made
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"data":{"writes":%d}}' % answer})

    cache = ResponseCache(slow_app, record.version, SCHEMA.documents, signal=signal, entries=100, max_bytes=1_000_000)
    assert await ask(cache) == (b'{"data":{"writes":0}}', False)
    assert (await ask(cache))[1] is False  # the first answer was stale by the time it was made: it is never a hit


async def test_a_request_that_names_a_write_to_read_after_is_never_answered_from_the_cache() -> None:
    # The write it names may be one this process has not heard of yet: no answer filed so far may be trusted to hold it.
    record, signal = Record(), ChangeSignal()
    cache = cache_of(record, signal)
    assert await ask(cache) == (b'{"data":{"writes":0}}', False)
    record.writes += 1  # written elsewhere, not yet heard here
    after = [(b"demarche-read-after", b"0/16B3A28")]
    assert await ask(cache, after) == (b'{"data":{"writes":1}}', False)
    assert await ask(cache, after) == (b'{"data":{"writes":1}}', False)
    assert await ask(cache) == (b'{"data":{"writes":0}}', True)  # unheard, as without the header: the notification window
