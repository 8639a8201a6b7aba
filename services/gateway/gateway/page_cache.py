"""The public pages as last rendered, kept in this process so that a popular page costs one rendering, not one per
visit: a small CDN of the gateway's own.

Only what the routes already declare public is kept (`Cache-Control: public`, status 200, no cookie), under
everything the page depends on (host, path, query, phone or not, XHTML or not). A page that names its sources in
`Surrogate-Key` (item-7, department-3, feedback-item-7, catalog, feedback) is kept `page_cache_seconds` and dropped
as soon as the catalog or feedback publishes an event about one of them; any other page (search results follow the
index, which sends no events) is kept `unkeyed_page_cache_seconds`. Missed events (NATS down) are bounded by the same
lifetimes, and a reconnection drops everything."""

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from nats.aio.client import Client as NATS
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.web import is_phone, not_modified, wap_media_type
from portal.events.v1 import events_pb2
from portal_common import messaging

log = logging.getLogger(__name__)
# Headers a kept page is answered with (a 304 carries the same validators and none of the body's headers).
VALIDATORS = (b"etag", b"last-modified", b"cache-control", b"vary", b"surrogate-key")


@dataclass
class Page:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str
    last_modified: datetime | None
    keys: frozenset[str]
    expires: float


class PageStore:
    """Pages by request key, the least recently used dropped first once they pass `max_bytes` together."""

    def __init__(self, keyed_seconds: float, unkeyed_seconds: float, max_bytes: int):
        self.keyed_seconds = keyed_seconds
        self.unkeyed_seconds = unkeyed_seconds
        self.max_bytes = max_bytes
        self._pages: OrderedDict[tuple, Page] = OrderedDict()
        self._bytes = 0
        # A page rendered while an event about its sources arrived may show the old data: each purge is numbered,
        # and a page is kept only when none of its keys was purged after its rendering began.
        self.generation = 0
        self._purged: dict[str, int] = {}
        self._cleared = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0 and (self.keyed_seconds > 0 or self.unkeyed_seconds > 0)

    def get(self, key: tuple) -> Page | None:
        page = self._pages.get(key)
        if page is None:
            return None
        if page.expires <= time.monotonic():
            self._drop(key)
            return None
        self._pages.move_to_end(key)
        return page

    def put(self, key: tuple, headers: list[tuple[bytes, bytes]], body: bytes, since: int) -> None:
        """Keep a page whose rendering began at generation `since`."""
        named = dict(headers)
        keys = frozenset(named.get(b"surrogate-key", b"").decode().split())
        seconds = self.keyed_seconds if keys else self.unkeyed_seconds
        if seconds <= 0 or len(body) > self.max_bytes // 10 or self._changed_since(since, keys):
            return
        since = named.get(b"last-modified")
        page = Page(
            headers=[(n, v) for n, v in headers if n != b"content-length"],
            body=body,
            etag=named.get(b"etag", b"").decode(),
            last_modified=parsedate_to_datetime(since.decode()) if since else None,
            keys=keys,
            expires=time.monotonic() + seconds,
        )
        self._drop(key)
        self._pages[key] = page
        self._bytes += len(body)
        while self._bytes > self.max_bytes:
            self._drop(next(iter(self._pages)))

    def purge(self, keys: set[str]) -> int:
        """Drop every page that names one of `keys`; how many went."""
        self.generation += 1
        self._purged.update(dict.fromkeys(keys, self.generation))
        stale = [key for key, page in self._pages.items() if page.keys & keys]
        for key in stale:
            self._drop(key)
        return len(stale)

    def clear(self) -> None:
        self.generation += 1
        self._cleared = self.generation
        self._pages.clear()
        self._bytes = 0

    def _changed_since(self, since: int, keys: frozenset[str]) -> bool:
        return self._cleared > since or any(self._purged.get(key, 0) > since for key in keys)

    def _drop(self, key: tuple) -> None:
        page = self._pages.pop(key, None)
        if page is not None:
            self._bytes -= len(page.body)


