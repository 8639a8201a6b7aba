"""The feedback service as a process under bursts of submissions, with a real NATS:

- 1,000 concurrent submissions, a tenth of them retried at once with the same idempotency key, make exactly
  1,000 tickets, and the retries get the first answer back (SQLite and PostgreSQL);
- a process killed (SIGKILL) in the middle of a burst loses nothing it acknowledged: after a restart every ticket
  number that was answered exists, opens with its code, and its event is on the stream exactly once. On SQLite,
  where the database engine runs inside the process that is killed; PostgreSQL keeps running either way.
"""

import asyncio
import signal
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path

import grpc
import nats
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import func, select

from feedback.models import Rating, Ticket
from portal.events.v1 import events_pb2
from portal.feedback.v1 import feedback_pb2 as pb
from portal.feedback.v1 import feedback_pb2_grpc
from portal_common.testing import NatsServer, free_port, start_module, stop

BURST = 1000
RETRIED = BURST // 10
CONCURRENT = 50
# gRPC sheds load: past 1,000 calls waiting for the application (`grpc.server.max_pending_requests`) a server
# cancels new ones. A resident's browser or the gateway then sends the same submission again, with the same key.
SHED = (grpc.StatusCode.CANCELLED, grpc.StatusCode.UNAVAILABLE)


@pytest.fixture
def nats_alone(tmp_path):
    server = NatsServer(free_port(), free_port(), tmp_path / "nats-store", tmp_path / "nats.log")
    server.start()
    yield server
    server.stop()


class FeedbackProcess:
    """`python -m feedback serve` on a free port, against the test's database and NATS."""

    def __init__(self, database_url: str, nats_url: str, log: Path):
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.log = log
        self.env = {
            "FEEDBACK_DATABASE_URL": database_url,
            "FEEDBACK_GRPC_PORT": str(self.port),
            "FEEDBACK_CATALOG_ADDRESS": f"127.0.0.1:{free_port()}",  # submissions never ask the catalog
            "NATS_URL": nats_url,
            "SHUTDOWN_GRACE_SECONDS": "1",
        }
        self.process: subprocess.Popen | None = None

    async def start(self) -> None:
        self.process = start_module(["feedback", "serve"], self.env, self.log)
        async with grpc.aio.insecure_channel(self.address) as channel, asyncio.timeout(30):
            health = health_pb2_grpc.HealthStub(channel)
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"feedback exited:\n{self.log.read_text()[-3000:]}")
                try:
                    response = await health.Check(health_pb2.HealthCheckRequest(), timeout=1)
                    if response.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.aio.AioRpcError:
                    pass
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process:
            stop(self.process)


@pytest.fixture
def feedback_process(database_url, nats_alone, tmp_path):
    process = FeedbackProcess(database_url, nats_alone.url, tmp_path / "feedback.log")
    yield process
    process.stop()


def submission(n: int, key: str) -> pb.SubmitTicketRequest:
    return pb.SubmitTicketRequest(
        kind=pb.TICKET_KIND_CONSULTATION,
        subject=f"咨询第{n}号",
        body="公积金提取需要哪些材料？",
        contact_name="张三",
        contact_phone=f"139{n:08d}",
        idempotency_key=key,
    )


async def submit(stub, n: int, key: str) -> pb.SubmitTicketResponse:
    # One resident per address: the service's per-address limit is for floods, not for this test.
    metadata = (("x-portal-client-ip", f"10.{n // 250}.{n % 250}.1"),)
    return await stub.SubmitTicket(submission(n, key), metadata=metadata, timeout=60)


async def submit_until_answered(stub, n: int, key: str, shed: list) -> pb.SubmitTicketResponse:
    """As the gateway's form does: a call the server shed is sent again, with the same idempotency key."""
    for attempt in range(10):
        try:
            return await submit(stub, n, key)
        except grpc.aio.AioRpcError as error:
            if error.code() not in SHED or attempt == 9:
                raise
            shed.append(n)
            await asyncio.sleep(0.2 * (attempt + 1))


async def created_events(url: str, expected: int) -> Counter:
    """How many `feedback.ticket.created` events the stream holds per ticket number, once it holds `expected`."""
    connection = await nats.connect(url)
    js = connection.jetstream()
    async with asyncio.timeout(60):
        while (await js.stream_info("FEEDBACK")).state.messages < expected:  # noqa: ASYNC110 (polling a server)
            await asyncio.sleep(0.2)
    await asyncio.sleep(1)  # room for a duplicate to show up, if one were coming
    subscription = await js.pull_subscribe("feedback.ticket.created", stream="FEEDBACK")
    numbers: Counter = Counter()
    while True:
        try:
            messages = await subscription.fetch(500, timeout=2)
        except (TimeoutError, nats.errors.TimeoutError):
            break
        for message in messages:
            numbers[events_pb2.TicketCreated.FromString(message.data).ticket_no] += 1
            await message.ack()
    await connection.close()
    return numbers


async def stored_tickets(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(Ticket))


