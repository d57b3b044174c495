"""The `demarche` command: serve, load the demo record, print or check the schema."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from api.settings import Settings
from cli import db as cli_db
from cli import documents as cli_documents
from cli import exchange as cli_exchange
from cli import history as cli_history
from cli import tokens as cli_tokens
from cli.common import database

SCHEMA_FILE = Path("schema.graphql")


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from api.http.server import CannotListen, listening_sockets, serve_workers, server

    given = {"host": args.host, "port": args.port, "workers": args.workers, "trusted_proxies": args.trusted_proxies}
    settings = settings.model_copy(update={name: value for name, value in given.items() if value is not None})
    try:
        if settings.workers > 1:
            return serve_workers(settings, log_level=args.log_level)
        # Bound first: a busy port is said in one line before the database is opened, let alone migrated.
        sockets = listening_sockets(settings)
    except CannotListen as refused:
        print(f"demarche: {refused}", file=sys.stderr)
        return 1
    from api.app import create_app

    running = server(create_app(settings), settings, log_level=args.log_level)
    running.run(sockets=sockets)
    # As `uvicorn.run` does: exit 3 when the server never started.
    return 0 if running.started else 3


def _demo(settings: Settings, _args: argparse.Namespace) -> int:
    from domain.errors import DomainError
    from persistence.setup import prepare

    async def run() -> int:
        try:
            async with database(settings, prepared=False) as engine:
                report = await prepare(engine, load_demo=True, migrate=settings.migrate_on_start)
        except DomainError as error:
            print(f"the demo record was not loaded: {error.message}", file=sys.stderr)
            return 1
        if report is None:
            print("the record already holds measures; the demo record was not loaded again")
        else:
            print(
                f"loaded {report.measures} measures, {report.statements} statements, {report.sources} sources, {report.citations} citations"
            )
        return 0

    return asyncio.run(run())


def _published(schema_file: Path) -> dict[Path, str]:
    """Every file the schema is published as, by path, with the text the code gives it: the SDL clients call, the
    federation subgraph's SDL and the possibleTypes JSON, the last two beside the first."""
    from api.graphql.published import possible_types_json
    from api.graphql.schema import build_schema, client_schema, sdl, subgraph_sdl

    return {
        schema_file: sdl(),
        schema_file.with_name(f"{schema_file.stem}.subgraph.graphql"): subgraph_sdl(),
        schema_file.with_name(f"{schema_file.stem}.possible-types.json"): possible_types_json(client_schema(build_schema()._schema)),
    }


def _breaking_against(released: Path) -> int:
    from graphql import GraphQLError

    from api.graphql.published import changes_since
    from api.graphql.schema import build_schema, client_schema

    try:
        changes = changes_since(released.read_text(encoding="utf-8"), client_schema(build_schema()._schema))
    except (OSError, GraphQLError, TypeError) as error:
        print(f"{released} cannot be read as a GraphQL schema: {error}", file=sys.stderr)
        return 2
    for line in changes.lines():
        print(line)
    if changes.breaking:
        print(
            f"{len(changes.breaking)} breaking change(s) against {released}: deprecate with @deprecated(reason:) instead, "
            "or release the schema anew (docs/schema/CHANGELOG.md)",
            file=sys.stderr,
        )
        return 1
    print(f"no breaking change against {released} ({len(changes.dangerous)} dangerous)")
    return 0


def _schema(_settings: Settings, args: argparse.Namespace) -> int:
    if args.breaking_against is not None:
        return _breaking_against(Path(args.breaking_against))
    published = _published(Path(args.file))
    if args.check:
        stale = [path for path, text in published.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"{path} differs from the schema in the code; run `demarche schema --write`", file=sys.stderr)
        if stale:
            return 1
        print(f"{', '.join(map(str, published))} match the code")
        return 0
    if args.write:
        for path, text in published.items():
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
        return 0
    sdl, subgraph, possible = published.values()
    sys.stdout.write(subgraph if args.subgraph else possible if args.possible_types else sdl)
    return 0


def _workers(text: str) -> int:
    from api.settings import MAX_WORKERS

    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= count <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_WORKERS} worker processes, not {count}")
    return count


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port between 1 and 65535, not {port}")
    return port


def _proxies(text: str) -> str:
    from api.settings import proxy_list

    try:
        return proxy_list(text)
    except ValueError as wrong:
        raise argparse.ArgumentTypeError(str(wrong)) from None


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="demarche", description="A sourced record of diplomatic expulsions, served over GraphQL.")
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the GraphQL API (database from DEMARCHE_DATABASE_URL)")
    serve.add_argument("--host", help="address to listen on (default: DEMARCHE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=_port, help="port to listen on (default: DEMARCHE_PORT or 8000)")
    serve.add_argument(
        "--workers",
        type=_workers,
        help="worker processes (default: DEMARCHE_WORKERS or 1; more than 1 needs PostgreSQL)",
    )
    serve.add_argument(
        "--trusted-proxies",
        type=_proxies,
        metavar="ADDRESSES",
        help=(
            "comma-separated addresses or networks of the proxies whose X-Forwarded-For names the client "
            "(default: DEMARCHE_TRUSTED_PROXIES, empty: no forwarding header is believed)"
        ),
    )
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.set_defaults(run=_serve)
    demo = commands.add_parser("demo", help="load the March 2022 demo record into an empty record")
    demo.set_defaults(run=_demo)
    schema = commands.add_parser("schema", help="print the GraphQL schema (SDL), its federation subgraph or its possibleTypes")
    shown = schema.add_mutually_exclusive_group()
    shown.add_argument("--check", action="store_true", help="exit 1 when a published schema file differs from the code")
    shown.add_argument("--write", action="store_true", help="write the published schema files")
    shown.add_argument("--subgraph", action="store_true", help="print the Apollo Federation 2 subgraph SDL (schema.subgraph.graphql)")
    shown.add_argument("--possible-types", action="store_true", help="print the possibleTypes JSON (schema.possible-types.json)")
    shown.add_argument(
        "--breaking-against",
        metavar="FILE",
        help="list the breaking and dangerous changes from the schema in FILE to the code's; exit 1 on a breaking one",
    )
    schema.add_argument(
        "--file",
        default=str(SCHEMA_FILE),
        help="the schema file (default: schema.graphql); the subgraph and possibleTypes files are written and checked beside it",
    )
    schema.set_defaults(run=_schema)
    cli_db.register(commands)
    cli_exchange.register(commands)
    cli_tokens.register(commands)
    cli_documents.register(commands)
    cli_history.register(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError
    from sqlalchemy.exc import DBAPIError

    from persistence.sql.migrations import SchemaOutOfDate

    args = parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as wrong:
        for error in wrong.errors():
            name = "DEMARCHE_" + "_".join(str(part) for part in error["loc"][:1]).upper()
            print(f"demarche: {name}: {error['msg']}", file=sys.stderr)
        return 2
    try:
        code: int = args.run(settings, args)
    except SchemaOutOfDate as refused:
        print(f"demarche: {refused}", file=sys.stderr)
        return 1
    except DBAPIError as error:
        print(f"demarche: the database at DEMARCHE_DATABASE_URL failed: {error.orig or error}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
