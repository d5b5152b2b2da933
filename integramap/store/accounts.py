"""Accounts, per-site roles, API tokens, the audit log and shared secrets, in the store's database.

Passwords are hashed with Argon2id (``argon2-cffi``'s defaults, re-hashed on
sign-in when those defaults strengthen). API tokens are long random strings
of which only the SHA-256 is kept: they carry enough entropy that a slow hash
adds nothing, and a fast one lets every API request be checked cheaply.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..people import Person, Role
from .schema import NAME_LENGTH, AuditRow, GrantRow, SettingRow, TokenRow, UserRow, as_utc

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "im_"
"""Marks IntegraMap tokens, so one pasted where it should not be is recognisable."""
_HASHER = PasswordHasher()
# Checked against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password anyone has")


class AccountError(ValueError):
    """An account operation that cannot be done; the message says why."""


class TooManyAttempts(AccountError):
    """A name has had as many failed sign-ins as the window allows; the password was not checked."""


class Account(BaseModel):
    """An account as listed: never its password hash."""

    model_config = ConfigDict(frozen=True)

    name: str
    admin: bool
    created_at: datetime
    has_password: bool
    identity_provider: bool
    roles: dict[str, Role]
    tokens: int


class AuditEntry(BaseModel):
    """One line of the audit log."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    actor: str
    action: str
    site_id: str | None
    detail: str


def check_name(name: str) -> str:
    """An account name with its spaces tidied, or :class:`AccountError` saying what is wrong.

    Examples
    --------
    >>> check_name("  Asha   Patel ")
    'Asha Patel'
    >>> check_name("")
    Traceback (most recent call last):
    ...
    integramap.store.accounts.AccountError: an account name is required
    """
    tidy = " ".join(str(name).split())
    if not tidy:
        raise AccountError("an account name is required")
    if len(tidy) > NAME_LENGTH:
        raise AccountError(f"account name is {len(tidy)} characters; at most {NAME_LENGTH} are allowed")
    if any(not ch.isprintable() for ch in tidy):
        raise AccountError("account name has a control character; use letters, digits and punctuation")
    return tidy


