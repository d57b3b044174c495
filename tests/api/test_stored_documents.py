"""Which document a request runs when it names one (api/documents/stored.py), on in-memory stores: each process's own
cache stays within its bounds and spares the shared store, and every way of naming a document resolves or is refused
with its code."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from api.documents.stored import DocumentRefused, StoredDocuments
from domain.documents import TrustedDocument, document_hash


class Persisted:
    """The shared store of automatic persisted queries, in a dict, counting its lookups."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.finds = 0
        self.touches = 0

    async def find(self, hash: str) -> str | None:
        self.finds += 1
        return self.texts.get(hash)

    async def touch(self, hash: str) -> None:
        self.touches += 1

    async def keep(self, hash: str, text: str) -> None:
        self.texts[hash] = text

    async def count(self) -> tuple[int, int]:
        return len(self.texts), sum(len(text) for text in self.texts.values())


class Trusted:
    def __init__(self, *documents: TrustedDocument) -> None:
        self.documents = list(documents)

    async def by_hash(self, hash: str) -> TrustedDocument | None:
        return next((d for d in self.documents if d.hash == hash), None)

    async def by_name(self, name: str) -> TrustedDocument | None:
        return next((d for d in reversed(self.documents) if d.name == name), None)

    async def register(self, documents: Sequence[TrustedDocument]) -> list[TrustedDocument]:
        self.documents.extend(documents)
        return list(documents)

    async def listed(self) -> list[TrustedDocument]:
        return list(self.documents)


def apq(hash: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": hash}}


TEXT = "query Few { __typename }"
REGISTERED = TrustedDocument(document_hash(TEXT), "Few", TEXT)


async def test_a_document_found_once_is_found_again_without_the_shared_store() -> None:
    shared = Persisted()
    stored = StoredDocuments(shared, Trusted(), trusted_only=False, entries=10, max_bytes=100_000)
    hash = document_hash("{ __typename }")
    resolved = await stored.resolve("{ __typename }", apq(hash), None, None)
    assert resolved.to_keep == hash
    await stored.keep(hash, resolved.query)
    assert shared.texts == {hash: "{ __typename }"}
    for _ in range(5):
        assert (await stored.resolve(None, apq(hash), None, None)).query == "{ __typename }"
    assert shared.finds == 0


async def test_the_process_cache_keeps_only_its_bound_of_entries() -> None:
    shared = Persisted()
    stored = StoredDocuments(shared, Trusted(), trusted_only=False, entries=2, max_bytes=100_000)
    texts = [f"query Q{n} {{ __typename }}" for n in range(3)]
    for text in texts:
        await stored.keep(document_hash(text), text)
    for text in reversed(texts):
        await stored.resolve(None, apq(document_hash(text)), None, None)
    assert shared.finds == 1  # the first went from the process's cache (the shared store still had it), the last two did not


async def test_a_document_over_a_tenth_of_the_bytes_runs_but_is_not_kept() -> None:
    shared = Persisted()
    stored = StoredDocuments(shared, Trusted(), trusted_only=False, entries=10, max_bytes=1000)
    text = "#" + "x" * 200 + "\n{ __typename }"
    await stored.keep(document_hash(text), text)
    assert shared.texts == {}
    with pytest.raises(DocumentRefused) as refused:
        await stored.resolve(None, apq(document_hash(text)), None, None)
    assert refused.value.send_text


@pytest.mark.parametrize(
    ("query", "extensions", "document_id", "name", "code"),
    [
        (None, apq("0" * 64), None, None, "PERSISTED_QUERY_NOT_FOUND"),
        ("{ __typename }", apq("0" * 64), None, None, "PERSISTED_QUERY_HASH_MISMATCH"),
        (None, {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}}, None, None, "PERSISTED_QUERY_NOT_SUPPORTED"),
        (None, apq("XYZ"), None, None, "BAD_REQUEST"),
        (None, apq("0" * 64), "sha256:" + "1" * 64, None, "BAD_REQUEST"),
        (None, None, 42, None, "BAD_REQUEST"),
        (None, None, None, "Unknown", "BAD_REQUEST"),
    ],
)
async def test_each_way_of_naming_a_document_wrongly_has_its_code(
    query: str | None, extensions: dict[str, object] | None, document_id: object, name: str | None, code: str
) -> None:
    stored = StoredDocuments(Persisted(), Trusted(REGISTERED), trusted_only=False, entries=10, max_bytes=100_000)
    with pytest.raises(DocumentRefused) as refused:
        await stored.resolve(query, extensions, document_id, name)
    assert refused.value.code == code


async def test_a_registered_operation_runs_by_hash_by_document_id_and_by_name_in_any_mode() -> None:
    for trusted_only in (False, True):
        stored = StoredDocuments(Persisted(), Trusted(REGISTERED), trusted_only=trusted_only, entries=10, max_bytes=100_000)
        assert (await stored.resolve(None, apq(REGISTERED.hash), None, None)).query == TEXT
        assert (await stored.resolve(None, None, f"sha256:{REGISTERED.hash.upper()}", None)).query == TEXT
        assert (await stored.resolve(None, None, REGISTERED.hash, None)).query == TEXT
        assert (await stored.resolve(None, None, None, "Few")).query == TEXT
        assert (await stored.resolve(TEXT, None, None, None)).to_keep is None


async def test_trusted_only_refuses_text_and_never_uses_the_automatic_store() -> None:
    shared = Persisted()
    other = "{ __typename }"
    shared.texts[document_hash(other)] = other
    stored = StoredDocuments(shared, Trusted(REGISTERED), trusted_only=True, entries=10, max_bytes=100_000)
    for query, extensions, name, code in [
        (other, None, None, "TRUSTED_DOCUMENT_REQUIRED"),
        (other, apq(document_hash(other)), None, "TRUSTED_DOCUMENT_REQUIRED"),
        (None, apq(document_hash(other)), None, "TRUSTED_DOCUMENT_NOT_FOUND"),
        (None, None, "Other", "TRUSTED_DOCUMENT_NOT_FOUND"),
        (None, None, None, "TRUSTED_DOCUMENT_REQUIRED"),
    ]:
        with pytest.raises(DocumentRefused) as refused:
            await stored.resolve(query, extensions, None, name)
        assert refused.value.code == code
    await stored.keep(document_hash(other), other)
    assert shared.finds == 0
    assert list(shared.texts) == [document_hash(other)]


async def test_with_automatic_persisted_queries_off_a_hash_alone_asks_for_the_document_and_nothing_is_kept() -> None:
    stored = StoredDocuments(None, Trusted(REGISTERED), trusted_only=False, entries=10, max_bytes=100_000)
    with pytest.raises(DocumentRefused) as refused:
        await stored.resolve(None, apq("0" * 64), None, None)
    assert (refused.value.code, refused.value.send_text) == ("PERSISTED_QUERY_NOT_SUPPORTED", True)
    assert (await stored.resolve("{ __typename }", apq(document_hash("{ __typename }")), None, None)).to_keep is None
    assert (await stored.resolve(None, apq(REGISTERED.hash), None, None)).query == TEXT  # registered operations still run
