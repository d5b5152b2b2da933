"""The revision store's tables: one row per site, one row per saved revision.

A site's document is never updated in place: every save adds a row to
``revisions``. The ``sites`` row only records which revision is the latest,
and that column is what a save compares-and-sets, so two editors saving from
the same base cannot both succeed. The unique ``(site_id, number)`` constraint
is the second line of defence.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID_LENGTH = 120
"""Longest site id, as the site model allows."""


class Base(DeclarativeBase):
    """The declarative base of the store's tables."""


class SiteRow(Base):
    """A site: its id, its current name and which revision is the latest."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    latest: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RevisionRow(Base):
    """One saved revision of a site: who, when, why, from which base, and the document."""

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("site_id", "number", name="uq_revisions_site_number"),
        Index("ix_revisions_site_created", "site_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("sites.id"))
    number: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    base: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Copied out of the document so listing sites and history never parses documents.
    name: Mapped[str] = mapped_column(String(300))
    units: Mapped[int] = mapped_column(Integer)
    links: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)


PERSON_LENGTH = 200
"""Longest person key: a browser's id today, a signed-in account's id later."""


class WorkingCopyRow(Base):
    """One person's unsaved working copy of one site: where it starts and how far it has got.

    The copy is the site at ``origin_revision`` (or the ``origin`` document, for a site not
    stored or a history folded to keep replays short) with its done steps applied in order.
    ``version`` is compared-and-set by every write, so two server processes cannot both
    change the copy from the same state.
    """

    __tablename__ = "working_copies"

    person: Mapped[str] = mapped_column(String(PERSON_LENGTH), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    base: Mapped[int | None] = mapped_column(Integer, nullable=True)
    origin_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    origin: Mapped[str | None] = mapped_column(Text, nullable=True)
    origin_step: Mapped[int] = mapped_column(Integer)
    saved_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    next_step: Mapped[int] = mapped_column(Integer)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WorkingStepRow(Base):
    """One edit of a working copy, as a replayable record; ``undone`` steps form the redo stack."""

    __tablename__ = "working_copy_steps"

    person: Mapped[str] = mapped_column(String(PERSON_LENGTH), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    undone: Mapped[bool] = mapped_column(Boolean)
    label: Mapped[str] = mapped_column(String(300))
    change: Mapped[str] = mapped_column(Text)
