"""What the feedback tests share: a clock the test moves, a stand-in for the catalog, and a client of the API."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import grpc

from feedback import service
from feedback.flow import DEPARTMENT, OFFICE, Actor
from portal.feedback.v1 import feedback_pb2, feedback_pb2_grpc
from portal_common.errors import Invalid, Unauthenticated

# Monday 2 November 2026, 10:00 in Beijing.
MONDAY = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
FIRST, SECOND = 11, 22  # two departments


@dataclass
class Clock:
    now: datetime = MONDAY

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@dataclass
class FakeCatalog:
    """The catalog as feedback sees it: sessions by token, items and departments."""

    actors: dict[str, Actor] = field(
        default_factory=lambda: {
            "office": Actor("office", OFFICE),
            "first": Actor("clerk-first", DEPARTMENT, FIRST),
            "second": Actor("clerk-second", DEPARTMENT, SECOND),
        }
    )
    items: dict[int, int] = field(default_factory=lambda: {501: FIRST, 502: SECOND})  # item → department
    reachable: bool = True

    async def actor_for(self, token: str) -> Actor:
        if not token:
            raise Unauthenticated("login_required", "请先登录")
        if token not in self.actors:
            raise Unauthenticated("session_invalid", "登录已过期，请重新登录")
        return self.actors[token]

    async def department_of_item(self, item_id: int) -> int | None:
        if not self.reachable:
            return None
        if item_id not in self.items:
            raise Invalid("item_not_found", f"事项 {item_id} 不存在", field="item_id")
        return self.items[item_id]

    async def department_exists(self, department_id: int) -> bool | None:
        return department_id in (FIRST, SECOND) if self.reachable else None


@dataclass
class Api:
    """The feedback gRPC API as the gateway calls it."""

    stub: feedback_pb2_grpc.FeedbackServiceStub
    clock: Clock
    catalog: FakeCatalog
    commits: list = field(default_factory=list)

    async def as_staff(self, token: str, method: str, request):
        return await getattr(self.stub, method)(request, metadata=(("authorization", f"Bearer {token}"),))

    async def submit(self, ip: str = "10.0.0.1", **fields) -> feedback_pb2.SubmitTicketResponse:
        defaults = dict(
            kind=feedback_pb2.TICKET_KIND_CONSULTATION,
            subject="驾照补办需要什么材料",
            body="驾照丢了，补办需要带哪些材料？",
            contact_name="王小明",
            contact_phone="13800138000",
        )
        request = feedback_pb2.SubmitTicketRequest(**{**defaults, **fields})
        return await self.stub.SubmitTicket(request, metadata=(("x-portal-client-ip", ip),))

    async def step(self, token: str, ticket_no: str, action: str, **fields) -> feedback_pb2.StaffTicket:
        request = feedback_pb2.TransitionTicketRequest(ticket_no=ticket_no, action=action, **fields)
        return await self.as_staff(token, "TransitionTicket", request)


def error_code(error: grpc.aio.AioRpcError) -> str:
    return dict(error.trailing_metadata() or ()).get("portal-error-code", "")


def consultation(**changes) -> service.Submission:
    fields = dict(
        kind="consultation",
        subject="驾照补办需要什么材料",
        body="驾照丢了，补办需要带哪些材料？",
        contact_name="王小明",
        contact_phone="13800138000",
    )
    return service.Submission(**{**fields, **changes})
