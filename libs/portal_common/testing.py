"""Pytest fixtures that start real infrastructure for a test run: NATS with JetStream, OpenSearch, PostgreSQL.

Everything listens on loopback on free ports and keeps its data in the run's temporary folder, so a test run
never touches a developer's `make run` stack. Loaded by the root conftest (`pytest_plugins`).
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


# What a service process needs on its path: the folders pytest puts there (pyproject.toml), but the repo root.
SERVICE_PYTHONPATH = ":".join(
    str(REPO_ROOT / folder)
    for folder in tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"][
        "pythonpath"
    ]
    if folder != "."
)


def start_module(module_args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """`python -m <module_args>` in the background with the services' path, its output appended to `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", *module_args],
        env={**os.environ, "PYTHONPATH": SERVICE_PYTHONPATH, **env},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def run_module(module_args: list[str], env: dict[str, str]) -> None:
    """`python -m <module_args>` to completion; a failure raises with what the command printed."""
    result = subprocess.run(
        [sys.executable, "-m", *module_args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": SERVICE_PYTHONPATH, **env},
    )
    if result.returncode:
        raise RuntimeError(f"python -m {' '.join(module_args)} failed:\n{result.stderr[-3000:]}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, timeout: float, what: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: process exited with {process.returncode}")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready after {timeout}s")


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class NatsServer:
    """A nats-server with JetStream; stopping and starting it keeps its store, as a real restart does."""

    port: int
    monitor_port: int
    store: Path
    log: Path
    process: subprocess.Popen | None = None
    max_store_bytes: int | None = None  # a JetStream storage limit (a store that fills up, for fault tests)

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def monitor_url(self) -> str:
        return f"http://127.0.0.1:{self.monitor_port}"

    def start(self) -> None:
        command = [
            "nats-server",
            "-js",
            "-a",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-m",
            str(self.monitor_port),
            "-sd",
            str(self.store),
        ]
        if self.max_store_bytes:  # only a configuration file can limit JetStream's storage
            config = self.log.with_suffix(".conf")
            config.write_text(f"jetstream {{ max_file_store: {self.max_store_bytes} }}\n")
            command += ["-c", str(config)]
        self.process = subprocess.Popen(command, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        with httpx.Client(base_url=self.monitor_url) as monitor:  # one client: each new one costs ~50 ms of CPU
            wait_for(
                lambda: monitor.get("/healthz?js-enabled-only=true").status_code == 200, 15, "nats-server", self.process
            )

    def stop(self) -> None:
        if self.process:
            stop(self.process)


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory) -> Iterator[NatsServer]:
    folder = tmp_path_factory.mktemp("nats")
    server = NatsServer(free_port(), free_port(), folder / "store", folder / "nats.log")
    server.start()
    yield server
    server.stop()


@dataclass
class OpenSearchNode:
    """A real single-node OpenSearch on free loopback ports with its data in `folder`; stopping and starting it keeps
    its data and ports, as a real restart does."""

    folder: Path
    port: int = field(default_factory=free_port)
    transport_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "OPENSEARCH_PORT": str(self.port),
            "OPENSEARCH_TRANSPORT_PORT": str(self.transport_port),
            "OPENSEARCH_DATA_DIR": str(self.folder / "data"),
            "OPENSEARCH_LOG_DIR": str(self.folder / "logs"),
        }
        log = self.folder / "stdout.log"
        self.process = subprocess.Popen(
            [str(REPO_ROOT / "infra/opensearch/run.sh")], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
        )
        try:
            with httpx.Client(base_url=self.url) as engine:  # one client: a new one per probe would load the CA bundle
                wait_for(lambda: engine.get("/_cluster/health").status_code == 200, 180, "OpenSearch", self.process)
        except Exception as error:
            stop(self.process)
            raise RuntimeError("OpenSearch did not start:\n" + log.read_text()[-3000:]) from error

    def stop(self) -> None:
        """SIGTERM: the engine flushes and exits cleanly."""
        if self.process:
            stop(self.process, timeout=60)


# The engine behind each URL running_opensearch yields, so that a fault test can pause (SIGSTOP) or restart it.
ENGINE_NODES: dict[str, OpenSearchNode] = {}


@contextlib.contextmanager
def running_opensearch(folder: Path) -> Iterator[str]:
    """A real single-node OpenSearch on a free loopback port with its data in `folder`; yields its URL."""
    node = OpenSearchNode(folder)
    node.start()
    ENGINE_NODES[node.url] = node
    try:
        yield node.url
    finally:
        ENGINE_NODES.pop(node.url, None)
        node.stop()


@pytest.fixture(scope="session")
def opensearch_url(tmp_path_factory) -> Iterator[str]:
    """One engine for the whole run (it takes seconds to start): tests isolate themselves by index name."""
    with running_opensearch(tmp_path_factory.mktemp("opensearch")) as url:
        yield url


def _postgres_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        pytest.fail(f"PostgreSQL's {name} not found: install Debian's postgresql package (make setup does)")
    return str(candidates[-1])


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL cluster; stopping and starting it keeps its data, as a real restart does.

    PostgreSQL refuses to run as root, so under root the cluster belongs to the `postgres` system user."""

    # Not under pytest's temporary folder: that one is private to root and postgres could not reach it.
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="portal-postgres-")))
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        """A URL prefix to which a database name is appended."""
        return f"postgresql+psycopg://portal@127.0.0.1:{self.port}"

    def create(self) -> None:
        if self._as_user:
            shutil.chown(self.folder, "postgres")
        data = str(self.folder / "data")
        self._run("initdb", "-D", data, "-U", "portal", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self.start()

    def start(self) -> None:
        self._pg_ctl("-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        """A fast shutdown: open sessions are cut, as in a restart by an operator or a failover."""
        self._pg_ctl("-m", "fast", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def _as_user(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _pg_ctl(self, *args: str) -> None:
        log = str(self.folder / "postgres.log")
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-l", log, "-w", *args)

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self._as_user, _postgres_bin(program), *args], check=True, capture_output=True)


def create_postgres_database(server_url: str, name: str) -> str:
    """A new empty database on the server at `server_url` (PostgresServer.url); its URL."""
    admin_url = server_url.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster for the run; yields a URL prefix to which a database name is appended."""
    server = PostgresServer()
    server.create()
    yield server.url
    server.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database per test, on each engine the portal supports."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/test.db"
    return create_postgres_database(request.getfixturevalue("postgres_server"), f"test_{uuid.uuid4().hex[:12]}")


@contextlib.asynccontextmanager
async def migrated_sessions(database_url: str, migrations_path: Path):
    """A service's database at its latest migration, as a session factory (for a service's own tests)."""
    from portal_common import migrations
    from portal_common.database import create_engine, session_factory

    migrations.upgrade(database_url, migrations_path)
    engine = create_engine(database_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()
