"""The transactional outbox: an event is written in the same transaction as the change it describes, and a
relay publishes it to JetStream afterwards. A crash between the two delays the event; it never loses it."""

import asyncio
import logging
import uuid
from datetime import UTC, datetime

from google.protobuf.message import Message
from nats.js import JetStreamContext
from nats.js.errors import APIError
from opentelemetry import trace
from sqlalchemy import JSON, Integer, LargeBinary, String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from portal_common import messaging
from portal_common.database import UTCDateTime
from portal_common.telemetry import context_from_headers, current_trace_headers

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxMixin:
    """Columns of a service's `outbox` table; the service declares `class OutboxEvent(OutboxMixin, Base)`."""

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # publish order
    event_id: Mapped[str] = mapped_column(String(32), unique=True)  # becomes Nats-Msg-Id
    subject: Mapped[str] = mapped_column(String(200))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)  # event type and the writer's trace context
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


def new_event_id() -> str:
    return uuid.uuid4().hex


def add_event(session: AsyncSession, model: type[OutboxMixin], subject: str, event: Message, event_id: str) -> None:
    """Stage an event in the caller's transaction, remembering the trace it belongs to."""
    session.add(
        model(
            event_id=event_id,
            subject=subject,
            payload=event.SerializeToString(),
            headers=messaging.event_headers(event),
        )
    )


class OutboxRelay:
    """Publishes pending outbox rows in order. `notify()` after a commit wakes it at once; a slow poll catches
    rows written by another process or left by a crash. Running two relays is safe: JetStream drops the
    duplicate by its message id."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        model: type[OutboxMixin],
        nats_url: str,
        streams: tuple[messaging.Stream, ...],
        poll_interval: float = 2.0,
    ):
        self._sessions = sessions
        self._model = model
        self._nats_url = nats_url
        self._js: JetStreamContext | None = None
        self._streams = streams
        self._poll_interval = poll_interval
        self._wakeup = asyncio.Event()

    def notify(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        """Connect (waiting for NATS if needed), then publish until cancelled."""
        connection = await messaging.connect(self._nats_url, name=f"{self._model.__module__}.outbox-relay")
        try:
            self._js = connection.jetstream()
            for stream in self._streams:
                await messaging.ensure_stream(self._js, stream)
            await self._relay_forever()
        finally:
            await connection.close()

    async def _relay_forever(self) -> None:
        backoff = 0.2
        while True:
            self._wakeup.clear()
            try:
                published = await self.publish_pending()
                backoff = 0.2
            except APIError as error:
                # JetStream is up and says no (its storage is full, a stream limit is reached): waiting will not
                # fix that, an operator must; said at ERROR so that it is seen. The rows stay, none is dropped.
                log.error("outbox relay: JetStream refused an event (%s); events wait in the outbox", error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            except Exception as error:  # NATS or the database away: keep the rows, try again
                log.warning("outbox relay: %s; retrying in %.1fs", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if published == 0:
                try:
                    await asyncio.wait_for(self._wakeup.wait(), self._poll_interval)
                except TimeoutError:
                    pass

    async def publish_pending(self, limit: int = 200) -> int:
        """Publish up to `limit` pending rows in order; each is marked published only after JetStream acknowledged
        it. The marks are committed once per batch (also when a publish fails midway), not once per row, so that
        the relay does not queue for a busy database's write lock 200 times per batch; a crash before the commit
        publishes those rows again, and JetStream drops the repeats by their message id."""
        model = self._model
        async with self._sessions() as session:
            rows = (
                await session.scalars(
                    select(model).where(model.published_at.is_(None)).order_by(model.seq).limit(limit)
                )
            ).all()
            try:
                for row in rows:
                    await self._publish(row)
                    row.published_at = utcnow()
            finally:
                await session.commit()
            return len(rows)

    async def _publish(self, row: OutboxMixin) -> None:
        with tracer.start_as_current_span(
            f"{row.subject} publish", context=context_from_headers(row.headers), kind=trace.SpanKind.PRODUCER
        ):
            headers = {**row.headers, **current_trace_headers()}
            await messaging.publish(self._js, row.subject, row.payload, msg_id=row.event_id, headers=headers)
