"""The gateway application: routes, error bodies, health and readiness."""

import asyncio
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from gateway import api, backoffice, feedback_api, pages
from gateway.config import GatewaySettings
from gateway.rpc import ApiError, Dependency, Services
from portal_common.telemetry import tracing_enabled


def create_app(settings: GatewaySettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.settings = settings
        app.state.services = Services(settings)
        app.state.http = httpx.AsyncClient(timeout=1.0)
        try:
            yield
        finally:
            await app.state.services.close()
            await app.state.http.aclose()

    app = FastAPI(title="政务服务门户 API", version="1", lifespan=lifespan)
    app.include_router(api.router)
    app.include_router(backoffice.router)
    app.include_router(feedback_api.router)
    app.include_router(feedback_api.staff_router)
    app.include_router(pages.router)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_api_route("/healthz", healthz, methods=["GET"])
    app.add_api_route("/readyz", readyz, methods=["GET"])
    if tracing_enabled():
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz")
    return app


async def _api_error(request: Request, error: ApiError):
    if request.url.path.startswith("/api/"):
        body = {"code": error.code, "message": error.message}
        if error.field:
            body["field"] = error.field
        return JSONResponse(body, status_code=error.status)
    return pages.error_page(request, error)


async def _invalid_request(request: Request, error: RequestValidationError):
    fields = [".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]) for e in error.errors()]
    api_error = ApiError(422, "invalid_request", f"请求参数不正确：{'、'.join(fields)}", fields[0] if fields else "")
    return await _api_error(request, api_error)


async def healthz() -> dict:
    """The process is alive (nothing else is checked: a restart would not fix a dependency)."""
    return {"status": "ok"}


async def readyz(request: Request) -> JSONResponse:
    """200 only when every dependency answers; the body says which one does not."""
    settings: GatewaySettings = request.app.state.settings
    http: httpx.AsyncClient = request.app.state.http
    services, nats, engine = await asyncio.gather(
        request.app.state.services.health(),
        _http_check(http, "nats", f"{settings.nats_monitor_url}/healthz?js-enabled-only=true"),
        _http_check(http, "opensearch", f"{settings.opensearch_url}/_cluster/health"),
    )
    dependencies = [*services, nats, engine]
    ready = all(d.ok for d in dependencies)
    body = {
        "status": "ready" if ready else "not_ready",
        "dependencies": {d.name: {"ok": d.ok, "detail": d.detail} for d in dependencies},
    }
    return JSONResponse(body, status_code=200 if ready else 503)


async def _http_check(http: httpx.AsyncClient, name: str, url: str) -> Dependency:
    try:
        response = await http.get(url)
    except httpx.HTTPError as error:
        return Dependency(name, False, type(error).__name__)
    if response.status_code != 200:
        return Dependency(name, False, f"HTTP {response.status_code}")
    if name == "opensearch" and response.json().get("status") == "red":
        return Dependency(name, False, "cluster status red")
    return Dependency(name, True, "ok")