def request_key(request: Request) -> tuple:
    """Everything a public page may differ by (web.py: the host's wap. links, phone offers, the XHTML type; the
    scheme, which links built from the request carry)."""
    return (
        request.url.scheme,
        request.headers.get("host", ""),
        request.url.path,
        request.url.query,
        is_phone(request),
        wap_media_type(request),
    )


class PageCache:
    """ASGI middleware: answer GETs from the store, keep what the application marks public."""

    def __init__(self, app: ASGIApp, store: PageStore):
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not self.store.enabled:
            return await self.app(scope, receive, send)
        request = Request(scope)
        key = request_key(request)
        page = self.store.get(key)
        if page is not None:
            return await self._answer(request, page, send)
        await self.app(scope, receive, self._keeping(key, send, self.store.generation))

    async def _answer(self, request: Request, page: Page, send: Send) -> None:
        if not_modified(request, page.etag, page.last_modified):
            headers = [(n, v) for n, v in page.headers if n in VALIDATORS]
            await send({"type": "http.response.start", "status": 304, "headers": [*headers, (b"x-cache", b"HIT")]})
            return await send({"type": "http.response.body", "body": b""})
        headers = [*page.headers, (b"content-length", str(len(page.body)).encode()), (b"x-cache", b"HIT")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": page.body})

    def _keeping(self, key: tuple, send: Send, since: int) -> Send:
        start: Message | None = None
        chunks: list[bytes] = []

        async def keeping_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                named = dict(message.get("headers", []))
                if message["status"] == 200 and _public(named):
                    start = message
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self.store.put(key, list(start["headers"]), b"".join(chunks), since)
            await send(message)

        return keeping_send


def _public(headers: dict[bytes, bytes]) -> bool:
    return headers.get(b"cache-control", b"").startswith(b"public") and b"set-cookie" not in headers


def keys_of(subject: str, data: bytes) -> set[str]:
    """The surrogate keys an event makes stale; empty for events that change no public page (a new ticket or an
    experience waiting for moderation is not shown until a later step)."""
    if subject == "catalog.item.changed":
        item = events_pb2.CatalogItemChanged.FromString(data).item
        return {f"item-{item.id}", f"department-{item.department_id}", "catalog"}
    if subject == "catalog.department.changed":
        return {f"department-{events_pb2.DepartmentChanged.FromString(data).department.id}", "catalog"}
    if subject in ("feedback.ticket.created", "feedback.experience.submitted"):
        return set()
    if subject.startswith("feedback.ticket."):
        item_id = events_pb2.TicketChanged.FromString(data).item_id
    elif subject.startswith("feedback.rating."):
        item_id = events_pb2.RatingChanged.FromString(data).rating.item_id
    elif subject.startswith("feedback.experience."):
        item_id = events_pb2.ExperienceChanged.FromString(data).item_id
    else:
        return set()
    return {"feedback", f"feedback-item-{item_id}"} if item_id else {"feedback"}


async def purge_on_events(nats_url: str, store: PageStore) -> None:
    """Follow the catalog's and feedback's events (plain subscriptions: a gateway keeps no durable consumer, what
    it misses its page lifetimes bound) and drop the pages they make stale. Runs until cancelled."""
    # Events sent while disconnected are lost to a plain subscription: a reconnection drops every kept page.
    connection: NATS = await messaging.connect(nats_url, "gateway-page-cache", on_reconnect=store.clear)

    async def on_event(message) -> None:
        try:
            keys = keys_of(message.subject, message.data)
        except Exception:  # an event this gateway cannot read: drop everything rather than serve stale pages
            log.warning("unreadable event on %s: every kept page dropped", message.subject)
            return store.clear()
        if keys:
            store.purge(keys)

    try:
        await connection.subscribe("catalog.>", cb=on_event)
        await connection.subscribe("feedback.>", cb=on_event)
        store.clear()  # pages kept before the subscriptions began may be stale already
        await asyncio.Event().wait()
    finally:
        await connection.close()
