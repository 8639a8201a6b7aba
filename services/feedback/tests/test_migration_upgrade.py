"""A database made by the first feedback revision keeps its tickets through the later ones (SQLite and PostgreSQL)."""

import uuid

import psycopg
import pytest
import sqlalchemy
from alembic import command

from feedback.models import MIGRATIONS
from portal_common import migrations
from portal_common.database import sync_url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/old.db"
    server = request.getfixturevalue("postgres_server")
    name = f"old_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server.replace("postgresql+psycopg://", "postgresql://") + "/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def test_tickets_from_the_first_revision_survive_the_upgrade(empty_database):
    config = migrations._config(empty_database, MIGRATIONS)
    command.upgrade(config, "0001")
    engine = sqlalchemy.create_engine(sync_url(empty_database))
    with engine.begin() as connection:
        connection.execute(
            sqlalchemy.text(
                "INSERT INTO ticket (number, query_code_hash, kind, status, title, content, contact_name,"
                " contact_phone, may_publish, answer, created_at, updated_at) VALUES ('20261101000001', 'h',"
                " 'consultation', 'submitted', '旧标题', '旧内容', '王', '138', true, '', :now, :now)"
            ),
            {"now": "2026-11-01 02:00:00"},
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        row = connection.execute(
            sqlalchemy.text("SELECT ticket_no, subject, body, public, version, deadline_stage, source FROM ticket")
        ).one()
    engine.dispose()
    assert tuple(row) == ("20261101000001", "旧标题", "旧内容", True, 1, 0, "resident")
    command.downgrade(config, "0001")  # and back, for a rollback of the release
