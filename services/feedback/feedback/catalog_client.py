"""What the feedback service asks the catalog: who a staff session belongs to, and which department an item
belongs to.

Staff calls carry the catalog session token (`authorization: Bearer …`, passed on by the gateway); the service
asks the catalog's GetSession who that is and then enforces the roles itself, so a caller that bypasses the
gateway gets no further. Answers are cached for a few seconds (`FEEDBACK_STAFF_CACHE_SECONDS`): a busy back
office does not cost a catalog call per request, and a logout reaches feedback within that time."""

import hashlib
import logging
import time

import grpc

from feedback.flow import DEPARTMENT, OFFICE, Actor
from portal.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from portal_common import grpc_client
from portal_common.errors import ERROR_CODE_KEY, Invalid, Unauthenticated, Unavailable

log = logging.getLogger(__name__)
ROLES = {catalog_pb2.STAFF_ROLE_DEPARTMENT: DEPARTMENT, catalog_pb2.STAFF_ROLE_PORTAL_OFFICE: OFFICE}
MAX_CACHED = 10_000


class CatalogClient:
    def __init__(self, address: str, *, timeout: float = 2.0, cache_seconds: float = 10.0):
        self._channel = grpc_client.channel(address, catalog_pb2.DESCRIPTOR.services_by_name["CatalogService"])
        self._catalog = catalog_pb2_grpc.CatalogServiceStub(self._channel)
        self._timeout = timeout
        self._cache_seconds = cache_seconds
        self._sessions: dict[str, tuple[float, Actor]] = {}

    async def close(self) -> None:
        await self._channel.close()

    async def actor_for(self, token: str) -> Actor:
        if not token:
            raise Unauthenticated("login_required", "请先登录")
        key = hashlib.sha256(token.encode()).hexdigest()
        cached = self._sessions.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            staff = await self._catalog.GetSession(catalog_pb2.GetSessionRequest(token=token), timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.UNAUTHENTICATED:
                code = dict(error.trailing_metadata() or ()).get(ERROR_CODE_KEY, "session_invalid")
                raise Unauthenticated(code, error.details() or "登录已过期，请重新登录") from error
            log.warning("catalog GetSession failed: %s", error.code().name)
            raise Unavailable("catalog_unavailable", "暂时无法核实登录状态，请稍后再试") from error
        if staff.role not in ROLES:
            raise Unauthenticated("session_invalid", "登录已过期，请重新登录")
        actor = Actor(username=staff.username, role=ROLES[staff.role], department_id=staff.department_id)
        if len(self._sessions) >= MAX_CACHED:
            self._sessions.clear()
        self._sessions[key] = (time.monotonic() + self._cache_seconds, actor)
        return actor

    async def department_of_item(self, item_id: int) -> int | None:
        try:
            item = await self._catalog.GetItem(catalog_pb2.GetItemRequest(id=item_id), timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                raise Invalid("item_not_found", f"事项 {item_id} 不存在", field="item_id") from error
            log.warning("catalog GetItem failed (%s): the rating waits for the portal office", error.code().name)
            return None
        if item.status != catalog_pb2.ITEM_STATUS_PUBLISHED:
            raise Invalid("item_not_found", f"事项 {item_id} 不存在", field="item_id")
        return item.department_id

    async def department_exists(self, department_id: int) -> bool | None:
        try:
            await self._catalog.GetDepartment(catalog_pb2.GetDepartmentRequest(id=department_id), timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                return False
            log.warning("catalog GetDepartment failed (%s)", error.code().name)
            return None
        return True
