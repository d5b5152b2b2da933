"""Alembic's environment: run the migrations on the connection the store hands over.

The store runs ``upgrade head`` itself when it opens a database (see
``integramap/store/migrate.py``); this file also lets ``alembic`` be run by hand
with ``-x url=…`` for a database the app is not serving.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from integramap.store.schema import Base

config = context.config
connection = config.attributes.get("connection")

if connection is not None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    from integramap.store.store import database_url

    url = database_url(context.get_x_argument(as_dictionary=True).get("url"))
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        context.run_migrations()
    engine.dispose()
