"""`python -m gateway serve`: uvicorn stops accepting on SIGTERM and finishes in-flight requests first."""

import uvicorn

from gateway.app import create_app
from gateway.config import GatewaySettings
from portal_common import cli
from portal_common.telemetry import configure_tracing, shutdown_tracing


def serve(settings: GatewaySettings) -> None:
    configure_tracing("gateway")
    app = create_app(settings)
    try:
        uvicorn.run(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_level=settings.log_level.lower(),
            timeout_graceful_shutdown=int(settings.shutdown_grace),
            access_log=False,
        )
    finally:
        shutdown_tracing()


if __name__ == "__main__":
    cli.run("gateway", GatewaySettings(), {"serve": serve})
