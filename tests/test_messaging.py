"""JetStream plumbing against a real nats-server: dedup by message id, ack / retry / dead-letter."""

import asyncio
import uuid

import nats
import pytest
from nats.js.api import ConsumerConfig, StreamConfig
from nats.js.errors import APIError

from portal_common import messaging
from portal_common.messaging import Consumer, Poison, Stream


@pytest.fixture
async def js(nats_server):
    connection = await nats.connect(nats_server.url)
    yield connection.jetstream()
    await connection.close()


@pytest.fixture
def stream() -> Stream:
    name = f"T{uuid.uuid4().hex[:8].upper()}"
    return Stream(name, (f"{name.lower()}.>",))


async def test_a_republished_event_is_stored_once(js, stream):
    await messaging.ensure_stream(js, stream)
    subject = f"{stream.name.lower()}.thing"
    for _ in range(3):
        await messaging.publish(js, subject, b"payload", msg_id="event-1")
    await messaging.publish(js, subject, b"payload", msg_id="event-2")
    assert (await js.stream_info(stream.name)).state.messages == 2


async def test_ensure_stream_is_idempotent(js, stream):
    await messaging.ensure_stream(js, stream)
    await messaging.ensure_stream(js, stream)
    assert (await js.stream_info(stream.name)).config.subjects == list(stream.subjects)


async def api_calls(js, call) -> int:
    """How many JetStream API requests the server counted while `call` ran."""
    before = (await js.account_info()).api.total
    await call
    return (await js.account_info()).api.total - before


async def test_a_stream_gets_the_configured_replicas(js, stream):
    messaging.configure_streams(1)  # what cli.run does with NATS_STREAM_REPLICAS
    await messaging.ensure_stream(js, stream)
    assert (await js.stream_info(stream.name)).config.num_replicas == 1


async def test_a_single_server_refuses_a_replicated_stream_with_a_clear_error(js, stream):
    with pytest.raises(APIError, match="replicas > 1 not supported"):
        await messaging.ensure_stream(js, stream, replicas=3)


async def test_an_existing_stream_keeps_its_messages_and_is_only_changed_to_the_configured_replicas(js, stream):
    subject = f"{stream.name.lower()}.thing"
    await messaging.ensure_stream(js, stream, replicas=1)
    await messaging.publish(js, subject, b"kept", msg_id="kept")
    # Raised to three copies, as on a cluster (a single nats-server 2.9 records it on an update).
    await js.update_stream(StreamConfig(name=stream.name, subjects=list(stream.subjects), num_replicas=3))

    # A process configured for the cluster: it only reads the stream (as many JetStream API calls as a look-up).
    assert await api_calls(js, messaging.ensure_stream(js, stream, replicas=3)) == await api_calls(
        js, js.stream_info(stream.name)
    )
    info = await js.stream_info(stream.name)
    assert (info.config.num_replicas, info.state.messages, info.config.duplicate_window) == (3, 1, 120.0)

    await messaging.ensure_stream(js, stream, replicas=1)  # the setting lowered: the stream follows it
    info = await js.stream_info(stream.name)
    assert (info.config.num_replicas, info.state.messages) == (1, 1)


async def events_in(js, stream, bodies: list[bytes]) -> str:
    """The stream ensured and each of `bodies` published to it once; their subject."""
    subject = f"{stream.name.lower()}.thing"
    await messaging.ensure_stream(js, stream)
    for body in bodies:
        await messaging.publish(js, subject, body, msg_id=body.decode())
    return subject


async def test_consumer_acks_retries_and_dead_letters(js, stream):
    subject = await events_in(js, stream, [b"good", b"flaky", b"poison"])
    attempts: dict[bytes, int] = {}
    handled: list[bytes] = []
    stop = asyncio.Event()

    async def handle(messages):
        outcomes = []
        for message in messages:
            attempts[message.data] = attempts.get(message.data, 0) + 1
            if message.data == b"poison":
                outcomes.append(Poison("cannot be handled"))
            elif message.data == b"flaky" and attempts[message.data] < 2:
                outcomes.append(RuntimeError("passing failure"))
            else:
                handled.append(message.data)
                outcomes.append(None)
        if set(handled) == {b"good", b"flaky"}:
            stop.set()
        return outcomes

    consumer = Consumer(stream=stream, durable=f"{stream.name}-worker", filter_subject=subject)
    await asyncio.wait_for(messaging.consume(js, consumer, handle, stop), timeout=30)

    assert sorted(handled) == [b"flaky", b"good"]
    assert attempts[b"poison"] == 1  # never retried
    dead = await js.pull_subscribe(
        f"deadletter.{consumer.durable}", stream=messaging.DEADLETTER_STREAM.name, config=ConsumerConfig()
    )
    [letter] = await dead.fetch(1, timeout=5)
    assert letter.data == b"poison"
    assert "cannot be handled" in letter.headers["Portal-Dead-Letter-Reason"]
    info = await js.consumer_info(stream.name, consumer.durable)
    assert info.num_ack_pending == 0 and info.num_pending == 0


async def test_an_idle_consumer_keeps_waiting_and_takes_the_next_event(js, stream):
    subject = await events_in(js, stream, [])
    handled: list[bytes] = []
    stop = asyncio.Event()

    async def handle(messages):
        handled.extend(m.data for m in messages)
        stop.set()
        return [None] * len(messages)

    consumer = Consumer(stream=stream, durable=f"{stream.name}-idle", filter_subject=subject)
    consuming = asyncio.create_task(messaging.consume(js, consumer, handle, stop))
    await asyncio.sleep(3.5)  # several empty fetches
    assert not consuming.done()
    await messaging.publish(js, subject, b"late", msg_id="late")
    await asyncio.wait_for(consuming, timeout=10)
    assert handled == [b"late"]


async def test_a_handler_slower_than_the_ack_wait_handles_each_message_once(js, stream):
    subject = await events_in(js, stream, [f"slow-{number}".encode() for number in range(3)])
    handled: list[bytes] = []
    stop = asyncio.Event()

    async def handle(messages):
        await asyncio.sleep(3.5)  # well past the ack wait: without a word to JetStream, it would redeliver
        handled.extend(m.data for m in messages)
        return [None] * len(messages)

    # Two replicas on one durable consumer: the idle one would be handed what the slow one still works on.
    consumer = Consumer(stream=stream, durable=f"{stream.name}-slow", filter_subject=subject, ack_wait=1.0)
    replicas = [asyncio.create_task(messaging.consume(js, consumer, handle, stop)) for _ in range(2)]
    await asyncio.sleep(7)  # the slow batch, and time for a redelivered copy to be handled too
    stop.set()
    await asyncio.wait_for(asyncio.gather(*replicas), timeout=10)
    info = await js.consumer_info(stream.name, consumer.durable)
    assert sorted(handled) == [b"slow-0", b"slow-1", b"slow-2"]  # each once: no side effect done twice
    assert info.num_redelivered == 0 and info.num_ack_pending == 0 and info.num_pending == 0
