"""The gateway application: routes, error bodies, health and readiness."""

import asyncio
import logging
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from gateway import api, backoffice, browse, feedback_api, guide_sheet, interaction, pages, staff_pages, staff_web, wap
from gateway.config import GatewaySettings
from gateway.middleware import BodyLimit, SecurityHeaders, WapHost
from gateway.page_cache import PageCache, PageStore, purge_on_events
from gateway.ratelimit import RateLimits
from gateway.rpc import ApiError, Dependency, Services
from gateway.web import STATIC
from portal_common.telemetry import tracing_enabled

log = logging.getLogger(__name__)


def create_app(settings: GatewaySettings) -> FastAPI:
    pages_kept = PageStore(
        settings.page_cache_seconds, settings.unkeyed_page_cache_seconds, settings.page_cache_mb * 1024 * 1024
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.settings = settings
        app.state.services = Services(settings)
        app.state.rate_limits = RateLimits(settings)
        app.state.http = httpx.AsyncClient(timeout=1.0)
        purging = asyncio.create_task(purge_on_events(settings.nats_url, pages_kept)) if pages_kept.enabled else None
        try:
            yield
        finally:
            if purging is not None:
                purging.cancel()
            await app.state.services.close()
            await app.state.http.aclose()

    app = FastAPI(title="政务服务门户 API", version="1", lifespan=lifespan)
    app.include_router(api.router)
    app.include_router(backoffice.router)
    app.include_router(feedback_api.router)
    app.include_router(feedback_api.staff_router)
    app.include_router(pages.router)
    app.include_router(browse.router)
    app.include_router(guide_sheet.router)
    app.include_router(interaction.router)
    app.include_router(wap.router)
    app.include_router(staff_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Outermost last: the wap. host is mapped first, then the body limit, kept pages are answered before any of
    # that runs, and every answer gets the headers.
    app.add_middleware(WapHost)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(PageCache, store=pages_kept)
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(ValueError, _out_of_range)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
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
        headers = {"Retry-After": str(error.retry_after)} if hasattr(error, "retry_after") else None
        return JSONResponse(body, status_code=error.status, headers=headers)
    if request.url.path == "/staff" or request.url.path.startswith("/staff/"):
        return staff_web.error_page(request, error)
    return pages.error_page(request, error)


async def _invalid_request(request: Request, error: RequestValidationError):
    fields = [".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]) for e in error.errors()]
    api_error = ApiError(422, "invalid_request", f"请求参数不正确：{'、'.join(fields)}", fields[0] if fields else "")
    return await _api_error(request, api_error)


async def _out_of_range(request: Request, error: ValueError):
    """A value the contracts cannot carry (a number beyond int32/int64 in a body, say) is the client's mistake."""
    log.warning("refused out-of-range input on %s: %s", request.url.path, error)
    return await _api_error(request, ApiError(400, "invalid_request", "请求参数超出允许的范围"))


# Errors the framework raises itself (no such route, wrong method, a body it cannot parse), in the house format.
HTTP_ERRORS = {
    400: ("bad_request", "请求格式不正确"),
    404: ("not_found", "您访问的页面或接口不存在"),
    405: ("method_not_allowed", "不支持该请求方式"),
}


async def _http_error(request: Request, error: HTTPException):
    code, message = HTTP_ERRORS.get(error.status_code, ("request_failed", "请求未能完成"))
    response = await _api_error(request, ApiError(error.status_code, code, message))
    response.headers.update(error.headers or {})
    return response


async def _unexpected(request: Request, error: Exception):
    """A bug: logged with its trace for us, a plain message for the reader (never the trace)."""
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return await _api_error(request, ApiError(500, "internal_error", "系统繁忙，请稍后再试"))


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
