"""`python -m gateway serve`: the HTTP server in front of the gateway application.

GATEWAY_SERVER picks it (load-tests/README.md has the figures behind the default): `uvicorn` (uvloop and httptools,
as `uvicorn[standard]` installs them), `uvicorn-h11` (uvicorn's plain install: asyncio's loop and h11) or `granian`
(a Rust HTTP server). GATEWAY_WORKERS processes share the port. Each server stops accepting on SIGTERM and gives
in-flight requests SHUTDOWN_GRACE_SECONDS to finish."""

import os

import uvicorn
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from gateway.app import create_app
from gateway.config import GatewaySettings
from portal_common import cli
from portal_common.telemetry import configure_tracing, shutdown_tracing

FACTORY = "gateway.__main__:app_in_worker"
KEEP_ALIVE_SECONDS = 75
UVICORN_PROTOCOLS = {"uvicorn": ("uvloop", "httptools"), "uvicorn-h11": ("asyncio", "h11")}


def app_in_worker():
    """The application as each worker process builds it (several workers cannot share one object)."""
    configure_tracing("gateway")
    return create_app(GatewaySettings())


def proxied_app_in_worker():
    """Granian reads no X-Forwarded-For: the client address comes from a trusted proxy as under uvicorn, which
    trusts FORWARDED_ALLOW_IPS (127.0.0.1 by default)."""
    trusted = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
    return ProxyHeadersMiddleware(app_in_worker(), trusted_hosts=trusted)


def serve_uvicorn(settings: GatewaySettings) -> None:
    loop, http = UVICORN_PROTOCOLS[settings.server]
    uvicorn.run(
        FACTORY,
        factory=True,
        host=settings.http_host,
        port=settings.http_port,
        workers=settings.workers,
        loop=loop,
        http=http,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=int(settings.shutdown_grace),
        # Longer than a load balancer's or a browser's idle connections (60 s is common): closed after 5 s, uvicorn's
        # default, a connection a client is reusing at that moment fails its request (seen under `make load`).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        access_log=False,
    )


def serve_granian(settings: GatewaySettings) -> None:
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels
    from granian.server import Server

    Server(
        "gateway.__main__:proxied_app_in_worker",
        factory=True,
        address=settings.http_host,
        port=settings.http_port,
        interface=Interfaces.ASGI,
        workers=settings.workers,
        loop=Loops.uvloop,
        log_level=LogLevels(settings.log_level.lower()),
        workers_kill_timeout=max(1, int(settings.shutdown_grace)),
    ).serve()


def serve(settings: GatewaySettings) -> None:
    try:
        (serve_granian if settings.server == "granian" else serve_uvicorn)(settings)
    finally:
        shutdown_tracing()


if __name__ == "__main__":
    cli.run("gateway", GatewaySettings(), {"serve": serve})