def check_password(password: str) -> str:
    """The password if it is long enough to be worth hashing, else :class:`AccountError`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password is {len(password)} characters; at least {MIN_PASSWORD_LENGTH} "
                           "are required")
    return password


class Accounts:
    """The people tables of one store's database.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from integramap.store import Store
    >>> store = Store(data_dir=Path(tempfile.mkdtemp()))
    >>> store.accounts.add("Asha", "correct horse battery", actor="setup")
    >>> store.accounts.grant("Asha", "riverside", Role.EDITOR, actor="setup")
    >>> store.accounts.sign_in("Asha", "correct horse battery").roles
    {'riverside': <Role.EDITOR: 'editor'>}
    >>> store.accounts.sign_in("Asha", "wrong password") is None
    True
    >>> [e.action for e in store.accounts.audit()]
    ['sign-in failed', 'sign-in', 'grant', 'add user']
    >>> store.close()
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # Accounts ----------------------------------------------------------------------------

    def count(self) -> int:
        """How many accounts exist: none means the app runs in single-user mode."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(UserRow)).scalar_one())

    def add(self, name: str, password: str | None, *, admin: bool = False, actor: str,
            oidc_subject: str | None = None) -> None:
        """Add an account with a password (or signing in through the identity provider only)."""
        name = check_name(name)
        hashed = _HASHER.hash(check_password(password)) if password is not None else None
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(UserRow).values(name=name, password_hash=hashed, is_admin=admin,
                                                    oidc_subject=oidc_subject, created_at=_now()))
                _record(conn, actor, "add user", None, f"{name}{' (admin)' if admin else ''}")
        except IntegrityError:
            raise AccountError(f"there is already an account named {name!r}") from None

    def all(self) -> list[Account]:
        """Every account with its roles, by name."""
        with self.engine.connect() as conn:
            users = conn.execute(select(UserRow).order_by(UserRow.name)).all()
            grants = conn.execute(select(GrantRow.user_id, GrantRow.site_id, GrantRow.role)).all()
            tokens = dict(conn.execute(select(TokenRow.user_id, func.count())
                                       .group_by(TokenRow.user_id)).all())
        roles: dict[int, dict[str, Role]] = {}
        for user_id, site_id, role in grants:
            roles.setdefault(user_id, {})[site_id] = Role(role)
        return [Account(name=u.name, admin=u.is_admin, created_at=as_utc(u.created_at),
                        has_password=u.password_hash is not None,
                        identity_provider=u.oidc_subject is not None,
                        roles=dict(sorted(roles.get(u.id, {}).items())), tokens=tokens.get(u.id, 0))
                for u in users]

    def set_password(self, name: str, password: str, *, actor: str) -> None:
        """Replace an account's password."""
        hashed = _HASHER.hash(check_password(password))
        with self.engine.begin() as conn:
            self._user_id(conn, name)
            conn.execute(update(UserRow).where(UserRow.name == name).values(password_hash=hashed))
            _record(conn, actor, "change password", None, name)

    def remove(self, name: str, *, actor: str) -> None:
        """Remove an account with its roles and tokens; the revisions it saved stay, under its name."""
        with self.engine.begin() as conn:
            user_id = self._user_id(conn, name)
            # Deleted explicitly: SQLite enforces ON DELETE CASCADE only with foreign keys on.
            conn.execute(delete(GrantRow).where(GrantRow.user_id == user_id))
            conn.execute(delete(TokenRow).where(TokenRow.user_id == user_id))
            conn.execute(delete(UserRow).where(UserRow.id == user_id))
            _record(conn, actor, "remove user", None, name)

    def person(self, name: str) -> Person:
        """The person with this account name and their roles; :class:`AccountError` if none."""
        with self.engine.connect() as conn:
            user_id = self._user_id(conn, name)
            row = conn.execute(select(UserRow).where(UserRow.id == user_id)).one()
            return self._person(conn, row)

    # Roles -------------------------------------------------------------------------------

    def grant(self, name: str, site_id: str, role: Role, *, actor: str) -> None:
        """Give a person a role on a site, replacing any role they had there."""
        role = Role(role)
        with self.engine.begin() as conn:
            user_id = self._user_id(conn, name)
            conn.execute(delete(GrantRow).where(GrantRow.user_id == user_id, GrantRow.site_id == site_id))
            conn.execute(insert(GrantRow).values(user_id=user_id, site_id=site_id, role=role.value,
                                                 granted_by=actor, granted_at=_now()))
            _record(conn, actor, "grant", site_id, f"{name}: {role.value}")

    def revoke(self, name: str, site_id: str, *, actor: str) -> bool:
        """Take away a person's role on a site; whether they had one."""
        with self.engine.begin() as conn:
            user_id = self._user_id(conn, name)
            gone = conn.execute(delete(GrantRow).where(GrantRow.user_id == user_id,
                                                       GrantRow.site_id == site_id)).rowcount
            if gone:
                _record(conn, actor, "revoke", site_id, name)
        return bool(gone)

    def members(self, site_id: str) -> dict[str, Role]:
        """Who has a role on a site (admins aside), by name."""
        query = (select(UserRow.name, GrantRow.role).join(GrantRow, GrantRow.user_id == UserRow.id)
                 .where(GrantRow.site_id == site_id).order_by(UserRow.name))
        with self.engine.connect() as conn:
            return {name: Role(role) for name, role in conn.execute(query).all()}

    # Signing in --------------------------------------------------------------------------

    def sign_in(self, name: str, password: str, *, most_failures: int | None = None,
                window_seconds: float = 0) -> Person | None:
        """The person if the password is theirs, else ``None``; both outcomes are audited.

        With ``most_failures``, raises :class:`TooManyAttempts` (without checking the password)
        once the name has that many failed sign-ins in the last ``window_seconds``. The attempt is
        written as a failure before the password is checked and counted with every other, so a burst
        of guesses sent at once through several server processes is held to the limit too.
        """
        tidy = _as_logged(name)
        who = tidy or "(no name)"
        attempt: int | None = None
        if most_failures is not None:
            attempt = self._claim(who, "sign-in failed", most_failures, window_seconds, None, "password",
                                  refused_as="sign-in refused")
            if attempt is None:
                raise TooManyAttempts(f"Too many failed sign-ins for {who!r}: wait, then try again.")
        with self.engine.connect() as conn:
            row = conn.execute(select(UserRow).where(UserRow.name == tidy)).first()
        stored = row.password_hash if row is not None and row.password_hash else _DUMMY_HASH
        try:
            ok = _HASHER.verify(stored, password) and row is not None and row.password_hash is not None
        except (VerificationError, InvalidHashError):
            ok = False
        with self.engine.begin() as conn:
            if attempt is None:
                _record(conn, who, "sign-in" if ok else "sign-in failed", None, "password")
            elif ok:
                conn.execute(update(AuditRow).where(AuditRow.id == attempt).values(action="sign-in"))
            if not ok or row is None:
                return None
            if _HASHER.check_needs_rehash(stored):
                conn.execute(update(UserRow).where(UserRow.id == row.id)
                             .values(password_hash=_HASHER.hash(password)))
            return self._person(conn, row)

    def sign_in_identity(self, subject: str, *, email: str | None = None, display: str | None = None,
                         create: bool = True) -> Person:
        """The person the organisation's identity provider vouches for; both outcomes are audited.

        The account is found by the provider's ``subject``; failing that, an account named by the
        person's (verified) email address that is not yet linked is linked to it, so an admin can
        add ``asha.patel@nhs.net`` before she first signs in. Otherwise, when ``create`` allows,
        a new account named by the email (or the display name) is made, with no roles: an owner
        or admin then grants it what it may see. :class:`AccountError` says why no one is signed in.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> from integramap.store import Store
        >>> store = Store(data_dir=Path(tempfile.mkdtemp()))
        >>> store.accounts.add("asha.patel@nhs.net", None, actor="setup")
        >>> store.accounts.sign_in_identity("abc-123", email="Asha.Patel@nhs.net").name
        'asha.patel@nhs.net'
        >>> store.accounts.sign_in_identity("abc-123").name      # known by the subject from now on
        'asha.patel@nhs.net'
        >>> store.accounts.sign_in_identity("zz-9", email="ben@nhs.net", create=False)
        Traceback (most recent call last):
        ...
        integramap.store.accounts.AccountError: There is no IntegraMap account for ben@nhs.net: ...
        >>> [e.action for e in store.accounts.audit()][:4]
        ['sign-in failed', 'sign-in', 'sign-in', 'link identity']
        >>> store.close()
        """
        who = email or display or "this person"
        refusal = ""
        person: Person | None = None
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(UserRow).where(UserRow.oidc_subject == subject)).first()
                if row is None and email:
                    row = conn.execute(select(UserRow).where(
                        func.lower(UserRow.name) == email.lower())).first()
                    if row is not None and row.oidc_subject is not None:
                        refusal = (f"The IntegraMap account {row.name!r} belongs to someone else at the identity "
                                   "provider: ask whoever runs IntegraMap for your organisation.")
                        row = None
                    elif row is not None:
                        conn.execute(update(UserRow).where(UserRow.id == row.id).values(oidc_subject=subject))
                        _record(conn, row.name, "link identity", None, "identity provider")
                if row is None and not refusal:
                    if not create:
                        refusal = (f"There is no IntegraMap account for {who}: ask whoever runs IntegraMap for "
                                   "your organisation to add one.")
                    else:
                        name = check_name(email or display or subject)
                        conn.execute(insert(UserRow).values(name=name, password_hash=None, is_admin=False,
                                                            oidc_subject=subject, created_at=_now()))
                        _record(conn, "identity provider", "add user", None, name)
                        row = conn.execute(select(UserRow).where(UserRow.oidc_subject == subject)).one()
                if row is not None:
                    _record(conn, row.name, "sign-in", None, "identity provider")
                    person = self._person(conn, row)
        except IntegrityError:  # another account already has this name: never merge two people silently
            refusal = (f"An IntegraMap account named {who!r} already exists and is not linked to you: ask "
                       "whoever runs IntegraMap for your organisation.")
        if person is None:
            self.record(str(who)[:NAME_LENGTH], "sign-in failed", None, "identity provider")
            raise AccountError(refusal)
        return person

    def recent(self, name: str, action: str, seconds: float) -> int:
        """How many times the audit log records ``action`` by this name in the last ``seconds``,
        across every server process (the lines the sign-in, upload and demo limits count)."""
        return self._uses(_as_logged(name), action, seconds)

    def _uses(self, actor: str, action: str, seconds: float) -> int:
        since = datetime.fromtimestamp(_now().timestamp() - seconds, UTC)
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(AuditRow).where(
                AuditRow.actor == actor[:NAME_LENGTH], AuditRow.action == action, AuditRow.at >= since)).scalar_one())

    def use_within_limit(self, name: str, action: str, most: int, seconds: float, site_id: str | None = None,
                         detail: str = "") -> bool:
        """Record one use of ``action`` by ``name``, unless ``most`` are recorded in the last ``seconds``.

        One step for every server process sharing the database: the use is written first, then
        every use in the window is counted, so however many requests race, no more than ``most``
        go ahead (a race may refuse one that would just have fitted, never let one too many
        through). A refused use stays in the audit log as "``action`` refused".
        """
        return self._claim(_as_logged(name), action, most, seconds, site_id, detail) is not None

    def _claim(self, actor: str, action: str, most: int, seconds: float, site_id: str | None,
               detail: str, *, refused_as: str | None = None) -> int | None:
        """The audit line written for the use, or ``None`` (and the line marked refused) when over."""
        with self.engine.begin() as conn:
            line = _record(conn, actor, action, site_id, detail)
        if self._uses(actor, action, seconds) <= most:
            return line
        with self.engine.begin() as conn:
            conn.execute(update(AuditRow).where(AuditRow.id == line).values(action=refused_as or f"{action} refused"))
        return None

    def new_token(self, name: str, *, actor: str) -> str:
        """A new personal API token for an account; shown once, only its digest is kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            user_id = self._user_id(conn, name)
            conn.execute(insert(TokenRow).values(user_id=user_id, digest=_digest(token), created_at=_now()))
            _record(conn, actor, "new token", None, name)
        return token

    def person_for_token(self, token: str) -> Person | None:
        """The person a token belongs to, or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(select(UserRow).join(TokenRow, TokenRow.user_id == UserRow.id)
                               .where(TokenRow.digest == _digest(token))).first()
            return None if row is None else self._person(conn, row)

    # Audit log and shared settings -------------------------------------------------------

    def record(self, actor: str, action: str, site_id: str | None = None, detail: str = "") -> None:
        """Add a line to the audit log."""
        with self.engine.begin() as conn:
            _record(conn, actor, action, site_id, detail)

    def audit(self, *, limit: int = 100, site_id: str | None = None,
              actor: str | None = None) -> list[AuditEntry]:
        """The newest lines of the audit log, newest first, for one site or person if asked."""
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if site_id is not None:
            query = query.where(AuditRow.site_id == site_id)
        if actor is not None:
            query = query.where(AuditRow.actor == actor)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [AuditEntry(at=as_utc(r.at), actor=r.actor, action=r.action, site_id=r.site_id,
                           detail=r.detail) for r in rows]

    def secret(self, key: str) -> str:
        """A random secret shared by every server process using this database, made on first use."""
        with self.engine.connect() as conn:
            found = conn.execute(select(SettingRow.value).where(SettingRow.key == key)).scalar()
        if found is not None:
            return str(found)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(SettingRow).values(key=key, value=secrets.token_hex(32)))
        except IntegrityError:
            pass  # another process made it first: use theirs
        with self.engine.connect() as conn:
            return str(conn.execute(select(SettingRow.value).where(SettingRow.key == key)).scalar_one())

    def claim(self, key: str, *, stale_after: float) -> bool:
        """Take a lock every server process sees, unless another holds it; whether it was taken.

        For work that must run once at a time across workers and machines (building the demo
        site): a claim older than ``stale_after`` seconds is taken over, as its holder must have
        stopped without calling :meth:`release`.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> from integramap.store import Store
        >>> store = Store(data_dir=Path(tempfile.mkdtemp()))
        >>> store.accounts.claim("demo-build:x", stale_after=60), store.accounts.claim("demo-build:x", stale_after=60)
        (True, False)
        >>> store.accounts.release("demo-build:x")
        >>> store.accounts.claim("demo-build:x", stale_after=60)
        True
        >>> store.close()
        """
        key = f"claim:{key}"
        now = _now()
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(SettingRow).values(key=key, value=now.isoformat()))
            return True
        except IntegrityError:
            pass
        with self.engine.begin() as conn:
            held = conn.execute(select(SettingRow.value).where(SettingRow.key == key)).scalar()
            if held is not None and now.timestamp() - datetime.fromisoformat(held).timestamp() < stale_after:
                return False
            # Taken over only if no one else took it over meanwhile (the value is still the one read).
            taken = conn.execute(update(SettingRow).where(SettingRow.key == key, SettingRow.value == held)
                                 .values(value=now.isoformat())).rowcount
        return bool(taken)

    def release(self, key: str) -> None:
        """Give up a claim taken with :meth:`claim`."""
        with self.engine.begin() as conn:
            conn.execute(delete(SettingRow).where(SettingRow.key == f"claim:{key}"))

    # Helpers -----------------------------------------------------------------------------

    @staticmethod
    def _user_id(conn: Connection, name: str) -> int:
        found = conn.execute(select(UserRow.id).where(UserRow.name == name)).scalar()
        if found is None:
            raise AccountError(f"there is no account named {name!r}; `integramap users list` shows them")
        return int(found)

    @staticmethod
    def _person(conn: Connection, row: Any) -> Person:
        grants = conn.execute(select(GrantRow.site_id, GrantRow.role)
                              .where(GrantRow.user_id == row.id)).all()
        return Person(name=row.name, admin=row.is_admin, roles={s: Role(r) for s, r in grants})


def _as_logged(name: str) -> str:
    """A name as the audit log keeps it: spaces tidied, cut to the longest name allowed."""
    return " ".join(str(name).split())[:NAME_LENGTH]


def _record(conn: Connection, actor: str, action: str, site_id: str | None, detail: str) -> int:
    """Write an audit line; its id."""
    line = conn.execute(insert(AuditRow).values(
        at=_now(), actor=actor[:NAME_LENGTH], action=action, site_id=site_id, detail=detail)
        .returning(AuditRow.id)).scalar_one()
    return int(line)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)
