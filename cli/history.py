"""`demarche history erase`: erase a person's identifying fields from the record and its history, from the command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from api.settings import Settings
from cli.common import database

CLI_AUTHOR = "cli"


def _erase(settings: Settings, args: argparse.Namespace) -> int:
    from domain.errors import DomainError, InvalidInput
    from domain.record.history import Erasure
    from domain.record.kinds import KINDS
    from domain.use_cases.history import erase_personal_data
    from persistence.write.history import purge_erased
    from persistence.write.unit_of_work import SqlUnitOfWorkFactory

    kinds = {kind.lower(): kind for kind in KINDS}
    try:
        erasure = Erasure(kinds.get(args.kind.lower(), args.kind), args.id, args.reason)
    except InvalidInput as error:
        print(error.message, file=sys.stderr)
        return 2

    async def run() -> int:
        try:
            async with database(settings) as engine:
                uow_factory = SqlUnitOfWorkFactory(engine, author=args.author)
                erased = await erase_personal_data(erasure, uow=uow_factory())
                if args.compact:
                    await purge_erased(engine, {erasure.entity}, compact=True)
        except DomainError as error:
            print(f"refused: {error.message}", file=sys.stderr)
            return 1
        entry = erased.entry
        where = "the live record and " if erased.live_record else ""
        print(
            f"erased {', '.join(erasure.fields)} of {erasure.entity} {erasure.record_id} from {where}"
            f"{erased.redacted_entries} history entries; recorded as REDACT entry {entry.id} "
            f"by {entry.author} at {entry.at:%Y-%m-%d %H:%M:%S} UTC"
        )
        return 0

    return asyncio.run(run())


def register(commands: Any) -> None:
    """Add `history erase` to the `demarche` command."""
    history = commands.add_parser("history", help="manage the history of changes (database from DEMARCHE_DATABASE_URL)")
    actions = history.add_subparsers(dest="history_command", required=True)
    erase = actions.add_parser(
        "erase",
        help=(
            "erase a person's identifying fields (a diplomat's name, a statement's speaker's name) from the live record and "
            "every history entry, for good"
        ),
    )
    erase.add_argument("kind", help="the kind of record that names the person: diplomat or statement")
    erase.add_argument("id", type=int, help="the record's id (the number inside its global ID)")
    erase.add_argument("--reason", required=True, help="why the data is erased; kept in the history's REDACT entry")
    erase.add_argument(
        "--compact",
        action="store_true",
        help=(
            "then rewrite the tables so that the erased text is in none of the database's pages (SQLite: VACUUM; PostgreSQL: "
            "VACUUM FULL of the history and the kind's table, which locks them while it runs, then CHECKPOINT)"
        ),
    )
    erase.add_argument("--author", default=CLI_AUTHOR, help=f"who the REDACT entry names as erasing (default: {CLI_AUTHOR})")
    erase.set_defaults(run=_erase)
