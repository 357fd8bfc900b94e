"""Alembic environment: always run programmatically by ecpm_tui.db with a live connection."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from ecpm_tui import models  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when someone runs the alembic CLI
    raise RuntimeError("ecpm migrations run through ecpm_tui.db, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # Serialise concurrent first opens of one database by several users.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(74656370)")
    context.run_migrations()
