"""The catalog's gRPC API: map requests to domain calls and results back; nothing else lives here."""

import json
from collections.abc import Awaitable, Callable

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog import service, staff
from catalog.convert import (
    ROLE_FROM_PROTO,
    STATUS_FROM_PROTO,
    department_fields,
    department_to_proto,
    item_fields,
    item_to_proto,
    staff_to_proto,
    unit_to_proto,
)
from catalog.read_cache import CatalogCache, ItemCache
from portal.catalog.v1 import catalog_pb2 as pb
from portal.catalog.v1 import catalog_pb2_grpc
from portal_common.database import run_to_completion
from portal_common.errors import grpc_errors
from portal_common.grpc_server import CLIENT_IP_KEY, metadata_value


def bearer_token(context: grpc.aio.ServicerContext) -> str:
    value = metadata_value(context, "authorization")
    return value.removeprefix("Bearer ") if value.startswith("Bearer ") else ""


def _timestamp(value) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


class CatalogServicer(catalog_pb2_grpc.CatalogServiceServicer):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        on_commit: Callable[[], None],
        login_limits: staff.LoginLimits = staff.DEFAULT_LOGIN_LIMITS,
    ):
        self._sessions = sessions
        self._on_commit = on_commit  # wakes the outbox relay
        self._login_limits = login_limits
        self._cache = CatalogCache()
        self._items = ItemCache()

    async def _actor(self, session: AsyncSession, context) -> service.Actor:
        return staff.actor(await staff.staff_for_token(session, token=bearer_token(context)))

    async def _write(self, context, change: Callable[[AsyncSession, service.Actor], Awaitable], to_proto):
        """Run one staff change in its own transaction (to its end, even when the caller gives up); after the
        commit, wake the relay for its events."""

        async def transaction():
            async with self._sessions() as session:
                row = await change(session, await self._actor(session, context))
                await session.commit()
                return to_proto(row)

        result = await run_to_completion(transaction())
        self._on_commit()
        return result

    # --- reading ---------------------------------------------------------------------------------------------

    @grpc_errors
    async def GetItem(self, request: pb.GetItemRequest, context) -> pb.ServiceItem:
        async with self._sessions() as session:
            return await self._items.get(session, request.id)

    @grpc_errors
    async def ListItems(self, request: pb.ListItemsRequest, context) -> pb.ListItemsResponse:
        filters = service.ItemFilter(
            department_id=request.department_id,
            section=request.section,
            item_type=request.item_type,
            audience=request.audience,
            theme=request.theme,
            life_event=request.life_event,
            online=request.online if request.HasField("online") else None,
            status=STATUS_FROM_PROTO.get(request.status, ""),
        )
        async with self._sessions() as session:
            total, items, next_token = await service.list_items(
                session, filters=filters, page_size=request.page_size or 20, page_token=request.page_token
            )
            return pb.ListItemsResponse(
                total=total, items=[item_to_proto(i) for i in items], next_page_token=next_token
            )

    @grpc_errors
    async def CountItems(self, request: pb.CountItemsRequest, context) -> pb.ItemCounts:
        async with self._sessions() as session:
            return await self._cache.get(session, "counts", _item_counts)

    @grpc_errors
    async def GetDepartment(self, request: pb.GetDepartmentRequest, context) -> pb.Department:
        async with self._sessions() as session:
            _, by_id = await self._cache.get(session, "departments", _departments)
        if request.id not in by_id:
            raise service.department_not_found(request.id)
        return by_id[request.id]

    @grpc_errors
    async def ListDepartments(self, request: pb.ListDepartmentsRequest, context) -> pb.ListDepartmentsResponse:
        async with self._sessions() as session:
            answer, _ = await self._cache.get(session, "departments", _departments)
        return answer

    @grpc_errors
    async def ListUnits(self, request: pb.ListUnitsRequest, context) -> pb.ListUnitsResponse:
        async with self._sessions() as session:
            units = await service.list_units(session, department_id=request.department_id)
        return pb.ListUnitsResponse(total=len(units), items=[unit_to_proto(u) for u in units])

    # --- staff edits -----------------------------------------------------------------------------------------

    @grpc_errors
    async def CreateItem(self, request: pb.CreateItemRequest, context) -> pb.ServiceItem:
        fields = item_fields(request.item)
        return await self._write(
            context, lambda session, actor: service.create_item(session, fields=fields, actor=actor), item_to_proto
        )

    @grpc_errors
    async def UpdateItem(self, request: pb.UpdateItemRequest, context) -> pb.ServiceItem:
        fields, item_id, version = item_fields(request.item), request.item.id, request.item.version
        return await self._write(
            context,
            lambda session, actor: service.update_item(
                session, item_id=item_id, fields=fields, expected_version=version, actor=actor
            ),
            item_to_proto,
        )

    @grpc_errors
    async def SetItemStatus(self, request: pb.SetItemStatusRequest, context) -> pb.ServiceItem:
        status = STATUS_FROM_PROTO.get(request.status, "")
        return await self._write(
            context,
            lambda session, actor: service.set_item_status(
                session, item_id=request.id, status=status, expected_version=request.expected_version, actor=actor
            ),
            item_to_proto,
        )

    @grpc_errors
    async def ListItemAudit(self, request: pb.ListItemAuditRequest, context) -> pb.ListItemAuditResponse:
        async with self._sessions() as session:
            actor = await self._actor(session, context)
            entries = await service.item_audit(session, item_id=request.item_id, actor=actor)
        return pb.ListItemAuditResponse(
            entries=[
                pb.AuditEntry(
                    version=e.version,
                    editor=e.editor,
                    changed_at=_timestamp(e.changed_at),
                    changes_json=json.dumps(e.changes, ensure_ascii=False),
                )
                for e in entries
            ]
        )

    @grpc_errors
    async def CreateDepartment(self, request: pb.CreateDepartmentRequest, context) -> pb.Department:
        fields = department_fields(request.department)
        return await self._write(
            context,
            lambda session, actor: service.create_department(session, fields=fields, actor=actor),
            department_to_proto,
        )

    @grpc_errors
    async def UpdateDepartment(self, request: pb.UpdateDepartmentRequest, context) -> pb.Department:
        fields, department = department_fields(request.department), request.department
        return await self._write(
            context,
            lambda session, actor: service.update_department(
                session,
                department_id=department.id,
                fields=fields,
                expected_version=department.version,
                actor=actor,
            ),
            department_to_proto,
        )

    # --- staff accounts and sessions -------------------------------------------------------------------------

    @grpc_errors
    async def Login(self, request: pb.LoginRequest, context) -> pb.LoginResponse:
        return await run_to_completion(self._login(request, context))

    async def _login(self, request: pb.LoginRequest, context) -> pb.LoginResponse:
        async with self._sessions() as session:
            token, member, expires_at = await staff.login(
                session,
                username=request.username,
                password=request.password,
                client_ip=metadata_value(context, CLIENT_IP_KEY),
                limits=self._login_limits,
            )
            return pb.LoginResponse(token=token, staff=staff_to_proto(member), expires_at=_timestamp(expires_at))

    @grpc_errors
    async def Logout(self, request: pb.LogoutRequest, context) -> pb.LogoutResponse:
        async with self._sessions() as session:
            await staff.logout(session, token=request.token)
        return pb.LogoutResponse()

    @grpc_errors
    async def GetSession(self, request: pb.GetSessionRequest, context) -> pb.Staff:
        async with self._sessions() as session:
            return staff_to_proto(await staff.staff_for_token(session, token=request.token))

    @grpc_errors
    async def CreateStaff(self, request: pb.CreateStaffRequest, context) -> pb.Staff:
        async with self._sessions() as session:
            actor = await self._actor(session, context)
            member = await staff.create_staff(
                session,
                username=request.staff.username,
                display_name=request.staff.display_name,
                role=ROLE_FROM_PROTO.get(request.staff.role, ""),
                department_id=request.staff.department_id or None,
                password=request.password,
                creator=actor,
            )
            await session.commit()
            return staff_to_proto(member)

    @grpc_errors
    async def ListStaff(self, request: pb.ListStaffRequest, context) -> pb.ListStaffResponse:
        async with self._sessions() as session:
            members = await staff.list_staff(session, viewer=await self._actor(session, context))
            return pb.ListStaffResponse(items=[staff_to_proto(m) for m in members])


# --- answers kept until the catalog is written (see read_cache) ------------------------------------------------


async def _item_counts(session: AsyncSession) -> pb.ItemCounts:
    counts = await service.count_items(session)

    def named(pairs):
        return [pb.NamedCount(name=name, count=count) for name, count in pairs]

    return pb.ItemCounts(
        sections=named(counts.sections),
        themes=named(counts.themes),
        life_events=named(counts.life_events),
        audiences=named(counts.audiences),
    )


async def _departments(session: AsyncSession) -> tuple[pb.ListDepartmentsResponse, dict[int, pb.Department]]:
    """Every department with its published items, and each of them by id."""
    departments = await service.list_departments(session)
    counts = await service.published_item_counts(session)
    answer = pb.ListDepartmentsResponse(
        total=len(departments), items=[department_to_proto(d, counts.get(d.id, 0)) for d in departments]
    )
    return answer, {d.id: d for d in answer.items}
