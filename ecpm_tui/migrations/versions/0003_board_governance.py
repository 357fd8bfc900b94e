"""Board governance: card aging, WIP limits, mandatory gate criteria, governed decisions.

Adds ``card.entered_at`` (backfilled from the last change, the best guess of when a card
entered its column), ``gatecheck.mandatory`` (set for the default criteria that may
never be overridden), ``phasetransition.approved_by`` and ``conditions``, the project's
governance ``state`` / ``state_reason`` and ``health_note``, and the ``phasesetting``
table (WIP limit and aging threshold per project and phase).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Default criteria that are mandatory (lifecycle.MANDATORY_CRITERIA at the time of writing;
# copied so the migration never changes when the domain does).
MANDATORY_KEYS = (
    "business_case_approved",
    "budget_approved",
    "uat_signed_off",
    "security_test_passed",
    "go_no_go_held",
)


def upgrade() -> None:
    with op.batch_alter_table("card", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE card SET entered_at = updated_at WHERE entered_at IS NULL")

    with op.batch_alter_table("gatecheck", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mandatory", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    gatecheck = sa.table(
        "gatecheck", sa.column("criterion_key", sa.String), sa.column("mandatory", sa.Boolean)
    )
    op.execute(
        gatecheck.update()
        .where(gatecheck.c.criterion_key.in_(MANDATORY_KEYS))
        .values(mandatory=True)
    )

    with op.batch_alter_table("phasetransition", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("approved_by", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("conditions", sa.Text(), nullable=False, server_default=""))

    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=12), nullable=False, server_default="active")
        )
        batch_op.add_column(sa.Column("state_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("health_note", sa.Text(), nullable=False, server_default=""))

    op.create_table(
        "phasesetting",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("wip_limit", sa.Integer(), nullable=True),
        sa.Column("age_limit_days", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "phase"),
    )
    with op.batch_alter_table("phasesetting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_phasesetting_project_id"), ["project_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("phasesetting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phasesetting_project_id"))
    op.drop_table("phasesetting")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("health_note")
        batch_op.drop_column("state_reason")
        batch_op.drop_column("state")
    with op.batch_alter_table("phasetransition", schema=None) as batch_op:
        batch_op.drop_column("conditions")
        batch_op.drop_column("approved_by")
    with op.batch_alter_table("gatecheck", schema=None) as batch_op:
        batch_op.drop_column("mandatory")
    with op.batch_alter_table("card", schema=None) as batch_op:
        batch_op.drop_column("entered_at")
