"""Which document a request runs, when it names one by hash or by name instead of (or as well as) sending its text.

- **Automatic persisted queries**, in Apollo's protocol: `extensions.persistedQuery = {version: 1, sha256Hash}`.
  A hash with no text runs the document stored under it, or is answered `PERSISTED_QUERY_NOT_FOUND` (message
  "PersistedQueryNotFound", HTTP 200, as Apollo Server answers, which Apollo's persisted-query link takes as "send the
  text"). A hash with its text is checked (`PERSISTED_QUERY_HASH_MISMATCH` when the text's SHA-256 is another), and
  the text is stored once the request has passed every limit of the gate.
- **Trusted documents**, registered by `demarche documents register`: named by Apollo's `sha256Hash`, by `documentId`
  (`sha256:<hex>` or `<hex>`), or by `operationName` alone. With `DEMARCHE_TRUSTED_DOCUMENTS_ONLY`, nothing else runs:
  text that is not a registered document's is `TRUSTED_DOCUMENT_REQUIRED`, a hash or name that is not registered
  `TRUSTED_DOCUMENT_NOT_FOUND`, and the automatic persisted queries are not used at all.

Both stores sit behind one in-process cache of texts by hash, bounded in entries and bytes, so a document a process
has seen costs no SQL statement; it marks the shared store's copy used again at most once a minute.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError

from domain.documents import HASH, PersistedQueries, TrustedDocuments, document_hash

log = logging.getLogger(__name__)

VERSION = 1
"""The version of Apollo's persisted-query extension this server speaks."""
NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
TOUCH_EVERY = 60.0
"""Seconds between two marks of a document as used in the shared store, by one process that keeps finding it itself."""


@dataclass(frozen=True, slots=True)
class Resolved:
    """The text a request runs, and how it named it."""

    query: str
    hash: str | None
    """The hash the request named its document by (None: it sent only text)."""
    to_keep: str | None = None
    """The hash to store `query` under once the request passed the gate (an automatic persisted query sent whole)."""


class DocumentRefused(Exception):
    """A request whose document cannot be found or may not run; `send_text` is Apollo's "send the document itself"
    (PERSISTED_QUERY_NOT_FOUND, PERSISTED_QUERY_NOT_SUPPORTED), which Apollo Server answers with HTTP 200."""

    def __init__(self, message: str, code: str, *, send_text: bool = False) -> None:
        super().__init__(message)
        self.error = GraphQLError(message, extensions={"code": code})
        self.code = code
        self.send_text = send_text

    def formatted(self) -> dict[str, Any]:
        """The error as a response lists it."""
        return {"message": self.error.message, "extensions": {"code": self.code}}


def _refused(message: str, code: str = "BAD_REQUEST") -> DocumentRefused:
    return DocumentRefused(message, code)


