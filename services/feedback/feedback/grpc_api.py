"""The feedback gRPC API: map requests to domain calls and results back; nothing else lives here.

Every change is committed before it is answered: a resident who got a ticket number has a stored ticket."""

from collections.abc import Awaitable, Callable
from datetime import datetime

import grpc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feedback import experiences, flow, inbox, ratings, service
from feedback.abuse import Origin
from feedback.catalog_client import CatalogClient
from feedback.convert import (
    KIND_FROM_PROTO,
    STATUS_FROM_PROTO,
    TARGET_FROM_PROTO,
    experience_to_proto,
    inbox_entry_to_proto,
    item_ratings_to_proto,
    question_to_proto,
    rating_to_proto,
    ticket_to_public_proto,
    ticket_to_staff_proto,
)
from feedback.policy import Policy
from portal.feedback.v1 import feedback_pb2 as pb
from portal.feedback.v1 import feedback_pb2_grpc
from portal_common.database import run_to_completion
from portal_common.errors import grpc_errors
from portal_common.grpc_server import CLIENT_IP_KEY, metadata_value
from portal_common.outbox import utcnow


def bearer_token(context: grpc.aio.ServicerContext) -> str:
    value = metadata_value(context, "authorization")
    return value.removeprefix("Bearer ") if value.startswith("Bearer ") else ""


