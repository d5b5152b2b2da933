"""Alembic migrations of the store's tables; :func:`integramap.store.migrate.upgrade` runs them."""
