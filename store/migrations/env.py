"""Alembic environment: runs migrations on a synchronous engine (see store/db.py)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    """Run migrations against the configured database (optionally inside a schema)."""
    url = config.get_main_option("sqlalchemy.url")
    schema = config.get_main_option("lacznik.schema")
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    engine = create_engine(url, poolclass=pool.NullPool, connect_args=connect_args)
    with engine.connect() as connection:
        if schema:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `lacznik db upgrade`")
run_migrations_online()
