"""NATS JetStream: connecting, the portal's streams, publishing events and durable pull consumers.

Events are protobuf messages. Every publish carries `Nats-Msg-Id` (JetStream drops a duplicate inside the
stream's duplicate window) and the trace context. Consumers are durable pull consumers with explicit acks:
ack on success, nak with a growing delay on a passing failure, and on poison a dead-letter record then term.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import nats
from google.protobuf.message import Message
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError
from opentelemetry import trace

from portal_common.telemetry import context_from_headers, current_trace_headers

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

MSG_ID = "Nats-Msg-Id"
EVENT_TYPE = "Portal-Event-Type"


@dataclass(frozen=True)
class Stream:
    name: str
    subjects: tuple[str, ...]


# The portal's streams. Publishers and consumers both ensure them, so start order does not matter.
CATALOG_STREAM = Stream("CATALOG", ("catalog.>",))
FEEDBACK_STREAM = Stream("FEEDBACK", ("feedback.>",))
DEADLETTER_STREAM = Stream("DEADLETTER", ("deadletter.>",))


class Poison(Exception):
    """A message that can never be handled (undecodable, invalid): it is dead-lettered, not retried."""


async def connect(url: str, name: str, on_reconnect: Callable[[], None] | None = None) -> NATS:
    """Connect, waiting for the server if it is not up yet; once connected the client reconnects forever (and
    calls `on_reconnect` each time)."""
    delay = 0.2
    while True:
        try:
            return await nats.connect(
                url,
                name=name,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                connect_timeout=2,
                error_cb=_log_error,
                disconnected_cb=_log_state("disconnected from NATS"),
                reconnected_cb=_log_state("reconnected to NATS", on_reconnect),
            )
        except (OSError, nats.errors.NoServersError, nats.errors.TimeoutError) as error:
            log.warning("NATS at %s not reachable (%s); retrying in %.1fs", url, error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5)


async def _log_error(error: Exception) -> None:
    log.warning("NATS: %s", error)


def _log_state(text: str, then: Callable[[], None] | None = None) -> Callable[[], Awaitable[None]]:
    async def callback() -> None:
        log.info(text)
        if then is not None:
            then()

    return callback


# How many NATS servers keep each stream (NATS_STREAM_REPLICAS): 1 on one server, 3 on a cluster so that a
# stream survives the loss of a server. Set once per process by `configure_streams` (cli.run does it), so that
# publishers, consumers and the reindex need not pass it along.
_stream_replicas = 1


def configure_streams(replicas: int) -> None:
    global _stream_replicas
    _stream_replicas = replicas


async def ensure_stream(js: JetStreamContext, stream: Stream, replicas: int | None = None) -> None:
    """Create `stream`, or bring an existing one to our configuration (its messages stay). `replicas` defaults
    to the process's NATS_STREAM_REPLICAS. A stream that already matches is left alone: a cluster is not asked
    for a configuration change at every start."""
    config = StreamConfig(
        name=stream.name,
        subjects=list(stream.subjects),
        storage=StorageType.FILE,
        duplicate_window=120.0,
        num_replicas=_stream_replicas if replicas is None else replicas,
    )
    try:
        current = (await js.stream_info(stream.name)).config
    except NotFoundError:
        try:
            await js.add_stream(config)
            return
        except BadRequestError:  # another process created it meanwhile, configured otherwise
            current = (await js.stream_info(stream.name)).config
    if _differs(current, config):
        log.info("stream %s: updating to %d replicas, subjects %s", stream.name, config.num_replicas, config.subjects)
        await js.update_stream(config)


def _differs(current: StreamConfig, wanted: StreamConfig) -> bool:
    fields = ("subjects", "storage", "duplicate_window", "num_replicas")
    return any(getattr(current, field) != getattr(wanted, field) for field in fields)


async def publish(
    js: JetStreamContext, subject: str, payload: bytes, *, msg_id: str, headers: dict[str, str] | None = None
) -> None:
    """Publish and wait for JetStream's ack: when this returns, the event is stored."""
    await js.publish(subject, payload, headers={**(headers or {}), MSG_ID: msg_id}, timeout=5)
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        # nats-py swallows a cancellation that arrives while it queues the message; a publisher being stopped
        # would then carry on (and outlive its shutdown grace), so the cancellation is raised again here.
        raise asyncio.CancelledError


