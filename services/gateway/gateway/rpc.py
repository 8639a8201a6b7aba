"""Thin typed clients for the services: deadlines, tracing, staff credentials and error mapping live here and
nowhere else."""

import asyncio
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway.config import GatewaySettings
from portal.catalog.v1 import catalog_pb2 as catalog
from portal.catalog.v1 import catalog_pb2_grpc
from portal.feedback.v1 import feedback_pb2 as feedback
from portal.feedback.v1 import feedback_pb2_grpc
from portal.search.v1 import search_pb2, search_pb2_grpc
from portal_common import grpc_client
from portal_common.errors import ERROR_CODE_KEY, ERROR_FIELD_KEY
from portal_common.grpc_server import CLIENT_IP_KEY
from portal_common.telemetry import tracing_enabled

HTTP_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.CANCELLED: 503,  # a busy server sheds calls: the client may send them again
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}


class ApiError(Exception):
    """An error the gateway answers with: HTTP status, machine-readable code, message for people, and the input
    field at fault when there is one."""

    def __init__(self, status: int, code: str, message: str, field: str = ""):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def _api_error(error: grpc.aio.AioRpcError) -> ApiError:
    trailers = dict(error.trailing_metadata() or ())
    status = HTTP_STATUS.get(error.code(), 502)
    if ERROR_CODE_KEY in trailers:  # a domain error: its message is written for people
        return ApiError(status, trailers[ERROR_CODE_KEY], error.details(), trailers.get(ERROR_FIELD_KEY, ""))
    if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
        return ApiError(504, "service_timeout", "服务响应超时，请稍后再试")
    return ApiError(status if status >= 500 else 502, "service_unavailable", "服务暂时不可用，请稍后再试")


@dataclass(frozen=True)
class Dependency:
    name: str
    ok: bool
    detail: str = ""


