"""The images' health probe (`python -m portal_common.healthcheck`) against a real gRPC health service and a real
HTTP server: its exit status is what Docker's HEALTHCHECK and compose's health-gated start order go by."""

import os
import subprocess
import sys
import threading
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from portal_common.testing import SERVICE_PYTHONPATH, free_port


def probe(*target: str, env: dict[str, str] | None = None) -> int:
    environment = {**os.environ, "PYTHONPATH": SERVICE_PYTHONPATH, **(env or {})}
    command = [sys.executable, "-m", "portal_common.healthcheck", *target]
    return subprocess.run(command, env=environment, capture_output=True, timeout=60).returncode


@pytest.fixture
def grpc_health():
    port = free_port()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    yield port, servicer
    server.stop(grace=None)


@pytest.fixture
def http_server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            self.send_response(200 if self.path == "/healthz" else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_grpc_server_is_healthy_only_while_serving(grpc_health):
    port, servicer = grpc_health
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    assert probe(f"127.0.0.1:{port}") == 0
    servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)  # draining after SIGTERM
    assert probe(f"127.0.0.1:{port}") == 1


def test_nothing_listening_is_unhealthy():
    assert probe(f"127.0.0.1:{free_port()}") == 1
    assert probe(f"http://127.0.0.1:{free_port()}/healthz") == 1


def test_an_http_target_must_answer_2xx(http_server):
    assert probe(f"http://127.0.0.1:{http_server}/healthz") == 0
    assert probe(f"http://127.0.0.1:{http_server}/readyz") == 1


def test_without_a_target_the_image_probes_the_port_its_service_settings_read(grpc_health, http_server):
    port, servicer = grpc_health
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    assert probe(env={"SERVICE": "feedback", "FEEDBACK_GRPC_PORT": str(port)}) == 0
    assert probe(env={"SERVICE": "catalog", "CATALOG_GRPC_PORT": str(free_port())}) == 1
    assert probe(env={"SERVICE": "gateway", "GATEWAY_HTTP_PORT": str(http_server)}) == 0
