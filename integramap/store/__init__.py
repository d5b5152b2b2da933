"""The revision store: every saved revision of every site, in SQLite or PostgreSQL.

See ``docs/storage.md`` for where the data lives and how conflicts are handled.
"""

from .store import (
    DATA_DIR_ENV,
    DATABASE_URL_ENV,
    ConflictError,
    Revision,
    RevisionInfo,
    SiteInfo,
    Store,
    StoreError,
    UnknownSiteError,
    database_url,
)

__all__ = [
    "DATABASE_URL_ENV", "DATA_DIR_ENV", "ConflictError", "Revision", "RevisionInfo", "SiteInfo",
    "Store", "StoreError", "UnknownSiteError", "database_url",
]
