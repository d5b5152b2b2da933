"""Scenarios kept beside their site: named what-if changes, one row per name.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.String(120), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("edits", sa.Integer, nullable=False),
        sa.Column("base", sa.Integer, nullable=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("site_id", "name", name="uq_scenarios_site_name"),
    )


def downgrade() -> None:
    op.drop_table("scenarios")
