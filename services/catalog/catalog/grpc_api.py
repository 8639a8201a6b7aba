"""The catalog's gRPC API: map requests to domain calls and results back; nothing else lives here."""

from collections.abc import Callable

import grpc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog import service
from catalog.convert import STATUS_TO_PROTO, department_to_proto, item_to_proto
from portal.catalog.v1 import catalog_pb2 as pb
from portal.catalog.v1 import catalog_pb2_grpc
from portal_common.errors import grpc_errors

STATUS_FROM_PROTO = {v: k for k, v in STATUS_TO_PROTO.items()}


def draft_from_proto(draft: pb.ItemDraft) -> service.ItemDraft:
    return service.ItemDraft(
        code=draft.code,
        name=draft.name,
        aliases=list(draft.aliases),
        section=draft.section,
        item_type=draft.item_type,
        audience=draft.audience,
        department_id=draft.department_id,
        summary=draft.summary,
        fees=draft.fees,
        status=STATUS_FROM_PROTO.get(draft.status, "draft"),  # unspecified: nothing is published by omission
    )


class CatalogServicer(catalog_pb2_grpc.CatalogServiceServicer):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], on_commit: Callable[[], None]):
        self._sessions = sessions
        self._on_commit = on_commit  # wakes the outbox relay

    @grpc_errors
    async def GetItem(self, request: pb.GetItemRequest, context: grpc.aio.ServicerContext) -> pb.ServiceItem:
        async with self._sessions() as session:
            return item_to_proto(await service.get_item(session, item_id=request.id))

    @grpc_errors
    async def ListItems(self, request: pb.ListItemsRequest, context) -> pb.ListItemsResponse:
        async with self._sessions() as session:
            total, items = await service.list_items(
                session,
                page=request.page or 1,
                size=request.size or 20,
                department_id=request.department_id,
                status=STATUS_FROM_PROTO.get(request.status, ""),
            )
            return pb.ListItemsResponse(total=total, items=[item_to_proto(i) for i in items])

    @grpc_errors
    async def CreateItem(self, request: pb.CreateItemRequest, context) -> pb.ServiceItem:
        async with self._sessions() as session:
            item = await service.create_item(session, draft=draft_from_proto(request.draft), editor=request.editor)
            await session.commit()
        self._on_commit()
        return item_to_proto(item)

    @grpc_errors
    async def UpdateItem(self, request: pb.UpdateItemRequest, context) -> pb.ServiceItem:
        async with self._sessions() as session:
            item = await service.update_item(
                session,
                item_id=request.id,
                draft=draft_from_proto(request.draft),
                expected_version=request.expected_version,
                editor=request.editor,
            )
            await session.commit()
        self._on_commit()
        return item_to_proto(item)

    @grpc_errors
    async def GetDepartment(self, request: pb.GetDepartmentRequest, context) -> pb.Department:
        async with self._sessions() as session:
            return department_to_proto(await service.get_department(session, department_id=request.id))

    @grpc_errors
    async def ListDepartments(self, request: pb.ListDepartmentsRequest, context) -> pb.ListDepartmentsResponse:
        async with self._sessions() as session:
            departments = await service.list_departments(session)
            return pb.ListDepartmentsResponse(
                total=len(departments), items=[department_to_proto(d) for d in departments]
            )
