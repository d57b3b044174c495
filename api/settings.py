"""Settings, read once from `DEMARCHE_*` environment variables and passed down."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of a Demarche server; see the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="DEMARCHE_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///demarche.db", description="SQLAlchemy URL: sqlite:///PATH or postgresql://USER@HOST:PORT/DB"
    )
    host: str = Field(default="127.0.0.1", description="Address the server listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the server listens on")
    load_demo: bool = Field(default=True, description="Load the March 2022 demo record when the database holds no measures")
    max_page_size: int = Field(default=100, ge=1, le=1000, description="Largest `first` or `last` a connection accepts")
    max_query_depth: int = Field(default=12, ge=2, le=50, description="Deepest selection a query may nest")
    graphiql: bool = Field(default=True, description="Serve GraphiQL to browsers at /graphql")
    response_cache: int = Field(
        default=1000, ge=0, le=100_000, description="Query responses kept in memory, made stale by any write; 0 turns the cache off"
    )
    pool_size: int = Field(default=10, ge=1, le=100, description="PostgreSQL connections kept open")
    reads_require_token: bool = Field(
        default=False, description="Refuse queries without a valid bearer token (by default anyone may read; writing always needs one)"
    )
    compiled_reads: bool = Field(
        default=True,
        description="Answer queries from one SQL statement per root field where they compile; false sends every query to the executor",
    )
    migrate_on_start: bool = Field(
        default=True,
        description="Upgrade the database schema on start; when false, refuse to start on a schema that is not current",
    )
