"""deploy/k8s: both overlays render with kustomize, every object validates against the Kubernetes schemas of
current releases (bundled by kubernetes-validate, offline), and the manifests agree with the code's settings:
images, commands, environment, ports, probes; plus the hardening, shutdown, scaling and network rules."""

import os
import subprocess
from functools import cache
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.deploy.code import CODE, GRPC_DNS, REPO, addresses, check_environment

# Built by `make test` from the Go module proxy (the Makefile names the version and exports the path).
KUSTOMIZE = os.environ.get("KUSTOMIZE") or max(map(str, (REPO / ".local" / "bin").glob("kustomize-v*")), default="")
OVERLAYS = ("city", "province")
# The oldest Kubernetes release still maintained when this was written, and the newest the package bundles.
KUBERNETES_VERSIONS = ("1.33.0", "1.37.0")
# Services the maintainers' charts and operator create (deploy/k8s/values/), with their ports.
STORE_PORTS = {"opensearch-cluster-master": {9200}, "nats": {4222, 8222}, "portal-db-rw": {5432}}
# Who calls whom, from the code: gateway/rpc.py; feedback/catalog_client.py; the indexer and `search reindex`
# read the catalog; search's best-bet RPCs trust the gateway. Nobody calls the indexer or the jobs.
CALLERS = {
    "catalog": {"gateway", "feedback", "search-indexer", "search-reindex"},
    "search": {"gateway"},
    "feedback": {"gateway"},
    "gateway": set(),
    "search-indexer": set(),
}
INGRESS_NAMESPACE = "ingress-nginx"


@cache
def rendered(overlay: str) -> tuple[dict, ...]:
    assert KUSTOMIZE and Path(KUSTOMIZE).is_file(), "kustomize is missing: `make test` builds it"
    result = subprocess.run(
        [KUSTOMIZE, "build", REPO / "deploy" / "k8s" / "overlays" / overlay],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def objects(overlay: str, kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in rendered(overlay) if o["kind"] == kind}


def pod_templates(overlay: str) -> dict[str, dict]:
    """Every pod template: Deployments', Jobs' and the CronJob's, by workload name."""
    templates = {}
    for o in rendered(overlay):
        if o["kind"] in ("Deployment", "Job"):
            templates[o["metadata"]["name"]] = o["spec"]["template"]
        elif o["kind"] == "CronJob":
            templates[o["metadata"]["name"]] = o["spec"]["jobTemplate"]["spec"]["template"]
    return templates


def container_code(container: dict) -> tuple[str, str]:
    """(service, command) of a container: the image is `<registry>/<service>:<tag>`, the command its argument."""
    service = container["image"].rsplit("/", 1)[1].split(":")[0]
    return service, container["args"][0]


def container_env(overlay: str, container: dict) -> dict[str, str]:
    config_maps = objects(overlay, "ConfigMap")
    env = {}
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]]["data"])
    for variable in container.get("env", []):
        env[variable["name"]] = variable.get("value", "set-from-secret")
    return env


def serving(overlay: str) -> dict[str, tuple[dict, dict]]:
    """Deployments that run `serve`: name → (deployment, its container)."""
    found = {}
    for name, deployment in objects(overlay, "Deployment").items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        if container_code(container)[1] == "serve":
            found[name] = (deployment, container)
    return found


