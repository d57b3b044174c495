"""`demarche token create|revoke|list`: bearer tokens managed from the command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from api.settings import Settings
from cli.common import database

CLI_AUTHOR = "cli"


def _run(settings: Settings, work: Any) -> int:
    from domain.errors import DomainError
    from persistence.write.unit_of_work import SqlUnitOfWorkFactory

    async def run() -> int:
        try:
            async with database(settings) as engine:
                return int(await work(SqlUnitOfWorkFactory(engine, author=CLI_AUTHOR)))
        except DomainError as error:
            print(f"refused: {error.message}", file=sys.stderr)
            return 1

    return asyncio.run(run())


def _create(settings: Settings, args: argparse.Namespace) -> int:
    from domain.access import role_named
    from domain.errors import InvalidInput
    from domain.use_cases.tokens import issue_token

    try:
        role = role_named("role", args.role)
    except InvalidInput as error:
        print(error.message, file=sys.stderr)
        return 2

    async def work(uow_factory: Any) -> int:
        token, secret = await issue_token(args.name, role, uow=uow_factory(), created_by=CLI_AUTHOR)
        print(f"created {token.role.value} token {token.name!r}; its secret (shown once, keep it safe):", file=sys.stderr)
        print(secret)
        return 0

    return _run(settings, work)


def _revoke(settings: Settings, args: argparse.Namespace) -> int:
    from domain.use_cases.tokens import revoke_token

    async def work(uow_factory: Any) -> int:
        token = await revoke_token(args.name, uow=uow_factory())
        print(f"token {token.name!r} is revoked since {token.revoked_at:%Y-%m-%d %H:%M:%S} UTC")
        return 0

    return _run(settings, work)


def _list(settings: Settings, _args: argparse.Namespace) -> int:
    from domain.use_cases.tokens import list_tokens

    async def work(uow_factory: Any) -> int:
        for token in await list_tokens(uow=uow_factory.reader()):
            state = "active" if token.revoked_at is None else f"revoked {token.revoked_at:%Y-%m-%d %H:%M}"
            print(f"{token.name}\t{token.role.value}\t{state}\tcreated {token.created_at:%Y-%m-%d %H:%M} by {token.created_by}")
        return 0

    return _run(settings, work)


def register(commands: Any) -> None:
    """Add `token create|revoke|list` to the `demarche` command."""
    token = commands.add_parser("token", help="create, revoke or list bearer tokens (database from DEMARCHE_DATABASE_URL)")
    actions = token.add_subparsers(dest="token_command", required=True)
    create = actions.add_parser("create", help="create a token and print its secret once")
    create.add_argument("name", help="unique name; changes made with the token are recorded under it")
    create.add_argument("--role", default="editor", help="reader, editor or admin (default: editor)")
    create.set_defaults(run=_create)
    revoke = actions.add_parser("revoke", help="revoke a token for good")
    revoke.add_argument("name")
    revoke.set_defaults(run=_revoke)
    listing = actions.add_parser("list", help="list tokens (never their secrets)")
    listing.set_defaults(run=_list)
