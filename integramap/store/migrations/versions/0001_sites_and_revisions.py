"""Sites and their revisions: the tables the store had before migrations.

A database made before migrations existed already holds exactly these tables
and is stamped at this revision rather than upgraded through it.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("latest", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.String(120), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("base", sa.Integer, nullable=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("units", sa.Integer, nullable=False),
        sa.Column("links", sa.Integer, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.UniqueConstraint("site_id", "number", name="uq_revisions_site_number"),
    )
    op.create_index("ix_revisions_site_created", "revisions", ["site_id", "created_at"])


def downgrade() -> None:
    op.drop_table("revisions")
    op.drop_table("sites")
