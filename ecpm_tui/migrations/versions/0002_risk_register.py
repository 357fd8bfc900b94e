"""Risk register: who accepted a serious threat and why, and the issue card of an occurred risk.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FK_NAME = "fk_risk_occurred_card_id_card"


def upgrade() -> None:
    # Existing rows get empty text and no card: nothing was accepted or occurred yet.
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("acceptance_justification", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("accepted_by", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("occurred_card_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(FK_NAME, "card", ["occurred_card_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.drop_constraint(FK_NAME, type_="foreignkey")
        batch_op.drop_column("occurred_card_id")
        batch_op.drop_column("accepted_by")
        batch_op.drop_column("acceptance_justification")