def label_name(pod_template: dict) -> str:
    return pod_template["metadata"]["labels"]["app.kubernetes.io/name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_rendered_object_validates_against_the_kubernetes_schema(overlay, version):
    for document in rendered(overlay):
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{document['kind']}/{document['metadata']['name']}: {error.message} at {error.path}")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_runs_a_command_of_its_service_with_what_its_settings_read(overlay):
    for name, template in pod_templates(overlay).items():
        for container in template["spec"]["containers"]:
            service, command = container_code(container)
            assert container["image"].endswith(":1.0.0"), f"{name}: the overlay pins the image tag"
            problems = check_environment(CODE[service], command, container_env(overlay, container))
            assert problems == [], f"{name}: {problems}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ports_and_probes_are_where_the_service_listens(overlay):
    for name, (_, container) in serving(overlay).items():
        code = CODE[container_code(container)[0]]
        port = code.listen_port(container_env(overlay, container))
        assert [p["containerPort"] for p in container["ports"]] == [port], name
        named = {p["name"]: p["containerPort"] for p in container["ports"]}
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            spec = container[probe]
            if code.grpc:
                assert spec["grpc"]["port"] == port, f"{name} {probe}"
            else:
                assert named[spec["httpGet"]["port"]] == port and spec["httpGet"]["path"] == "/healthz", name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_address_reaches_a_service_that_serves_it(overlay):
    services = objects(overlay, "Service")
    deployments = serving(overlay)
    for name, template in pod_templates(overlay).items():
        for container in template["spec"]["containers"]:
            for variable, (host, port) in addresses(container_env(overlay, container)).items():
                if host in STORE_PORTS:
                    assert port in STORE_PORTS[host], f"{name}: {variable}"
                    continue
                assert host in services, f"{name}: {variable} names {host}, no Service"
                (service_port,) = [p for p in services[host]["spec"]["ports"] if p["port"] == port]
                deployment, target = deployments[services[host]["spec"]["selector"]["app.kubernetes.io/name"]]
                named = {p["name"]: p["containerPort"] for p in target["ports"]}
                assert named[service_port["targetPort"]] == port, f"{name}: {variable}"
                assert container_code(target)[0] == host, f"{name}: {variable} reaches {target['image']}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_grpc_callers_balance_over_every_pod_of_a_headless_service(overlay):
    """A virtual IP would pin each client connection to one pod: gRPC addresses name headless Services through
    the DNS resolver, whose pods' own ports are dialled (so the Service port is the container's)."""
    services = objects(overlay, "Service")
    deployments = serving(overlay)
    for name, template in pod_templates(overlay).items():
        for container in template["spec"]["containers"]:
            env = container_env(overlay, container)
            for variable, (host, port) in addresses(env).items():
                if not variable.endswith("_ADDRESS"):
                    continue
                assert env[variable].startswith(GRPC_DNS), f"{name}: {variable}"
                assert services[host]["spec"].get("clusterIP") == "None", f"{host} is not headless"
                _, target = deployments[host]
                assert port in [p["containerPort"] for p in target["ports"]], f"{name}: {variable}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_run_as_non_root_on_read_only_roots_without_capabilities(overlay):
    accounts = objects(overlay, "ServiceAccount")
    for name, template in pod_templates(overlay).items():
        pod = template["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False and pod["serviceAccountName"] in accounts, name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert "memory" in container["resources"]["limits"], name
            assert {m["mountPath"] for m in container["volumeMounts"]} == {"/tmp"}, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_shutdown_lets_in_flight_requests_finish(overlay):
    for name, (deployment, container) in serving(overlay).items():
        env = container_env(overlay, container)
        pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
        needed = pre_stop + float(env["DRAIN_DELAY_SECONDS"]) + float(env["SHUTDOWN_GRACE_SECONDS"])
        assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > needed, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_gateway_and_search_autoscale_and_every_serving_deployment_has_a_disruption_budget(overlay):
    deployments = objects(overlay, "Deployment")
    autoscalers = objects(overlay, "HorizontalPodAutoscaler")
    assert set(autoscalers) == {"gateway", "search"}
    for name, hpa in autoscalers.items():
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert 2 <= hpa["spec"]["minReplicas"] == deployments[name]["spec"]["replicas"] < hpa["spec"]["maxReplicas"]
    budgets = objects(overlay, "PodDisruptionBudget")
    for name, (deployment, _) in serving(overlay).items():
        assert budgets[name]["spec"]["selector"] == deployment["spec"]["selector"], name
        assert deployment["spec"]["replicas"] >= 2, f"{name}: a budget needs two replicas to allow a drain"


def _selects(selector: dict, labels: dict) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    return all(
        (labels.get(e["key"]) in e["values"]) == (e["operator"] == "In") for e in selector.get("matchExpressions", [])
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_workload_accepts_connections_only_from_its_callers(overlay):
    policies = objects(overlay, "NetworkPolicy").values()
    templates = pod_templates(overlay)
    pods = {label_name(t): t["metadata"]["labels"] for t in templates.values()}
    for target, labels in pods.items():
        selecting = [p for p in policies if _selects(p["spec"]["podSelector"], labels)]
        assert any(not p["spec"].get("ingress") for p in selecting), f"{target} is not under the default deny"
        rules = [rule for p in selecting for rule in p["spec"].get("ingress", [])]
        peers = [peer["podSelector"] for rule in rules for peer in rule["from"] if peer.keys() == {"podSelector"}]
        callers = {source for source, source_labels in pods.items() if any(_selects(p, source_labels) for p in peers)}
        assert callers == CALLERS.get(target, set()), target
        outside = [peer for rule in rules for peer in rule["from"] if "namespaceSelector" in peer]
        expected = [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": INGRESS_NAMESPACE}}}]
        assert outside == (expected if target == "gateway" else []), target


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_callers_allowed_in_are_the_ones_the_code_configures(overlay):
    """The policy's callers are grounded in the settings: each has an address of the Service it may reach."""
    templates = pod_templates(overlay)
    for target, callers in CALLERS.items():
        for caller in callers:
            (template,) = [t for t in templates.values() if label_name(t) == caller]
            env = container_env(overlay, template["spec"]["containers"][0])
            assert target in {host for host, _ in addresses(env).values()}, f"{caller} has no address of {target}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_serves_the_desktop_and_wap_hosts_through_the_gateway(overlay):
    (ingress,) = objects(overlay, "Ingress").values()
    hosts = [rule["host"] for rule in ingress["spec"]["rules"]]
    assert hosts == [hosts[0], f"wap.{hosts[0]}"] and ingress["spec"]["tls"][0]["hosts"] == hosts
    for rule in ingress["spec"]["rules"]:
        (path,) = rule["http"]["paths"]
        assert path["backend"]["service"] == {"name": "gateway", "port": {"name": "http"}}
    body_limit = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
    assert int(body_limit.removesuffix("k")) * 1024 == CODE["gateway"].env["GATEWAY_MAX_BODY_BYTES"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_jobs_migrate_both_databases_and_a_reindex_waits_to_be_started(overlay):
    jobs = {container_code(j["spec"]["template"]["spec"]["containers"][0]) for j in objects(overlay, "Job").values()}
    assert {("catalog", "migrate"), ("catalog", "bootstrap-admin"), ("feedback", "migrate")} <= jobs
    reindex = objects(overlay, "CronJob")["search-reindex"]
    assert reindex["spec"]["suspend"] is True
    template = reindex["spec"]["jobTemplate"]["spec"]["template"]
    assert container_code(template["spec"]["containers"][0]) == ("search", "reindex")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_namespace_enforces_a_pod_security_standard(overlay):
    (namespace,) = objects(overlay, "Namespace").values()
    labels = namespace["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] in ("baseline", "restricted")
    assert labels["pod-security.kubernetes.io/warn"] == labels["pod-security.kubernetes.io/audit"] == "restricted"
