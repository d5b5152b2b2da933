"""Working copies: each person's unsaved edits of a site, kept in the store.

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


def upgrade() -> None:
    op.create_table(
        "working_copies",
        sa.Column("person", sa.String(200), primary_key=True),
        sa.Column("site_id", sa.String(120), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("base", sa.Integer, nullable=True),
        sa.Column("origin_revision", sa.Integer, nullable=True),
        sa.Column("origin", sa.Text, nullable=True),
        sa.Column("origin_step", sa.Integer, nullable=False),
        sa.Column("saved_step", sa.Integer, nullable=True),
        sa.Column("next_step", sa.Integer, nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "working_copy_steps",
        sa.Column("person", sa.String(200), primary_key=True),
        sa.Column("site_id", sa.String(120), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("undone", sa.Boolean, nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("change", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("working_copy_steps")
    op.drop_table("working_copies")
