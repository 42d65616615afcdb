"""Alembic migrations of the records database, applied on start (database.open_engine)."""
