"""Adapters that keep the record in SQLite or PostgreSQL through SQLModel and SQLAlchemy."""
