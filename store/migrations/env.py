"""Alembic environment: runs migrations on a synchronous engine (see store/db.py)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def _only_tables(names: str | None):  # type: ignore[no-untyped-def]
    """When writing a revision for one feature, leave other features' new tables out."""
    wanted = {n.strip() for n in (names or "").split(",") if n.strip()}

    def include(obj, name, type_, _reflected, _compare_to):  # type: ignore[no-untyped-def]
        if not wanted:
            return True
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
        return table in wanted

    return include


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
            include_object=_only_tables(config.get_main_option("lacznik.only_tables")),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `lacznik db upgrade`")
run_migrations_online()
