"""Where benchmark load goes: the portal's paths (the gateway's search API and item pages, the search service's
gRPC) and the yardsticks they are measured against (the engine asked directly with the very bodies the search
service builds, a bare FastAPI app served like the gateway). Each target is called with one "query" and raises
when the request failed."""

import json
import os
from collections.abc import Iterable
from pathlib import Path

import aiohttp
import grpc
import httpx

from portal.search.v1 import search_pb2, search_pb2_grpc
from portal_common.local_stack import PortalStack
from portal_common.testing import SERVICE_PYTHONPATH, free_port, wait_for
from search import analysis, synonyms
from search.service import Filters, ItemSearch

REPO_ROOT = Path(__file__).resolve().parents[1]
PAGE_SIZE = 10  # the gateway's default page
REQUEST_TIMEOUT = 5.0
BARE_APP = "bare app"  # its name among the stack's processes


def engine_bodies(queries: Iterable[str], alias: str) -> dict[str, bytes]:
    """Each query's engine request as the search service builds it (no best bet pinned), serialized once."""
    builder = ItemSearch(None, alias, synonyms.SynonymFile(synonyms.DEFAULT_FILE))  # type: ignore[arg-type]
    bodies = {}
    for query in set(queries):
        text = analysis.normalize(query)
        body = builder.query_body(text, page=1, size=PAGE_SIZE, filters=Filters(), pinned=[])
        bodies[query] = json.dumps(body, ensure_ascii=False).encode()
    return bodies


class HttpTarget:
    """aiohttp, not httpx: httpx spends ~3 ms of CPU per request here, aiohttp under 1 ms, and the load generator
    shares two cores with the portal."""

    def __init__(self, base_url: str):
        self._session = aiohttp.ClientSession(base_url, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT))

    async def _check(self, response: aiohttp.ClientResponse) -> None:
        body = await response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body[:200].decode(errors='replace')}")

    async def close(self) -> None:
        await self._session.close()


class GatewaySearch(HttpTarget):
    """`GET /api/v1/search`: the JSON API, through the gateway and the search service to the engine."""

    async def __call__(self, query: str) -> None:
        async with self._session.get("/api/v1/search", params={"q": query, "size": PAGE_SIZE}) as response:
            await self._check(response)


class GrpcSearch:
    """The search service's gRPC `Search`, as the gateway calls it."""

    def __init__(self, address: str):
        self._channel = grpc.aio.insecure_channel(address)
        self._stub = search_pb2_grpc.SearchServiceStub(self._channel)

    async def __call__(self, query: str) -> None:
        request = search_pb2.SearchRequest(query=query, page=1, size=PAGE_SIZE)
        await self._stub.Search(request, timeout=REQUEST_TIMEOUT)

    async def close(self) -> None:
        await self._channel.close()


class EngineSearch(HttpTarget):
    """A query's body straight to the engine's `_search` on `index` (an alias or an index)."""

    def __init__(self, engine_url: str, index: str, bodies: dict[str, bytes]):
        super().__init__(engine_url)
        self._path = f"/{index}/_search"
        self._bodies = bodies

    async def __call__(self, query: str) -> None:
        headers = {"Content-Type": "application/json"}
        async with self._session.post(self._path, data=self._bodies[query], headers=headers) as response:
            await self._check(response)


class ItemPage(HttpTarget):
    """`GET /items/{id}`: the desktop guide page of an item (the "query" is the item id)."""

    async def __call__(self, item_id: str) -> None:
        async with self._session.get(f"/items/{item_id}") as response:
            await self._check(response)


def start_bare_app(stack: PortalStack, timeout: float = 60) -> str:
    """The bare FastAPI app as a process of the stack (stopped with it), on a port of its own; returns its URL."""
    port = free_port()
    env = {"GATEWAY_HTTP_PORT": str(port), "PYTHONPATH": f"{SERVICE_PYTHONPATH}{os.pathsep}{REPO_ROOT}"}
    process = stack.start(BARE_APP, "benchmarks.bare_app", env=env)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: httpx.get(f"{url}/items/1", timeout=2).status_code == 200, timeout, "the bare app", process)
    return url
