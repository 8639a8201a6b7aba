"""The feedback service under test: its database on SQLite and PostgreSQL, a clock the test moves, and its gRPC
API served in-process with a stand-in for the catalog's staff sessions."""

import shutil
import uuid
from pathlib import Path

import grpc
import psycopg
import pytest

from feedback.grpc_api import FeedbackServicer
from feedback.models import MIGRATIONS, Base
from feedback.policy import Policy
from portal.feedback.v1 import feedback_pb2_grpc
from portal_common import migrations
from portal_common.database import create_engine, session_factory
from portal_common.testing import free_port
from services.feedback.tests.support import Api, Clock, FakeCatalog


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "feedback.db"
    migrations.upgrade(f"sqlite+aiosqlite:///{path}", MIGRATIONS)
    return path


@pytest.fixture(scope="session")
def postgres_feedback(postgres_server) -> str:
    name = f"feedback_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_plain(postgres_server) + "/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    migrations.upgrade(f"{postgres_server}/{name}", MIGRATIONS)
    return f"{postgres_server}/{name}"


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Overrides portal_common.testing's fixture for the feedback tests: the same two engines and an empty
    database per test, but already migrated. Migrating takes about a second; copying a migrated SQLite file
    or emptying the tables of one migrated PostgreSQL database takes milliseconds."""
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), tmp_path / "feedback.db")
        return f"sqlite+aiosqlite:///{tmp_path}/feedback.db"
    url = request.getfixturevalue("postgres_feedback")
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with psycopg.connect(_plain(url), autocommit=True) as connection:
        connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return url


@pytest.fixture
async def sessions(database_url):
    engine = create_engine(database_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def policy() -> Policy:
    return Policy()


@pytest.fixture
async def api(sessions, clock, policy):
    catalog = FakeCatalog()
    server = grpc.aio.server()
    commits: list = []
    servicer = FeedbackServicer(
        sessions, on_commit=lambda: commits.append(1), catalog=catalog, policy=policy, clock=clock
    )
    feedback_pb2_grpc.add_FeedbackServiceServicer_to_server(servicer, server)
    port = free_port()
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    yield Api(feedback_pb2_grpc.FeedbackServiceStub(channel), clock, catalog, commits)
    await channel.close()
    await server.stop(None)
