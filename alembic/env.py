"""Alembic environment: the URL comes from the caller or from the portal's settings."""

from __future__ import annotations

import os

# Domain packages above participation register their tables here (participation
# may not import them).
import consultations.evaluations.models  # noqa: F401
import volunteers.models  # noqa: F401
from alembic import context
from consultations import models as _consultation_models  # noqa: F401  (their tables)
from participation.db import make_engine
from participation.models import metadata

config = context.config


def database_url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return str(url)
    return os.environ.get("GONGZHI_DATABASE_URL", "sqlite:///var/gongzhi.db")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(database_url())
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
