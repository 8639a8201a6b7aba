"""`python -m portal_common.healthcheck [TARGET]`: exit 0 when the server there is healthy.

For container health checks, which have no gRPC client of their own. TARGET is `HOST:PORT` (the standard gRPC
health service must answer SERVING) or an `http://` URL (it must answer 2xx). Without TARGET, the service named by
$SERVICE (as the image sets it) is probed on loopback at the port its own settings read, so that a port changed
by environment is probed where the service listens."""

import importlib
import inspect
import os
import sys
import urllib.request

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

TIMEOUT_SECONDS = 2


def check_grpc(address: str) -> int:
    with grpc.insecure_channel(address) as channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=TIMEOUT_SECONDS
            )
        except grpc.RpcError as error:
            print(f"{address}: {error.code().name}", file=sys.stderr)
            return 1
    return 0 if response.status == health_pb2.HealthCheckResponse.SERVING else 1


def check_http(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (loopback URL)
            return 0 if 200 <= response.status < 300 else 1
    except OSError as error:
        print(f"{url}: {error}", file=sys.stderr)
        return 1


def settings_class(service: str) -> type:
    """The settings class a service defines in `<service>/config.py` (each defines exactly one). Imported only
    when asked: importing a service's settings may cost a probe more than the probe itself (search's pull in its
    analysis chain), which is why compose and Kubernetes name the target."""
    from portal_common.settings import ServiceSettings

    module = importlib.import_module(f"{service}.config")
    classes = [
        value
        for value in vars(module).values()
        if inspect.isclass(value) and issubclass(value, ServiceSettings) and value.__module__ == module.__name__
    ]
    if len(classes) != 1:
        raise LookupError(f"{service}.config defines {len(classes)} settings classes, expected one")
    return classes[0]


def target_for(service: str) -> str:
    """Where the service's own probe goes: its gRPC port, or its HTTP /healthz."""
    from portal_common.settings import GrpcServiceSettings

    settings = settings_class(service)()
    if isinstance(settings, GrpcServiceSettings):
        return f"127.0.0.1:{settings.grpc_port}"
    return f"http://127.0.0.1:{settings.http_port}/healthz"


def main(target: str) -> int:
    return check_http(target) if target.startswith(("http://", "https://")) else check_grpc(target)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else target_for(os.environ["SERVICE"])))
