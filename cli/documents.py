"""`demarche documents register|list`: the trusted documents, the operations a locked-down server runs
(DEMARCHE_TRUSTED_DOCUMENTS_ONLY=true), registered from `.graphql` files."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from api.settings import Settings
from cli.common import database


def _register(settings: Settings, args: argparse.Namespace) -> int:
    from api.documents.operations import Problem, checked, operations_of
    from api.graphql.schema import build_schema
    from domain.documents import TrustedDocument
    from persistence.sql.documents import SqlTrustedDocuments

    found: dict[str, TrustedDocument] = {}
    sources: dict[str, str] = {}
    problems: list[Problem] = []
    for name in args.files:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(name, f"cannot be read: {error}"))
            continue
        operations, wrong = operations_of(text, name)
        problems.extend(wrong)
        for operation in operations:
            found.setdefault(operation.hash, operation)
            sources.setdefault(operation.hash, name)
    schema = build_schema(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        page_default=settings.max_page_size,
    )
    problems.extend(checked(found.values(), schema.documents, sources))
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"nothing was registered: {len(problems)} problem(s)", file=sys.stderr)
        return 1

    async def run() -> list[TrustedDocument]:
        async with database(settings) as engine:
            return await SqlTrustedDocuments(engine).register(list(found.values()))

    added = {document.hash for document in asyncio.run(run())}
    for document in found.values():
        print(f"{'registered' if document.hash in added else 'already registered'}\t{document.name}\tsha256:{document.hash}")
    print(f"{len(added)} operation(s) registered, {len(found) - len(added)} already were", file=sys.stderr)
    return 0


def _manifest(documents: list[Any]) -> dict[str, Any]:
    """Apollo's persisted query manifest of the registered operations (what `generatePersistedQueryIdsFromManifest` reads)."""
    from graphql import OperationDefinitionNode, parse

    operations = []
    for document in documents:
        kind = next(d.operation.value for d in parse(document.text).definitions if isinstance(d, OperationDefinitionNode))
        operations.append({"id": document.hash, "name": document.name, "type": kind, "body": document.text})
    return {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}


def _list(settings: Settings, args: argparse.Namespace) -> int:
    from persistence.sql.documents import SqlTrustedDocuments

    async def run() -> list[Any]:
        async with database(settings) as engine:
            return await SqlTrustedDocuments(engine).listed()

    documents = asyncio.run(run())
    if args.manifest:
        print(json.dumps(_manifest(documents), indent=2))
        return 0
    for document in documents:
        print(f"{document.name}\tsha256:{document.hash}\tregistered {document.registered_at:%Y-%m-%d %H:%M:%S}")
    return 0


def register(commands: Any) -> None:
    """Add `documents register|list` to the `demarche` command."""
    documents = commands.add_parser(
        "documents", help="register or list trusted documents, the operations a locked-down server runs (DEMARCHE_DATABASE_URL)"
    )
    actions = documents.add_subparsers(dest="documents_command", required=True)
    adding = actions.add_parser(
        "register",
        help=(
            "register every named operation of the files (each with the fragments it uses), checked against the schema; "
            "all or nothing, and again is harmless"
        ),
    )
    adding.add_argument("files", nargs="+", metavar="FILE", help="a .graphql file of named operations and fragments")
    adding.set_defaults(run=_register)
    listing = actions.add_parser("list", help="list the registered operations: name, hash, when")
    listing.add_argument("--manifest", action="store_true", help="print them as Apollo's persisted query manifest (JSON)")
    listing.set_defaults(run=_list)
