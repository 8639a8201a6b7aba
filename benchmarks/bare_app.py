"""`python -m benchmarks.bare_app`: a trivial FastAPI app served exactly as the gateway is served.

The gateway's own `serve` runs it, with `create_app` swapped for this app, so whatever server, workers and options
the gateway uses, the yardstick uses too: the item page ÷ this endpoint is what the portal's own work costs.
"""

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from gateway import __main__ as gateway_server
from gateway.config import GatewaySettings

PAGE = "<!doctype html><html lang=zh-CN><title>事项</title><p>办事指南</p></html>"


def create_app(settings: GatewaySettings) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/items/{item_id}", response_class=HTMLResponse)
    async def item_page(item_id: int) -> str:
        return PAGE

    return app


if __name__ == "__main__":
    gateway_server.create_app = create_app
    gateway_server.serve(GatewaySettings())
