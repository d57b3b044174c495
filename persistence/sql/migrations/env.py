"""Alembic's environment: run the migrations on the connection handed over by `persistence.sql.migrations`.

That connection is already inside a transaction, so the DDL and the `alembic_version` row
are committed together or not at all.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

connection: Connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
with context.begin_transaction():
    context.run_migrations()
