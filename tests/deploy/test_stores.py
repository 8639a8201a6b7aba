"""The stores' settings for Kubernetes (deploy/k8s/values/) parse, name the Services the portal's settings point
at, and run the versions that compose and the tests run."""

import re

import yaml

from tests.deploy.code import REPO

VALUES = REPO / "deploy" / "k8s" / "values"


def values(name: str) -> dict:
    return yaml.safe_load((VALUES / name).read_text())


def settings_env(name: str) -> dict[str, str]:
    lines = (REPO / "deploy" / "k8s" / "base" / "settings" / name).read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def compose_image(service: str) -> str:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"][service]["image"]


def test_opensearch_is_the_chart_service_the_settings_name_at_the_version_the_tests_run():
    chart = values("opensearch.yaml")
    service = f"{chart['clusterName']}-{chart['nodeGroup']}"  # the chart's naming of its Service
    for env in ("search.env", "gateway.env"):
        assert settings_env(env)["OPENSEARCH_URL"] == f"http://{service}:9200"
    pom = (REPO / "infra" / "opensearch" / "pom.xml").read_text()
    tested = re.search(r"<opensearch.version>(.+)</opensearch.version>", pom)
    assert chart["image"]["tag"] == tested[1] == compose_image("opensearch").split(":")[1]
    assert chart["replicas"] >= 3 and chart["persistence"]["enabled"] is True


def test_nats_runs_jetstream_on_disk_in_a_cluster_with_the_monitoring_port_the_gateway_asks():
    config = values("nats.yaml")["config"]
    assert config["jetstream"]["enabled"] and config["jetstream"]["fileStore"]["pvc"]["enabled"]
    assert config["cluster"]["replicas"] >= 3
    assert settings_env("common.env")["NATS_URL"] == "nats://nats:4222"
    assert settings_env("gateway.env")["NATS_MONITOR_URL"] == f"http://nats:{config['monitor']['port']}"


def test_postgresql_has_replicas_both_databases_and_the_major_version_compose_runs():
    cluster = values("postgresql.yaml")
    assert cluster["kind"] == "Cluster" and cluster["spec"]["instances"] >= 3
    initdb = cluster["spec"]["bootstrap"]["initdb"]
    assert initdb["database"] == "catalog"
    assert "CREATE DATABASE feedback OWNER portal" in initdb["postInitApplicationSQL"]
    major = cluster["spec"]["imageName"].rsplit(":", 1)[1].split(".")[0]
    assert compose_image("postgres").split(":")[1].startswith(f"{major}.")