def event_headers(event: Message) -> dict[str, str]:
    """Headers that describe an event: its protobuf type and the trace it belongs to."""
    return {EVENT_TYPE: event.DESCRIPTOR.full_name, **current_trace_headers()}


BatchHandler = Callable[[Sequence[Msg]], Awaitable[Sequence[Exception | None]]]


@dataclass(frozen=True)
class Consumer:
    """A durable pull consumer: which stream and subjects, its name, and how hard to retry."""

    stream: Stream
    durable: str
    filter_subject: str
    batch: int = 100
    ack_wait: float = 30.0
    max_deliver: int = 20

    def config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self.durable,
            filter_subject=self.filter_subject,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait,
            max_deliver=self.max_deliver,
        )


async def consume(js: JetStreamContext, consumer: Consumer, handle: BatchHandler, stop: asyncio.Event) -> None:
    """Fetch batches until `stop` is set and settle every message by what `handle` returned for it. A batch in
    flight when `stop` is set is finished and acked first.

    `handle` gets a batch and returns one outcome per message: None (done), `Poison` (dead-letter), or any other
    exception (retry later). Each message is processed inside a span whose parent is the publisher's trace.
    """
    await ensure_stream(js, consumer.stream)
    await ensure_stream(js, DEADLETTER_STREAM)
    subscription = await js.pull_subscribe(
        consumer.filter_subject, durable=consumer.durable, stream=consumer.stream.name, config=consumer.config()
    )
    log.info("consuming %s as %s", consumer.filter_subject, consumer.durable)
    while not stop.is_set():
        try:
            messages = await subscription.fetch(consumer.batch, timeout=1.0)
        except TimeoutError:  # nothing new (nats-py raises both its own and asyncio's TimeoutError here)
            continue
        except nats.errors.Error as error:  # disconnected: the client reconnects by itself
            log.warning("fetch failed (%s); retrying", error)
            await asyncio.sleep(0.5)
            continue
        if not messages:  # nats-py sometimes answers an empty fetch with [] rather than a timeout
            continue
        spans = [
            tracer.start_span(
                f"{m.subject} process", context=context_from_headers(m.headers), kind=trace.SpanKind.CONSUMER
            )
            for m in messages
        ]
        # A batch that takes longer than the ack wait would be redelivered while still being handled (its side
        # effects done twice, by this consumer's next fetch or another replica): tell JetStream it is in progress.
        heartbeat = asyncio.create_task(_keep_in_progress(messages, consumer.ack_wait / 3))
        try:
            outcomes = await handle(messages)
        except Exception as error:  # the whole batch failed: every message is retried
            log.exception("handler failed on a batch of %d", len(messages))
            outcomes = [error] * len(messages)
        finally:
            heartbeat.cancel()
        for message, outcome, span in zip(messages, outcomes, spans, strict=True):
            await _settle(js, consumer, message, outcome)
            if outcome is not None:
                span.record_exception(outcome)
                span.set_status(trace.StatusCode.ERROR)
            span.end()


async def _keep_in_progress(messages: Sequence[Msg], every: float) -> None:
    while True:
        await asyncio.sleep(every)
        for message in messages:
            try:
                await message.in_progress()
            except nats.errors.Error as error:  # disconnected: the batch will be redelivered, as without this
                log.warning("could not extend the ack wait: %s", error)
                return


async def _settle(js: JetStreamContext, consumer: Consumer, message: Msg, outcome: Exception | None) -> None:
    if outcome is None:
        await message.ack()
    elif isinstance(outcome, Poison) or message.metadata.num_delivered >= consumer.max_deliver:
        # Past max_deliver JetStream would stop redelivering without a trace; a dead letter keeps it findable.
        log.error("dead-lettering %s: %s", message.subject, outcome)
        headers = {**(message.headers or {}), "Portal-Dead-Letter-Reason": repr(outcome)[:500]}
        headers.pop(MSG_ID, None)
        await js.publish(f"deadletter.{consumer.durable}", message.data, headers=headers, timeout=5)
        await message.term()
    else:
        attempt = message.metadata.num_delivered
        delay = min(0.5 * 2 ** (attempt - 1), 30.0)
        log.warning("retrying %s in %.1fs (attempt %d): %s", message.subject, delay, attempt, outcome)
        await message.nak(delay=delay)
