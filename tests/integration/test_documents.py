"""The stored documents' adapters on SQLite and PostgreSQL: the automatic persisted queries stay within both bounds,
the least recently used going first, and the trusted documents register once by hash and are found by hash or name."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.documents import TrustedDocument, document_hash
from persistence.sql.documents import SqlPersistedQueries, SqlTrustedDocuments


def document(n: int, size: int = 0) -> tuple[str, str]:
    text = f"# {'x' * size}\nquery Q{n} {{ __typename }}"
    return document_hash(text), text


async def test_the_persisted_queries_stay_within_their_count_the_least_recently_used_going_first(engine: AsyncEngine) -> None:
    store = SqlPersistedQueries(engine, entries=3, max_bytes=1_000_000)
    kept = [document(n) for n in range(4)]
    for hash, text in kept[:3]:
        await store.keep(hash, text)
        await asyncio.sleep(0.002)
    assert await store.find(kept[0][0]) == kept[0][1]  # used again: now the most recent
    await asyncio.sleep(0.002)
    await store.keep(*kept[3])
    assert await store.find(kept[1][0]) is None  # the least recently used went
    assert [await store.find(hash) is not None for hash, _ in (kept[0], kept[2], kept[3])] == [True, True, True]
    assert (await store.count())[0] == 3


async def test_the_persisted_queries_stay_within_their_bytes(engine: AsyncEngine) -> None:
    store = SqlPersistedQueries(engine, entries=1000, max_bytes=10_000)
    kept = [document(n, size=3000) for n in range(5)]
    for hash, text in kept:
        await store.keep(hash, text)
        await asyncio.sleep(0.002)
    count, size = await store.count()
    assert count == 3
    assert size <= 10_000
    assert [await store.find(hash) is not None for hash, _ in kept] == [False, False, True, True, True]


async def test_keeping_a_document_twice_stores_it_once(engine: AsyncEngine) -> None:
    store = SqlPersistedQueries(engine, entries=10, max_bytes=100_000)
    hash, text = document(1)
    await store.keep(hash, text)
    await store.keep(hash, text)
    assert (await store.count())[0] == 1


async def test_trusted_documents_register_once_and_are_found_by_hash_or_by_the_latest_name(engine: AsyncEngine) -> None:
    trusted = SqlTrustedDocuments(engine)
    first = TrustedDocument(document_hash("query A { __typename }"), "A", "query A { __typename }")
    again = await trusted.register([first])
    assert [d.hash for d in again] == [first.hash]
    assert await trusted.register([first]) == []
    await asyncio.sleep(0.01)
    newer = TrustedDocument(document_hash("query A { __typename __typename }"), "A", "query A { __typename __typename }")
    await trusted.register([newer])
    found = await trusted.by_hash(first.hash)
    assert found is not None
    assert found.text == first.text
    latest = await trusted.by_name("A")
    assert latest is not None
    assert latest.hash == newer.hash
    assert await trusted.by_name("B") is None
    assert [d.hash for d in await trusted.listed()] == [first.hash, newer.hash]
