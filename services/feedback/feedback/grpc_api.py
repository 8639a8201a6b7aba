"""The feedback gRPC API: map requests to domain calls and results back."""

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feedback import service
from feedback.convert import KIND_TO_PROTO, ticket_to_public_proto
from portal.feedback.v1 import feedback_pb2 as pb
from portal.feedback.v1 import feedback_pb2_grpc
from portal_common.errors import grpc_errors

KIND_FROM_PROTO = {v: k for k, v in KIND_TO_PROTO.items()}


class FeedbackServicer(feedback_pb2_grpc.FeedbackServiceServicer):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], on_commit: Callable[[], None]):
        self._sessions = sessions
        self._on_commit = on_commit  # wakes the outbox relay

    @grpc_errors
    async def SubmitTicket(self, request: pb.SubmitTicketRequest, context) -> pb.SubmitTicketResponse:
        submission = service.Submission(
            kind=KIND_FROM_PROTO.get(request.kind, ""),
            title=request.title,
            content=request.content,
            item_id=request.item_id,
            department_id=request.department_id,
            contact_name=request.contact_name,
            contact_phone=request.contact_phone,
            may_publish=request.may_publish,
        )
        async with self._sessions() as session:
            ticket, code = await service.submit_ticket(session, submission=submission)
            await session.commit()
        self._on_commit()
        return pb.SubmitTicketResponse(number=ticket.number, query_code=code)

    @grpc_errors
    async def TrackTicket(self, request: pb.TrackTicketRequest, context) -> pb.Ticket:
        async with self._sessions() as session:
            ticket = await service.track_ticket(session, number=request.number, query_code=request.query_code)
            return ticket_to_public_proto(ticket)