class FeedbackServicer(feedback_pb2_grpc.FeedbackServiceServicer):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        on_commit: Callable[[], None],
        *,
        catalog: CatalogClient,
        policy: Policy,
        clock: Callable[[], datetime] = utcnow,
    ):
        self._sessions = sessions
        self._on_commit = on_commit  # wakes the outbox relay
        self._catalog = catalog
        self._policy = policy
        self._clock = clock

    async def _write(self, change: Callable[[AsyncSession], Awaitable], to_proto: Callable):
        """One change in its own transaction, committed before the answer (run to its end even when the caller
        gives up); then the relay is woken."""

        async def transaction():
            async with self._sessions() as session:
                result = await change(session)
                await session.commit()
                return await to_proto(session, result)

        answer = await run_to_completion(transaction())
        self._on_commit()
        return answer

    async def _staff_ticket(self, session: AsyncSession, ticket, actor: flow.Actor) -> pb.StaffTicket:
        steps = await service.ticket_steps(session, ticket=ticket)
        allowed = flow.allowed_actions(
            status=ticket.status, handling_department_id=ticket.handling_department_id, actor=actor
        )
        return ticket_to_staff_proto(ticket, steps, allowed)

    # --- residents ---------------------------------------------------------------------------------------

    @grpc_errors
    async def SubmitTicket(self, request: pb.SubmitTicketRequest, context) -> pb.SubmitTicketResponse:
        submission = service.Submission(
            kind=KIND_FROM_PROTO.get(request.kind, ""),
            subject=request.subject,
            body=request.body,
            item_id=request.item_id,
            department_id=request.department_id,
            contact_name=request.contact_name,
            contact_phone=request.contact_phone,
            contact_email=request.contact_email,
            public=request.public,
            honeypot=request.honeypot,
        )
        origin = Origin(client_ip=metadata_value(context, CLIENT_IP_KEY), idempotency_key=request.idempotency_key)

        async def submit(session):
            return await service.submit_ticket(
                session, submission=submission, origin=origin, policy=self._policy, now=self._clock()
            )

        async def answer(session, created):
            ticket, code = created
            return pb.SubmitTicketResponse(ticket_no=ticket.ticket_no, query_code=code)

        return await self._write(submit, answer)

    @grpc_errors
    async def TrackTicket(self, request: pb.TrackTicketRequest, context) -> pb.PublicTicket:
        async with self._sessions() as session:
            ticket = await service.track_ticket(session, ticket_no=request.ticket_no, query_code=request.query_code)
            return ticket_to_public_proto(ticket, await service.ticket_steps(session, ticket=ticket))

    @grpc_errors
    async def SubmitRating(self, request: pb.SubmitRatingRequest, context) -> pb.SubmitRatingResponse:
        rating = ratings.RatingInput(
            target=TARGET_FROM_PROTO.get(request.target, ""),
            level=int(request.level),
            item_id=request.item_id,
            department_id=request.department_id,
            ticket_no=request.ticket_no,
            query_code=request.query_code,
            comment=request.comment,
            scores=dict(request.scores),
            honeypot=request.honeypot,
        )
        origin = Origin(client_ip=metadata_value(context, CLIENT_IP_KEY))

        async def submit(session):
            return await ratings.submit_rating(
                session, rating=rating, origin=origin, catalog=self._catalog, policy=self._policy, now=self._clock()
            )

        async def answer(session, made):
            row, rectification = made
            number, code = rectification or ("", "")
            return pb.SubmitRatingResponse(id=row.id, rectification_ticket_no=number, rectification_query_code=code)

        return await self._write(submit, answer)

    @grpc_errors
    async def SubmitExperience(self, request: pb.SubmitExperienceRequest, context) -> pb.SubmitExperienceResponse:
        experience = experiences.ExperienceInput(
            title=request.title,
            body=request.body,
            item_id=request.item_id,
            department_id=request.department_id,
            author_name=request.author_name,
            contact_phone=request.contact_phone,
            honeypot=request.honeypot,
        )
        origin = Origin(client_ip=metadata_value(context, CLIENT_IP_KEY))

        async def submit(session):
            return await experiences.submit_experience(
                session, experience=experience, origin=origin, policy=self._policy, now=self._clock()
            )

        async def answer(session, row):
            return pb.SubmitExperienceResponse(id=row.id, status=row.status)

        return await self._write(submit, answer)

    @grpc_errors
    async def ListPublishedExperiences(self, request: pb.ListPublishedExperiencesRequest, context):
        async with self._sessions() as session:
            total, rows, next_token = await experiences.list_published(
                session,
                item_id=request.item_id,
                department_id=request.department_id,
                page_size=request.page_size or 10,
                page_token=request.page_token,
            )
            return pb.ListExperiencesResponse(
                total=total, items=[experience_to_proto(r, public=True) for r in rows], next_page_token=next_token
            )

    @grpc_errors
    async def ListItemQuestions(self, request: pb.ListItemQuestionsRequest, context) -> pb.ListItemQuestionsResponse:
        async with self._sessions() as session:
            total, tickets = await service.item_questions(
                session, item_id=request.item_id, page_size=request.page_size or 20
            )
            return pb.ListItemQuestionsResponse(total=total, items=[question_to_proto(t) for t in tickets])

    @grpc_errors
    async def ListDepartmentScores(self, request: pb.ListDepartmentScoresRequest, context):
        month = request.month or f"{self._policy.calendar.local_date(self._clock()):%Y-%m}"
        async with self._sessions() as session:
            scores = await ratings.department_scores(
                session, month=month, department_id=request.department_id, calendar=self._policy.calendar
            )
        return pb.ListDepartmentScoresResponse(
            month=month,
            items=[
                pb.DepartmentScore(
                    department_id=s.department_id,
                    month=s.month,
                    count=s.count,
                    average_level=s.average_level,
                    satisfaction_rate=s.satisfaction_rate,
                    level_counts=s.level_counts,
                    sub_scores=s.sub_scores,
                )
                for s in scores
            ],
        )

    @grpc_errors
    async def GetItemRatings(self, request: pb.GetItemRatingsRequest, context) -> pb.ItemRatings:
        async with self._sessions() as session:
            found = await ratings.item_ratings(session, item_id=request.item_id, comments=request.comments)
        return item_ratings_to_proto(request.item_id, found)

    # --- staff: tickets ----------------------------------------------------------------------------------

    @grpc_errors
    async def ListTickets(self, request: pb.ListTicketsRequest, context) -> pb.ListTicketsResponse:
        actor = await self._catalog.actor_for(bearer_token(context))
        filters = service.TicketFilter(
            status=STATUS_FROM_PROTO.get(request.status, ""),
            kind=KIND_FROM_PROTO.get(request.kind, ""),
            department_id=request.department_id,
        )
        async with self._sessions() as session:
            total, tickets, next_token = await service.list_tickets(
                session, actor=actor, filters=filters, page_size=request.page_size or 20, page_token=request.page_token
            )
        return pb.ListTicketsResponse(
            total=total, items=[ticket_to_staff_proto(t) for t in tickets], next_page_token=next_token
        )

    @grpc_errors
    async def ListOverdueTickets(self, request: pb.ListOverdueTicketsRequest, context) -> pb.ListTicketsResponse:
        actor = await self._catalog.actor_for(bearer_token(context))
        async with self._sessions() as session:
            tickets = await service.list_overdue(session, actor=actor, now=self._clock())
        return pb.ListTicketsResponse(total=len(tickets), items=[ticket_to_staff_proto(t) for t in tickets])

    @grpc_errors
    async def GetTicket(self, request: pb.GetTicketRequest, context) -> pb.StaffTicket:
        actor = await self._catalog.actor_for(bearer_token(context))
        async with self._sessions() as session:
            ticket = await service.get_ticket(session, ticket_no=request.ticket_no, actor=actor)
            return await self._staff_ticket(session, ticket, actor)

    @grpc_errors
    async def TransitionTicket(self, request: pb.TransitionTicketRequest, context) -> pb.StaffTicket:
        actor = await self._catalog.actor_for(bearer_token(context))
        change = service.Change(
            note=request.note,
            department_id=request.department_id,
            duplicate_of=request.duplicate_of,
            extension_days=request.extension_days,
            expected_version=request.expected_version,
        )

        async def act(session):
            return await service.transition(
                session,
                ticket_no=request.ticket_no,
                action=request.action,
                actor=actor,
                change=change,
                policy=self._policy,
                now=self._clock(),
            )

        return await self._write(act, lambda session, ticket: self._staff_ticket(session, ticket, actor))

    # --- staff: inboxes, experiences, ratings ------------------------------------------------------------

    @grpc_errors
    async def ListInbox(self, request: pb.ListInboxRequest, context) -> pb.ListInboxResponse:
        actor = await self._catalog.actor_for(bearer_token(context))
        async with self._sessions() as session:
            total, unread, entries = await inbox.list_inbox(
                session,
                actor=actor,
                department_id=request.department_id,
                unread_only=request.unread_only,
                page_size=request.page_size or 50,
            )
        return pb.ListInboxResponse(total=total, unread=unread, items=[inbox_entry_to_proto(e) for e in entries])

    @grpc_errors
    async def MarkInboxRead(self, request: pb.MarkInboxReadRequest, context) -> pb.InboxEntry:
        actor = await self._catalog.actor_for(bearer_token(context))

        async def transaction():
            async with self._sessions() as session:
                entry = await inbox.mark_read(session, entry_id=request.id, actor=actor, now=self._clock())
                await session.commit()
                return inbox_entry_to_proto(entry)

        return await run_to_completion(transaction())

    @grpc_errors
    async def ListExperiences(self, request: pb.ListExperiencesRequest, context) -> pb.ListExperiencesResponse:
        actor = await self._catalog.actor_for(bearer_token(context))
        async with self._sessions() as session:
            total, rows, next_token = await experiences.list_for_staff(
                session,
                actor=actor,
                status=request.status,
                page_size=request.page_size or 20,
                page_token=request.page_token,
            )
            return pb.ListExperiencesResponse(
                total=total, items=[experience_to_proto(r, public=False) for r in rows], next_page_token=next_token
            )

    async def _staff_experience(self, session, row) -> pb.Experience:
        return experience_to_proto(row, public=False)

    @grpc_errors
    async def ModerateExperience(self, request: pb.ModerateExperienceRequest, context) -> pb.Experience:
        actor = await self._catalog.actor_for(bearer_token(context))

        async def moderate(session):
            return await experiences.moderate(
                session,
                experience_id=request.id,
                decision=request.decision,
                reason=request.reason,
                actor=actor,
                now=self._clock(),
            )

        return await self._write(moderate, self._staff_experience)

    @grpc_errors
    async def AddExperienceNote(self, request: pb.AddExperienceNoteRequest, context) -> pb.Experience:
        actor = await self._catalog.actor_for(bearer_token(context))

        async def note(session):
            return await experiences.add_note(
                session, experience_id=request.id, body=request.body, actor=actor, now=self._clock()
            )

        return await self._write(note, self._staff_experience)

    @grpc_errors
    async def ListRatings(self, request: pb.ListRatingsRequest, context) -> pb.ListRatingsResponse:
        actor = await self._catalog.actor_for(bearer_token(context))
        async with self._sessions() as session:
            total, rows, next_token = await ratings.list_ratings(
                session,
                actor=actor,
                status=request.status,
                department_id=request.department_id,
                page_size=request.page_size or 20,
                page_token=request.page_token,
            )
        return pb.ListRatingsResponse(total=total, items=[rating_to_proto(r) for r in rows], next_page_token=next_token)

    async def _rating(self, session, row) -> pb.Rating:
        return rating_to_proto(row)

    @grpc_errors
    async def AppealRating(self, request: pb.AppealRatingRequest, context) -> pb.Rating:
        actor = await self._catalog.actor_for(bearer_token(context))

        async def appeal(session):
            return await ratings.appeal_rating(session, rating_id=request.id, reason=request.reason, actor=actor)

        return await self._write(appeal, self._rating)

    @grpc_errors
    async def ReviewAppeal(self, request: pb.ReviewAppealRequest, context) -> pb.Rating:
        actor = await self._catalog.actor_for(bearer_token(context))

        async def review(session):
            return await ratings.review_appeal(
                session,
                rating_id=request.id,
                decision=request.decision,
                note=request.note,
                actor=actor,
                policy=self._policy,
                now=self._clock(),
            )

        return await self._write(review, self._rating)
