"""Each service's migrations build exactly the tables its models declare (a model change without a migration
fails here)."""

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal_common import migrations


@pytest.mark.parametrize("service", ["catalog", "feedback"])
def test_migrations_match_the_models(service, tmp_path):
    models = __import__(f"{service}.models", fromlist=["Base", "MIGRATIONS"])
    migrations.upgrade(f"sqlite+aiosqlite:///{tmp_path}/{service}.db", models.MIGRATIONS)
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path}/{service}.db")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), models.Base.metadata)
    engine.dispose()
    assert differences == []
