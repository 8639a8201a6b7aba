"""What the code itself says a deployment must provide: for each service, the environment variables its settings
class reads, which of them must be set in a container, where it listens, and the commands its CLI accepts.

The compose file and the Kubernetes manifests are checked against this, so that they cannot drift from the code."""

import ast
from dataclasses import dataclass
from pathlib import Path

from portal_common.healthcheck import settings_class
from portal_common.settings import GrpcServiceSettings

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("catalog", "search", "feedback", "gateway")
# Commands that keep running; the others (migrate, seed, reindex, ...) are one-shot steps.
LONG_RUNNING = {"serve", "index"}
# OpenTelemetry's SDK reads the standard OTEL_* variables itself (libs/portal_common/telemetry.py).
OTEL_PREFIX = "OTEL_"
LOOPBACK = "127.0.0.1"
# gRPC's DNS resolver, which hands a round_robin channel every address behind a name (portal_common/grpc_client.py).
GRPC_DNS = "dns:///"
# Settings every service inherits that one of them never uses, so their loopback defaults may stay.
UNUSED = {"gateway": {"NATS_URL"}}


@dataclass(frozen=True)
class ServiceCode:
    name: str
    env: dict[str, object]  # environment variable → the setting's default
    secrets: frozenset[str]  # variables that must hold a real secret in production
    listen_host_env: str
    port_env: str
    port: int  # the default port
    grpc: bool
    commands: frozenset[str]

    def listen_port(self, env: dict[str, str]) -> int:
        return int(env.get(self.port_env, self.port))

    def required(self, command: str) -> set[str]:
        """Variables a container running `command` must set: secrets, the database, and every setting whose
        default points at loopback (nothing else runs in the container) unless the service never uses it."""
        required = set(self.secrets) | {name for name in self.env if name.endswith("_DATABASE_URL")}
        if command in LONG_RUNNING:
            loopback = {name for name, default in self.env.items() if LOOPBACK in str(default)}
            required |= loopback - UNUSED.get(self.name, set())
        return required

    def unknown(self, names: set[str]) -> set[str]:
        return {name for name in names if name not in self.env and not name.startswith(OTEL_PREFIX)}


def _commands(service: str) -> frozenset[str]:
    """The keys of the command table passed to `cli.run` in the service's __main__.py."""
    tree = ast.parse((REPO / "services" / service / service / "__main__.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if "serve" in keys:
                return frozenset(keys)
    raise LookupError(f"no command table in services/{service}/{service}/__main__.py")


def service_code(service: str) -> ServiceCode:
    cls = settings_class(service)
    prefix = cls.model_config.get("env_prefix", "")
    env, by_field = {}, {}
    for field_name, field in cls.model_fields.items():
        alias = field.validation_alias
        name = (alias if isinstance(alias, str) else f"{prefix}{field_name}").upper()
        default = field.default_factory() if field.default_factory else field.default
        env[name] = default
        by_field[field_name] = name
    grpc = issubclass(cls, GrpcServiceSettings)
    host_field, port_field = ("grpc_host", "grpc_port") if grpc else ("http_host", "http_port")
    secret_fields = cls.model_construct().secret_fields()
    return ServiceCode(
        name=service,
        env=env,
        secrets=frozenset(by_field[f] for f in secret_fields),
        listen_host_env=by_field[host_field],
        port_env=by_field[port_field],
        port=env[by_field[port_field]],
        grpc=grpc,
        commands=_commands(service),
    )


CODE = {service: service_code(service) for service in SERVICES}


def check_environment(code: ServiceCode, command: str, env: dict[str, str]) -> list[str]:
    """What is wrong with the environment a container of this service runs `command` with."""
    problems = []
    if command not in code.commands:
        problems.append(f"command {command!r} is not one of {sorted(code.commands)}")
    if unknown := code.unknown(set(env)):
        problems.append(f"sets variables its settings never read: {sorted(unknown)}")
    if missing := code.required(command) - set(env):
        problems.append(f"leaves unset: {sorted(missing)}")
    if env.get("PORTAL_ENV") != "production":
        problems.append("PORTAL_ENV is not production (placeholder secrets would be accepted)")
    if command == "serve" and env.get(code.listen_host_env) != "0.0.0.0":
        problems.append(f"{code.listen_host_env} must be 0.0.0.0 to be reachable from outside the container")
    return problems


def addresses(env: dict[str, str]) -> dict[str, tuple[str, int]]:
    """The host:port of every gRPC address and URL among the variables (`catalog:50051`, `dns:///catalog:50051`,
    `http://nats:8222`, `postgresql+psycopg://user:password@postgres:5432/catalog`)."""
    found = {}
    for name, value in env.items():
        if name.endswith("_ADDRESS"):
            host, _, port = value.removeprefix(GRPC_DNS).rpartition(":")
            found[name] = (host, int(port))
        elif name.endswith(("_URL", "_ENDPOINT")) and "://" in value:
            netloc = value.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
            host, _, port = netloc.partition(":")
            found[name] = (host, int(port) if port else 80)
    return found