class Services:
    """One channel per service, opened at start-up and shared by every request."""

    def __init__(self, settings: GatewaySettings):
        interceptors = []
        if tracing_enabled():
            from opentelemetry.instrumentation.grpc import aio_client_interceptors, filters

            # Readiness probes every few seconds would bury the traces people look for.
            interceptors = aio_client_interceptors(filter_=filters.negate(filters.health_check()))
        self._timeout = settings.rpc_timeout
        self._channels = {
            name: grpc_client.channel(address, service, interceptors)
            for name, address, service in (
                ("catalog", settings.catalog_address, catalog.DESCRIPTOR.services_by_name["CatalogService"]),
                ("search", settings.search_address, search_pb2.DESCRIPTOR.services_by_name["SearchService"]),
                ("feedback", settings.feedback_address, feedback.DESCRIPTOR.services_by_name["FeedbackService"]),
            )
        }
        self._catalog = catalog_pb2_grpc.CatalogServiceStub(self._channels["catalog"])
        self._search = search_pb2_grpc.SearchServiceStub(self._channels["search"])
        self._feedback = feedback_pb2_grpc.FeedbackServiceStub(self._channels["feedback"])

    async def close(self) -> None:
        await asyncio.gather(*(channel.close() for channel in self._channels.values()))

    async def _call(self, method, request, token: str = "", client_ip: str = ""):
        """Call with the deadline (and the staff session, or the resident's address, when given); a failure
        becomes an ApiError."""
        metadata = (("authorization", f"Bearer {token}"),) if token else ()
        if client_ip:
            metadata += ((CLIENT_IP_KEY, client_ip),)
        try:
            return await method(request, timeout=self._timeout, metadata=metadata or None)
        except grpc.aio.AioRpcError as error:
            raise _api_error(error) from error

    # --- search --------------------------------------------------------------------------------------------

    async def search(
        self, query: str, page: int, size: int, filters: search_pb2.SearchFilters | None = None
    ) -> search_pb2.SearchResponse:
        request = search_pb2.SearchRequest(query=query, page=page, size=size, filters=filters)
        return await self._call(self._search.Search, request)

    async def suggest(self, prefix: str, size: int) -> list[search_pb2.Suggestion]:
        response = await self._call(self._search.Suggest, search_pb2.SuggestRequest(prefix=prefix, size=size))
        return list(response.items)

    async def record_click(self, query: str, item_id: int) -> None:
        await self._call(self._search.RecordClick, search_pb2.RecordClickRequest(query=query, item_id=item_id))

    async def list_best_bets(self) -> list[search_pb2.BestBet]:
        return list((await self._call(self._search.ListBestBets, search_pb2.ListBestBetsRequest())).best_bets)

    async def pin_best_bet(self, request: search_pb2.PinBestBetRequest) -> search_pb2.BestBet:
        return await self._call(self._search.PinBestBet, request)

    async def remove_best_bet(self, query: str, item_id: int) -> None:
        await self._call(self._search.RemoveBestBet, search_pb2.RemoveBestBetRequest(query=query, item_id=item_id))

    # --- catalog, as residents see it ----------------------------------------------------------------------

    async def get_published_item(self, item_id: int) -> catalog.ServiceItem:
        """An item as residents may see it: drafts and withdrawn items do not exist for them."""
        item = await self._call(self._catalog.GetItem, catalog.GetItemRequest(id=item_id))
        if item.status != catalog.ITEM_STATUS_PUBLISHED:
            raise ApiError(404, "item_not_found", f"事项 {item_id} 不存在")
        return item

    async def list_items(self, request: catalog.ListItemsRequest, token: str = "") -> catalog.ListItemsResponse:
        return await self._call(self._catalog.ListItems, request, token)

    async def count_items(self) -> catalog.ItemCounts:
        return await self._call(self._catalog.CountItems, catalog.CountItemsRequest())

    async def get_department(self, department_id: int) -> catalog.Department:
        return await self._call(self._catalog.GetDepartment, catalog.GetDepartmentRequest(id=department_id))

    async def list_departments(self) -> catalog.ListDepartmentsResponse:
        return await self._call(self._catalog.ListDepartments, catalog.ListDepartmentsRequest())

    async def list_units(self, department_id: int) -> catalog.ListUnitsResponse:
        return await self._call(self._catalog.ListUnits, catalog.ListUnitsRequest(department_id=department_id))

    # --- back office (every call carries the staff session token) ------------------------------------------

    async def login(self, username: str, password: str, client_ip: str) -> catalog.LoginResponse:
        """`client_ip` counts failures per address, for the catalog's lock-out."""
        request = catalog.LoginRequest(username=username, password=password)
        return await self._call(self._catalog.Login, request, client_ip=client_ip)

    async def logout(self, token: str) -> None:
        await self._call(self._catalog.Logout, catalog.LogoutRequest(token=token))

    async def staff_for(self, token: str) -> catalog.Staff:
        return await self._call(self._catalog.GetSession, catalog.GetSessionRequest(token=token))

    async def get_item(self, item_id: int, token: str) -> catalog.ServiceItem:
        return await self._call(self._catalog.GetItem, catalog.GetItemRequest(id=item_id), token)

    async def create_item(self, item: catalog.ServiceItem, token: str) -> catalog.ServiceItem:
        return await self._call(self._catalog.CreateItem, catalog.CreateItemRequest(item=item), token)

    async def update_item(self, item: catalog.ServiceItem, token: str) -> catalog.ServiceItem:
        return await self._call(self._catalog.UpdateItem, catalog.UpdateItemRequest(item=item), token)

    async def set_item_status(self, request: catalog.SetItemStatusRequest, token: str) -> catalog.ServiceItem:
        return await self._call(self._catalog.SetItemStatus, request, token)

    async def item_audit(self, item_id: int, token: str) -> catalog.ListItemAuditResponse:
        return await self._call(self._catalog.ListItemAudit, catalog.ListItemAuditRequest(item_id=item_id), token)

    async def create_department(self, department: catalog.Department, token: str) -> catalog.Department:
        request = catalog.CreateDepartmentRequest(department=department)
        return await self._call(self._catalog.CreateDepartment, request, token)

    async def update_department(self, department: catalog.Department, token: str) -> catalog.Department:
        request = catalog.UpdateDepartmentRequest(department=department)
        return await self._call(self._catalog.UpdateDepartment, request, token)

    async def create_staff(self, member: catalog.Staff, password: str, token: str) -> catalog.Staff:
        request = catalog.CreateStaffRequest(staff=member, password=password)
        return await self._call(self._catalog.CreateStaff, request, token)

    async def list_staff(self, token: str) -> catalog.ListStaffResponse:
        return await self._call(self._catalog.ListStaff, catalog.ListStaffRequest(), token)

    # --- feedback: residents (their address goes along, for the rate limits) -------------------------------

    async def submit_ticket(
        self, request: feedback.SubmitTicketRequest, client_ip: str
    ) -> feedback.SubmitTicketResponse:
        return await self._call(self._feedback.SubmitTicket, request, client_ip=client_ip)

    async def track_ticket(self, ticket_no: str, query_code: str) -> feedback.PublicTicket:
        request = feedback.TrackTicketRequest(ticket_no=ticket_no, query_code=query_code)
        return await self._call(self._feedback.TrackTicket, request)

    async def submit_rating(
        self, request: feedback.SubmitRatingRequest, client_ip: str
    ) -> feedback.SubmitRatingResponse:
        return await self._call(self._feedback.SubmitRating, request, client_ip=client_ip)

    async def submit_experience(
        self, request: feedback.SubmitExperienceRequest, client_ip: str
    ) -> feedback.SubmitExperienceResponse:
        return await self._call(self._feedback.SubmitExperience, request, client_ip=client_ip)

    async def published_experiences(
        self, request: feedback.ListPublishedExperiencesRequest
    ) -> feedback.ListExperiencesResponse:
        return await self._call(self._feedback.ListPublishedExperiences, request)

    async def item_questions(self, item_id: int, size: int) -> feedback.ListItemQuestionsResponse:
        request = feedback.ListItemQuestionsRequest(item_id=item_id, page_size=size)
        return await self._call(self._feedback.ListItemQuestions, request)

    async def item_ratings(self, item_id: int, comments: int) -> feedback.ItemRatings:
        request = feedback.GetItemRatingsRequest(item_id=item_id, comments=comments)
        return await self._call(self._feedback.GetItemRatings, request)

    async def department_scores(self, month: str, department_id: int) -> feedback.ListDepartmentScoresResponse:
        request = feedback.ListDepartmentScoresRequest(month=month, department_id=department_id)
        return await self._call(self._feedback.ListDepartmentScores, request)

    # --- feedback: staff (the feedback service checks the session and the role itself) ----------------------

    async def list_tickets(self, request: feedback.ListTicketsRequest, token: str) -> feedback.ListTicketsResponse:
        return await self._call(self._feedback.ListTickets, request, token)

    async def overdue_tickets(self, token: str) -> feedback.ListTicketsResponse:
        return await self._call(self._feedback.ListOverdueTickets, feedback.ListOverdueTicketsRequest(), token)

    async def get_ticket(self, ticket_no: str, token: str) -> feedback.StaffTicket:
        return await self._call(self._feedback.GetTicket, feedback.GetTicketRequest(ticket_no=ticket_no), token)

    async def transition_ticket(self, request: feedback.TransitionTicketRequest, token: str) -> feedback.StaffTicket:
        return await self._call(self._feedback.TransitionTicket, request, token)

    async def inbox(self, request: feedback.ListInboxRequest, token: str) -> feedback.ListInboxResponse:
        return await self._call(self._feedback.ListInbox, request, token)

    async def mark_inbox_read(self, entry_id: int, token: str) -> feedback.InboxEntry:
        return await self._call(self._feedback.MarkInboxRead, feedback.MarkInboxReadRequest(id=entry_id), token)

    async def list_experiences(
        self, request: feedback.ListExperiencesRequest, token: str
    ) -> feedback.ListExperiencesResponse:
        return await self._call(self._feedback.ListExperiences, request, token)

    async def moderate_experience(self, request: feedback.ModerateExperienceRequest, token: str) -> feedback.Experience:
        return await self._call(self._feedback.ModerateExperience, request, token)

    async def add_experience_note(self, request: feedback.AddExperienceNoteRequest, token: str) -> feedback.Experience:
        return await self._call(self._feedback.AddExperienceNote, request, token)

    async def list_ratings(self, request: feedback.ListRatingsRequest, token: str) -> feedback.ListRatingsResponse:
        return await self._call(self._feedback.ListRatings, request, token)

    async def appeal_rating(self, request: feedback.AppealRatingRequest, token: str) -> feedback.Rating:
        return await self._call(self._feedback.AppealRating, request, token)

    async def review_appeal(self, request: feedback.ReviewAppealRequest, token: str) -> feedback.Rating:
        return await self._call(self._feedback.ReviewAppeal, request, token)

    # --- health --------------------------------------------------------------------------------------------

    async def health(self) -> list[Dependency]:
        return list(await asyncio.gather(*(self._check(name, ch) for name, ch in self._channels.items())))

    async def _check(self, name: str, channel: grpc.aio.Channel) -> Dependency:
        try:
            response = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1.0)
        except grpc.aio.AioRpcError as error:
            return Dependency(name, False, error.code().name)
        serving = response.status == health_pb2.HealthCheckResponse.SERVING
        return Dependency(name, serving, health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))
