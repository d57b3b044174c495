"""`demarche db upgrade|downgrade|current`: the database schema, changed only by its migrations."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from api.settings import Settings
from cli.common import database

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


def _run(settings: Settings, work: Callable[[AsyncEngine], Awaitable[int]]) -> int:
    from alembic.util import CommandError

    async def run() -> int:
        try:
            async with database(settings, prepared=False) as engine:
                return await work(engine)
        except CommandError as error:
            print(f"demarche db: {error}", file=sys.stderr)
            return 1

    return asyncio.run(run())


def _move(settings: Settings, step: Callable[[AsyncEngine], Awaitable[tuple[str | None, str | None]]]) -> int:
    async def work(engine: AsyncEngine) -> int:
        before, after = await step(engine)
        if before == after:
            print(f"the database schema stays at revision {after or 'none'}")
        else:
            print(f"the database schema went from revision {before or 'none'} to {after or 'none'}")
        return 0

    return _run(settings, work)


def _upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from persistence.sql.migrations import upgrade

    return _move(settings, lambda engine: upgrade(engine, args.revision))


def _downgrade(settings: Settings, args: argparse.Namespace) -> int:
    from persistence.sql.migrations import downgrade

    return _move(settings, lambda engine: downgrade(engine, args.revision))


def _current(settings: Settings, _args: argparse.Namespace) -> int:
    from persistence.sql import migrations

    async def work(engine: AsyncEngine) -> int:
        print(f"current: {await migrations.current_revision(engine) or 'none'}")
        print(f"head: {migrations.head_revision()}")
        return 0

    return _run(settings, work)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `db upgrade|downgrade|current` to the `demarche` command."""
    db = commands.add_parser("db", help="migrate the database schema (database from DEMARCHE_DATABASE_URL)")
    actions = db.add_subparsers(dest="db_command", required=True)
    upgrade = actions.add_parser("upgrade", help="upgrade the schema to the newest revision, or to --revision")
    upgrade.add_argument("--revision", default="head", help="the revision to reach (default: head)")
    upgrade.set_defaults(run=_upgrade)
    downgrade = actions.add_parser("downgrade", help="downgrade the schema to REVISION; `base` drops every table")
    downgrade.add_argument("revision", help="the revision to go back to, `base`, or a step back such as -1")
    downgrade.set_defaults(run=_downgrade)
    current = actions.add_parser("current", help="print the database's revision and the newest one")
    current.set_defaults(run=_current)
