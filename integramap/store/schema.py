"""The revision store's tables: one row per site, one row per saved revision.

A site's document is never updated in place: every save adds a row to
``revisions``. The ``sites`` row only records which revision is the latest,
and that column is what a save compares-and-sets, so two editors saving from
the same base cannot both succeed. The unique ``(site_id, number)`` constraint
is the second line of defence.
"""

from __future__ import annotations

from datetime import UTC, datetime

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


def as_utc(moment: datetime) -> datetime:
    """A datetime read back from the database, in UTC: SQLite returns naive ones and
    PostgreSQL ones in the session's zone.

    Examples
    --------
    >>> as_utc(datetime(2026, 11, 23, 9, 5)).isoformat()
    '2026-11-23T09:05:00+00:00'
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


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


# People: accounts, their roles per site, their API tokens, and what they did. -----------------------

NAME_LENGTH = 200
"""Longest account name; revision authors are account names, so the same bound."""


class UserRow(Base):
    """An account: a local one has a password hash; one from the organisation's identity
    provider has its ``subject`` there instead."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(300), nullable=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    oidc_subject: Mapped[str | None] = mapped_column(String(300), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GrantRow(Base):
    """One person's role on one site: viewer, editor or owner."""

    __tablename__ = "grants"

    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    site_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    granted_by: Mapped[str] = mapped_column(String(NAME_LENGTH))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TokenRow(Base):
    """A personal API token; only its SHA-256 is kept, so a copy of the database signs no one in."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """Something a person did that others may need to account for: sign-ins, grants, saves."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(NAME_LENGTH))
    action: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")


class SettingRow(Base):
    """Values every server process must share, such as the key that signs session cookies."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ScenarioRow(Base):
    """A what-if scenario kept beside its site: its YAML document, and the revision it was written on.

    One row per name: saving a scenario under a name it already has replaces it.
    """

    __tablename__ = "scenarios"
    __table_args__ = (UniqueConstraint("site_id", "name", name="uq_scenarios_site_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(300))
    document: Mapped[str] = mapped_column(Text)
    edits: Mapped[int] = mapped_column(Integer)
    base: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author: Mapped[str] = mapped_column(String(NAME_LENGTH))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
