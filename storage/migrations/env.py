"""Alembic environment: run against the connection storage.migrate hands in."""

from alembic import context

from storage.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copy-and-swap
)
with context.begin_transaction():
    context.run_migrations()
