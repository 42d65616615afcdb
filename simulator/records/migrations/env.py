"""Alembic's environment: runs the migrations on the connection `database.upgrade` hands over."""
from alembic import context

from simulator.records.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
