"""docker-compose.yml: valid against the Compose Specification's JSON schema, and in agreement with the code's
settings (environment, ports, health checks), its start order health-gated and its stores on named volumes."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.deploy.code import CODE, REPO, addresses, check_environment

COMPOSE_FILE = REPO / "docker-compose.yml"
TRACES_FILE = REPO / "deploy" / "compose.traces.yml"
# The official images' ports and data directories.
STORE_PORTS = {"opensearch": {9200}, "nats": {4222, 8222}, "postgres": {5432}, "otel-collector": {4317}}
# Traces are best effort: nothing waits for their health, and they have no shell to check it with.
TRACING = {"otel-collector", "jaeger"}
STORE_DATA = {"opensearch": "/usr/share/opensearch/data", "nats": "/data", "postgres": "/var/lib/postgresql/data"}

COMPOSE = yaml.safe_load(COMPOSE_FILE.read_text())  # resolves the file's anchors and merge keys, as compose does
SERVICES = COMPOSE["services"]
# Containers that run the portal's code: service name → (which code, which command).
PORTAL = {
    name: (spec["build"]["args"]["SERVICE"], (spec.get("command") or ["serve"])[0])
    for name, spec in SERVICES.items()
    if "build" in spec
}


def interpolated(value: str) -> str:
    """`${NAME:-default}` becomes the default, `${NAME}` and `${NAME:?why}` a stand-in: shapes are what matter."""
    return re.sub(
        r"\$\{(\w+)(?::?([-?])([^}]*))?\}", lambda m: m[3] if m[2] == "-" else f"set-{m[1].lower()}", str(value)
    )


def environment(name: str) -> dict[str, str]:
    return {key: interpolated(value) for key, value in (SERVICES[name].get("environment") or {}).items()}


@pytest.mark.parametrize("path", [COMPOSE_FILE, TRACES_FILE], ids=lambda p: p.name)
def test_the_files_match_the_compose_specification(path: Path):
    # check-jsonschema vendors the Compose Specification's schema (compose-spec.json), so this runs offline.
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [checker, "--builtin-schema", "vendor.compose-spec", path], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_service_of_the_portal_runs_in_a_container():
    assert {code for code, _ in PORTAL.values()} == set(CODE)
    assert {(code, command) for code, command in PORTAL.values()} >= {
        ("catalog", "serve"),
        ("catalog", "migrate"),
        ("search", "serve"),
        ("search", "index"),
        ("feedback", "serve"),
        ("feedback", "migrate"),
        ("gateway", "serve"),
    }


@pytest.mark.parametrize("name", sorted(PORTAL))
def test_each_container_sets_what_its_settings_read_and_nothing_else(name):
    code, command = PORTAL[name]
    assert check_environment(CODE[code], command, environment(name)) == []


@pytest.mark.parametrize("name", sorted(PORTAL))
def test_every_address_points_at_a_container_listening_there(name):
    for variable, (host, port) in addresses(environment(name)).items():
        assert host in SERVICES, f"{name}: {variable} names {host}, which is no service of this file"
        if host in PORTAL:
            target_code, _ = PORTAL[host]
            listening = CODE[target_code].listen_port(environment(host))
            assert (PORTAL[host][1], port) == ("serve", listening), f"{name}: {variable} → {host}:{port}"
        else:
            assert port in STORE_PORTS[host], f"{name}: {variable} → {host}:{port}"


@pytest.mark.parametrize("name", sorted(PORTAL))
def test_health_checks_probe_where_the_service_listens(name):
    code, command = PORTAL[name]
    spec = SERVICES[name]
    if command != "serve":
        # One-shot steps end; the indexer serves nothing (the image's check would probe search's port).
        assert spec.get("restart") == "no" or spec["healthcheck"] == {"disable": True}
        return
    service = CODE[code]
    port = service.listen_port(environment(name))
    target = f"127.0.0.1:{port}" if service.grpc else f"http://127.0.0.1:{port}/healthz"
    assert spec["healthcheck"]["test"] == ["CMD", "python", "-m", "portal_common.healthcheck", target]


def test_only_the_gateway_is_published_on_the_port_it_listens_on():
    published = {name: spec["ports"] for name, spec in SERVICES.items() if spec.get("ports")}
    assert list(published) == ["gateway"]
    container_ports = [interpolated(port).rsplit(":", 1)[1] for port in published["gateway"]]
    assert container_ports == [str(CODE["gateway"].listen_port(environment("gateway")))]


def test_every_store_keeps_its_data_in_a_named_volume():
    for store, data_dir in STORE_DATA.items():
        sources = {v.split(":")[0] for v in SERVICES[store]["volumes"] if v.split(":")[1] == data_dir}
        assert sources and sources <= set(COMPOSE["volumes"]), f"{store}: {data_dir} is not on a named volume"


def test_start_order_waits_for_health_and_finished_migrations():
    for name, spec in SERVICES.items():
        for dependency, condition in (spec.get("depends_on") or {}).items():
            wanted = condition["condition"]
            if wanted == "service_healthy":
                assert "healthcheck" in SERVICES[dependency], f"{name} waits for {dependency}, which has no check"
            elif wanted == "service_completed_successfully":
                assert SERVICES[dependency].get("restart") == "no", f"{name}: {dependency} is no one-shot step"
            else:
                assert dependency in TRACING, f"{name} starts without waiting for {dependency}"
    for name, (code, command) in PORTAL.items():
        if command == "serve" and f"{code}-migrate" in SERVICES:
            assert SERVICES[name]["depends_on"][f"{code}-migrate"] == {"condition": "service_completed_successfully"}


@pytest.mark.parametrize("name", sorted(PORTAL))
def test_portal_containers_run_on_a_read_only_root(name):
    assert SERVICES[name]["read_only"] is True
    assert "/tmp" in SERVICES[name]["tmpfs"]
