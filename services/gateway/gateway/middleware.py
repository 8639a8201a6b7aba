"""ASGI middleware around every response: security headers, the request body limit and the wap. host name.

Plain ASGI rather than BaseHTTPMiddleware: they only look at the headers, so the body streams through untouched."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: the pages load /static files from this origin only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]
# The interactive API docs load their script from a CDN; they keep every header but the CSP.
NO_CSP_PATHS = ("/docs", "/redoc")
STATIC_CACHE = b"public, max-age=86400"


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name for name, _ in headers}
                headers += [(n, v) for n, v in SECURITY_HEADERS if n not in names]
                if not path.startswith(NO_CSP_PATHS):
                    headers.append((b"content-security-policy", CSP.encode()))
                if path.startswith("/static/") and b"cache-control" not in names:
                    headers.append((b"cache-control", STATIC_CACHE))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """413 with a JSON error for a body over the limit: at once when Content-Length says so, else while reading."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            return await self._refuse(send)
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {"code": "body_too_large", "message": f"提交的内容太大，不能超过 {self.max_bytes // 1024} KB"},
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


# On the wap. host these keep their own meaning; every other path is a WAP page (/x is served as /m/x).
SHARED_PREFIXES = ("/m/", "/static/", "/api/", "/search/go", "/healthz", "/readyz", "/openapi.json", "/docs")


class WapHost:
    """A Host header starting with `wap.` serves the WAP site at `/`: the original ran a separate host for phones."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()
            if host.startswith("wap."):
                scope = {**scope, "state": {**scope.get("state", {}), "wap_host": True}}
                path = scope["path"]
                if path != "/m" and not path.startswith(SHARED_PREFIXES):
                    scope["path"] = "/m" + path
                    scope["raw_path"] = b"/m" + scope.get("raw_path", path.encode())
        await self.app(scope, receive, send)
