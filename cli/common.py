"""What every `demarche` command that touches the database shares: an engine on the configured
database, brought to the current schema first (or refused, with `DEMARCHE_MIGRATE_ON_START=false`,
when it is not current), and disposed of however the command ends."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from api.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


@contextlib.asynccontextmanager
async def database(settings: Settings, *, prepared: bool = True) -> AsyncIterator[AsyncEngine]:
    """An engine on `settings.database_url`; `prepared` migrates it and loads the reference states into an empty record."""
    from persistence.setup import prepare
    from persistence.sql.engine import create_engine

    # No statement timeout: an import or a migration may run long, and whoever runs the command can stop it.
    engine = create_engine(settings.database_url, connect_timeout=settings.db_connect_timeout, pool_timeout=settings.db_pool_timeout)
    try:
        if prepared:
            await prepare(engine, load_demo=False, migrate=settings.migrate_on_start)
        yield engine
    finally:
        await engine.dispose()
