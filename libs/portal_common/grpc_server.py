"""Serving a service over gRPC: standard health checking, reflection, tracing and graceful shutdown.

The lifecycle drives health: SERVING once started; NOT_SERVING as soon as SIGTERM arrives, so that load balancers
stop sending work; then in-flight calls get `shutdown_grace` seconds to finish before the process exits.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio
from grpc_reflection.v1alpha import reflection

from portal_common.settings import GrpcServiceSettings
from portal_common.signals import stop_on_signals
from portal_common.telemetry import shutdown_tracing, tracing_enabled

log = logging.getLogger(__name__)
# The resident's or staff member's address, set by the gateway, for rate limits and the log-in lock-out.
CLIENT_IP_KEY = "x-portal-client-ip"


def metadata_value(context: grpc.aio.ServicerContext, key: str) -> str:
    for name, value in context.invocation_metadata() or ():
        if name == key:
            return value
    return ""


@dataclass(frozen=True)
class Servicer:
    """One gRPC service to serve: the implementation, its generated `add_..._to_server` and its full name."""

    implementation: Any
    add_to_server: Callable[[Any, grpc.aio.Server], None]
    full_name: str


# Calls under way on a connection past its age get this long to finish: longer than any call's deadline.
MAX_CONNECTION_AGE_GRACE = 60.0


def connection_options(settings: GrpcServiceSettings) -> list[tuple[str, int]]:
    return [
        ("grpc.max_connection_age_ms", int(settings.max_connection_age * 1000)),
        ("grpc.max_connection_age_grace_ms", int(MAX_CONNECTION_AGE_GRACE * 1000)),
    ]


async def serve(
    settings: GrpcServiceSettings,
    servicers: Sequence[Servicer],
    background: Sequence[Callable[[], Awaitable[None]]] = (),
    ready_when: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Serve until SIGTERM/SIGINT, then drain. Background jobs run alongside; one that fails takes the process
    down with it, so that the supervisor restarts it rather than leaving a half-working service. With
    `ready_when`, health stays NOT_SERVING until that coroutine returns (a dependency the API cannot work without)."""
    interceptors = []
    if tracing_enabled():
        from opentelemetry.instrumentation.grpc import aio_server_interceptor, filters

        interceptors.append(aio_server_interceptor(filter_=filters.negate(filters.health_check())))
    server = grpc.aio.server(interceptors=interceptors, options=connection_options(settings))
    health = health_aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    names = [s.full_name for s in servicers]
    for s in servicers:
        s.add_to_server(s.implementation, server)
    reflection.enable_server_reflection(
        [*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME], server
    )
    server.add_insecure_port(settings.grpc_listen)
    for name in ("", *names):
        await health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    await server.start()

    async def announce_serving() -> None:
        if ready_when is not None:
            await ready_when()
        for name in ("", *names):
            await health.set(name, health_pb2.HealthCheckResponse.SERVING)
        log.info("serving %s on %s", ", ".join(names), settings.grpc_listen)

    background = [announce_serving, *background]

    stopping = stop_on_signals()
    failures: list[BaseException] = []

    def _watch(task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed: %r", task.get_name(), task.exception())
            failures.append(task.exception())
            stopping.set()

    tasks = [asyncio.create_task(job(), name=getattr(job, "__qualname__", "background")) for job in background]
    for task in tasks:
        task.add_done_callback(_watch)
    await stopping.wait()

    log.info(
        "draining: NOT_SERVING for %.1fs, then %.1fs grace for in-flight calls",
        settings.drain_delay,
        settings.shutdown_grace,
    )
    await health.enter_graceful_shutdown()
    await asyncio.sleep(settings.drain_delay)
    await server.stop(settings.shutdown_grace)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    shutdown_tracing()
    if failures:
        raise RuntimeError("a background task failed") from failures[0]
    log.info("stopped")