async def test_a_thousand_concurrent_submissions_with_retries_make_a_thousand_tickets(
    feedback_process, sessions, nats_alone, database_url
):
    await feedback_process.start()
    keys = [uuid.uuid4().hex for _ in range(BURST)]
    shed: list[int] = []
    async with grpc.aio.insecure_channel(feedback_process.address) as channel:
        stub = feedback_pb2_grpc.FeedbackServiceStub(channel)
        started = time.monotonic()
        answers = await asyncio.gather(
            *(submit_until_answered(stub, n, keys[n], shed) for n in range(BURST)),
            *(submit_until_answered(stub, n, keys[n], shed) for n in range(0, BURST, BURST // RETRIED)),  # again
        )
        seconds = time.monotonic() - started
    firsts, retries = answers[:BURST], answers[BURST:]
    assert len({a.ticket_no for a in firsts}) == BURST
    assert [(a.ticket_no, a.query_code) for a in retries] == [
        (firsts[n].ticket_no, firsts[n].query_code) for n in range(0, BURST, BURST // RETRIED)
    ]
    assert await stored_tickets(sessions) == BURST
    engine = database_url.split(":", 1)[0]
    print(
        f"\n{BURST} submissions + {RETRIED} retries through gRPC ({engine}): {seconds:.2f}s, {BURST / seconds:.0f}/s; "
        f"{len(shed)} calls shed by the server and sent again"
    )


async def test_tickets_and_ratings_sent_at_once_are_each_stored_once_while_the_scheduler_cleans_up(
    feedback_process, sessions, database_url
):
    """Every kind of writer at once, as under load: 50 residents submit (consultations with keys, ratings, a bad
    one opening a rectification ticket), the relay publishes, the department inboxes file the events and the
    scheduler clears old rate-limit rows, every 50 ms here. None of them may meet a locked database."""
    feedback_process.env["FEEDBACK_SCHEDULER_INTERVAL_SECONDS"] = "0.05"
    await feedback_process.start()
    run = uuid.uuid4().hex[:6]
    keys = [uuid.uuid4().hex for _ in range(CONCURRENT)]

    async def consult(stub, n: int) -> str:
        subject, body = f"并发{run}第{n}号", "社保卡怎么补办？"
        request = pb.SubmitTicketRequest(
            kind=pb.TICKET_KIND_CONSULTATION, subject=subject, body=body, idempotency_key=keys[n]
        )
        answer = await stub.SubmitTicket(request, metadata=(("x-portal-client-ip", f"10.7.{n}.1"),), timeout=60)
        return answer.ticket_no

    async def rate(stub, n: int) -> int:
        request = pb.SubmitRatingRequest(target=pb.RATING_TARGET_ITEM, item_id=700 + n, level=1 + n % 5)
        answer = await stub.SubmitRating(request, metadata=(("x-portal-client-ip", f"10.8.{n}.1"),), timeout=60)
        return answer.id

    async with grpc.aio.insecure_channel(feedback_process.address) as channel:
        stub = feedback_pb2_grpc.FeedbackServiceStub(channel)
        half = CONCURRENT // 2
        answers = await asyncio.gather(*(consult(stub, n) for n in range(half)), *(rate(stub, n) for n in range(half)))
    numbers, rating_ids = answers[:half], answers[half:]
    async with sessions() as session:
        stored = (await session.scalars(select(Ticket.ticket_no).where(Ticket.subject.like(f"并发{run}%")))).all()
        ratings = await session.scalar(select(func.count()).select_from(Rating))
    assert sorted(stored) == sorted(numbers) and len(set(numbers)) == half  # each once
    assert len(set(rating_ids)) == ratings == half
    assert "database is locked" not in feedback_process.log.read_text()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_kill_in_the_middle_of_a_burst_loses_nothing_acknowledged(
    feedback_process, sessions, nats_alone, database_url
):
    await feedback_process.start()
    acknowledged: dict[str, str] = {}
    failed = 0

    async def resident(worker: int, stub) -> None:
        nonlocal failed
        for n in range(worker * 1000, worker * 1000 + 1000):
            try:
                answer = await submit(stub, n, uuid.uuid4().hex)
            except grpc.aio.AioRpcError:
                failed += 1
                return
            acknowledged[answer.ticket_no] = answer.query_code

    async with grpc.aio.insecure_channel(feedback_process.address) as channel:
        stub = feedback_pb2_grpc.FeedbackServiceStub(channel)
        workers = [asyncio.create_task(resident(w, stub)) for w in range(30)]
        async with asyncio.timeout(60):
            while len(acknowledged) < 150:  # noqa: ASYNC110 (the burst is under way)
                await asyncio.sleep(0.01)
        feedback_process.kill()
        await asyncio.gather(*workers)
    at_kill = len(acknowledged)

    await feedback_process.start()
    async with grpc.aio.insecure_channel(feedback_process.address) as channel:
        stub = feedback_pb2_grpc.FeedbackServiceStub(channel)
        for ticket_no, code in acknowledged.items():
            tracked = await stub.TrackTicket(pb.TrackTicketRequest(ticket_no=ticket_no, query_code=code))
            assert tracked.status == pb.TICKET_STATUS_SUBMITTED
    stored = await stored_tickets(sessions)
    events = await created_events(nats_alone.url, stored)
    assert set(acknowledged) <= set(events) and set(events.values()) == {1}
    assert len(events) == stored  # committed but unanswered ones are published too
    engine = database_url.split(":", 1)[0]
    print(
        f"\nSIGKILL mid-burst ({engine}): {at_kill} acknowledged, {failed} calls cut off, {stored} stored; "
        "every acknowledged ticket found after restart, each event published once"
    )
