"""Audit chain: each event's hash covers the previous one; imported events are marked.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 16:40:00
"""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

from ecpm_tui import audit_chain

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TYPES: dict[str, sa.types.TypeEngine[object]] = {
    "at": sa.DateTime(),
    "user": sa.String(),
    "entity": sa.String(),
    "entity_id": sa.Integer(),
    "project_id": sa.Integer(),
    "action": sa.String(),
    "summary": sa.Text(),
    "changes": sa.Text(),
}
COLUMNS = tuple(TYPES)


def upgrade() -> None:
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("db_role", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("imported_by", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("imported_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("hash", sa.String(length=64), nullable=False, server_default="")
        )
    # Chain the events already there, oldest first, exactly as new ones will be chained.
    conn = op.get_bind()
    event = sa.table(
        "auditevent",
        sa.column("id", sa.Integer),
        sa.column("hash", sa.String),
        *(sa.column(name, kind) for name, kind in TYPES.items()),
    )
    rows = conn.execute(sa.select(event.c.id, *(event.c[n] for n in COLUMNS)).order_by(event.c.id))
    previous = audit_chain.GENESIS
    hashes: list[dict[str, object]] = []
    for row in rows:
        fields = dict(zip(COLUMNS, row[1:], strict=True))
        item = SimpleNamespace(**fields, db_role="", imported_by="", imported_at=None)
        previous = audit_chain.digest(previous, item)
        hashes.append({"row_id": row[0], "new_hash": previous})
    if hashes:
        conn.execute(
            event.update()
            .where(event.c.id == sa.bindparam("row_id"))
            .values(hash=sa.bindparam("new_hash")),
            hashes,
        )


def downgrade() -> None:
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("imported_at")
        batch_op.drop_column("imported_by")
        batch_op.drop_column("db_role")
