"""The migrations build exactly the schema the models describe (nothing a later autogenerate would add)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from hub import models  # noqa: F401  (every capability's tables on the metadata)
from hub.db import Base


def test_migrated_schema_matches_the_models(migrated_database: str) -> None:
    url = migrated_database if "://" in migrated_database else f"sqlite:///{migrated_database}"
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = [d for d in compare_metadata(context, Base.metadata) if not _ignorable(d)]
    engine.dispose()
    assert diff == []


def _ignorable(change: object) -> bool:
    """Alembic's own version table is not a model."""
    return isinstance(change, tuple) and change[0] == "remove_table" and change[1].name == "alembic_version"