def _apq_hash(extensions: dict[str, Any] | None) -> str | None:
    """The hash of Apollo's persisted-query extension, checked; None when the request has none."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict):
        raise _refused("`extensions.persistedQuery` must be an object {version: 1, sha256Hash}")
    if persisted.get("version") != VERSION:
        raise _refused(f"only version {VERSION} of the persisted-query extension is supported", "PERSISTED_QUERY_NOT_SUPPORTED")
    hash = persisted.get("sha256Hash")
    if not isinstance(hash, str) or not HASH.fullmatch(hash.lower()):
        raise _refused("`extensions.persistedQuery.sha256Hash` must be the 64 hex digits of a SHA-256")
    return hash.lower()


def _document_id(document_id: object) -> str | None:
    """The hash a `documentId` names (`sha256:<hex>` or `<hex>`); None when the request has none."""
    if document_id is None:
        return None
    if not isinstance(document_id, str):
        raise _refused("`documentId` must be a string: `sha256:` and the 64 hex digits of a SHA-256")
    hash = document_id.lower().removeprefix("sha256:")
    if not HASH.fullmatch(hash):
        raise _refused("`documentId` must be `sha256:` and the 64 hex digits of a SHA-256")
    return hash


class StoredDocuments:
    """Finds the document a request names, and keeps the automatic persisted queries it registers."""

    def __init__(
        self,
        persisted: PersistedQueries | None,
        trusted: TrustedDocuments,
        *,
        trusted_only: bool,
        entries: int,
        max_bytes: int,
    ) -> None:
        self.persisted = None if trusted_only else persisted
        """None while automatic persisted queries are off, and always in trusted-only mode."""
        self.trusted = trusted
        self.trusted_only = trusted_only
        self.entries = entries
        self.max_bytes = max_bytes
        self.max_document_bytes = max_bytes // 10
        """A document larger than this runs but is not kept: none may take more than a tenth of the store."""
        self._texts: OrderedDict[str, tuple[str, float]] = OrderedDict()
        """Texts by hash, with when this process last marked the shared copy used; least recently used first."""
        self._bytes = 0

    async def resolve(
        self, query: str | None, extensions: dict[str, Any] | None, document_id: object, operation_name: str | None
    ) -> Resolved:
        """The text a request runs; DocumentRefused when it names none that may run."""
        hash = _apq_hash(extensions)
        named = _document_id(document_id)
        if hash is not None and named is not None and hash != named:
            raise _refused("`documentId` and `extensions.persistedQuery.sha256Hash` name different documents")
        hash = hash or named
        if query and hash is not None and document_hash(query) != hash:
            message = f"the document's SHA-256 is {document_hash(query)}, not the {hash} the request names: send its own hash"
            raise _refused(message, "PERSISTED_QUERY_HASH_MISMATCH")
        if self.trusted_only:
            return await self._trusted_only(query, hash, operation_name)
        if query:
            keep = hash if hash is not None and named is None and self.persisted is not None else None
            return Resolved(query, hash, to_keep=keep)
        if hash is not None:
            found = await self._by_hash(hash)
            if found is not None:
                return Resolved(found, hash)
            if self.persisted is None and named is None:
                raise DocumentRefused("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED", send_text=True)
            raise DocumentRefused("PersistedQueryNotFound", NOT_FOUND, send_text=True)
        if operation_name:
            trusted = await self.trusted.by_name(operation_name)
            if trusted is not None:
                return Resolved(trusted.text, trusted.hash)
        raise _refused("No GraphQL query found in the request: `query` must be a non-empty string")

    async def _trusted_only(self, query: str | None, hash: str | None, operation_name: str | None) -> Resolved:
        if query:
            # A document sent whole (an automatic persisted query's registration too) runs only if it is a registered one.
            hash = hash or document_hash(query)
            if await self._by_hash(hash) is None:
                message = (
                    "this server runs only registered operations: send one's hash (`extensions.persistedQuery.sha256Hash` or "
                    "`documentId`) or its `operationName` instead of a document"
                )
                raise _refused(message, "TRUSTED_DOCUMENT_REQUIRED")
            return Resolved(query, hash)
        if hash is not None:
            found = await self._by_hash(hash)
            if found is None:
                raise _refused(f"no operation is registered with the hash {hash}", "TRUSTED_DOCUMENT_NOT_FOUND")
            return Resolved(found, hash)
        if operation_name:
            trusted = await self.trusted.by_name(operation_name)
            if trusted is None:
                raise _refused(f"no operation is registered under the name {operation_name[:200]!r}", "TRUSTED_DOCUMENT_NOT_FOUND")
            self._remember(trusted.hash, trusted.text, time.monotonic())
            return Resolved(trusted.text, trusted.hash)
        message = "this server runs only registered operations: name one by hash (`documentId`) or by `operationName`"
        raise _refused(message, "TRUSTED_DOCUMENT_REQUIRED")

    async def _by_hash(self, hash: str) -> str | None:
        """The text stored under `hash`: in this process's cache, else a trusted document, else an automatic one."""
        now = time.monotonic()
        cached = self._texts.get(hash)
        if cached is not None:
            text, touched = cached
            self._texts.move_to_end(hash)
            if self.persisted is not None and now - touched > TOUCH_EVERY:
                self._texts[hash] = (text, now)
                await self.persisted.touch(hash)
            return text
        trusted = await self.trusted.by_hash(hash)
        found = trusted.text if trusted is not None else None
        if found is None and self.persisted is not None:
            found = await self.persisted.find(hash)
        if found is not None:
            self._remember(hash, found, now)
        return found

    def _remember(self, hash: str, text: str, now: float) -> None:
        size = len(text)
        if size > self.max_document_bytes or hash in self._texts:
            return
        self._texts[hash] = (text, now)
        self._bytes += size
        while len(self._texts) > self.entries or self._bytes > self.max_bytes:
            _, (dropped, _) = self._texts.popitem(last=False)
            self._bytes -= len(dropped)

    async def keep(self, hash: str, text: str) -> None:
        """Store an automatic persisted query that passed the gate (one over a tenth of the store runs but is not kept)."""
        if self.persisted is None or len(text.encode("utf-8", "surrogatepass")) > self.max_document_bytes:
            return
        if hash in self._texts:
            return  # stored already, by this process; the shared copy was marked used when it was
        await self.persisted.keep(hash, text)
        self._remember(hash, text, time.monotonic())
