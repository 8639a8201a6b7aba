"""Faults in what the services depend on: a search engine that hangs (the query side must not wait for it past its
caller's deadline, and must drop the work when the caller goes away) and a PostgreSQL server restarted while
residents submit (every submission stored once or refused cleanly, and the service recovers by itself)."""

import asyncio
import contextlib
import os
import signal
import time

import grpc
import httpx
import pytest

from portal.search.v1 import search_pb2, search_pb2_grpc
from portal_common.audit import Stores, assert_consistent
from portal_common.errors import ERROR_CODE_KEY
from portal_common.testing import (
    ENGINE_NODES,
    PostgresServer,
    create_postgres_database,
    free_port,
    run_module,
    wait_for,
)
from portal_common.testing import stop as stop_process
from tests.faults.conftest import catalog_client, record, settle, settle_feedback, submit_steadily

pytestmark = pytest.mark.timeout(600)
ABANDONED_AT_DEADLINE = "engine request abandoned at the caller's deadline"
ABANDONED_BY_CALLER = "engine request abandoned: the caller went away"


@contextlib.contextmanager
def engine_frozen(stack):
    """The engine hung (SIGSTOP): connections are accepted, nothing is answered."""
    engine = ENGINE_NODES[stack.env["OPENSEARCH_URL"]].process
    os.kill(engine.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(engine.pid, signal.SIGCONT)


async def test_a_hung_engine_never_holds_a_search_past_its_callers_deadline(fault_stack, fault_results):
    stack = fault_stack.stack
    await settle(stack)
    request = search_pb2.SearchRequest(query="驾驶证", size=5)
    async with (
        httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as gateway,
        grpc.aio.insecure_channel(stack.search_address) as channel,
    ):
        search = search_pb2_grpc.SearchServiceStub(channel)
        assert (await gateway.get("/api/v1/search", params={"q": "驾驶证"})).status_code == 200  # word lists loaded
        log_before = len(stack.log("search"))
        with engine_frozen(stack):
            started = time.monotonic()
            api = await gateway.get("/api/v1/search", params={"q": "驾驶证"})  # the gateway's 3 s deadline
            api_seconds = time.monotonic() - started

            started = time.monotonic()
            with pytest.raises(grpc.aio.AioRpcError) as direct:
                await search.Search(request, timeout=1.5)
            direct_seconds = time.monotonic() - started

            walked_away = search.Search(request, timeout=30)  # longer than the engine client's own 10 s
            await asyncio.sleep(1)
            walked_away.cancel()
            await asyncio.to_thread(
                wait_for, lambda: ABANDONED_BY_CALLER in stack.log("search")[log_before:], 5, "the handler cancelled"
            )
        log = stack.log("search")[log_before:]

    assert api.status_code == 503 and api.json()["code"] == "search_timeout" and api.json()["message"], api.text
    assert direct.value.code() == grpc.StatusCode.UNAVAILABLE
    assert dict(direct.value.trailing_metadata())[ERROR_CODE_KEY] == "search_timeout"
    assert api_seconds < 3 and direct_seconds < 1.5  # answered inside each caller's deadline, with the reason
    assert log.count(ABANDONED_AT_DEADLINE) == 2 and log.count(ABANDONED_BY_CALLER) == 1
    report = await assert_consistent(stack.stores())
    record(
        fault_results,
        "search engine hung: the caller's deadline bounds the engine request",
        gateway_answer=f"{api.status_code} {api.json()['code']}",
        gateway_seconds=round(api_seconds, 2),
        grpc_deadline_1_5s_answered_after_seconds=round(direct_seconds, 2),
        engine_requests_abandoned_at_deadline=log.count(ABANDONED_AT_DEADLINE),
        engine_requests_abandoned_when_the_caller_cancelled=log.count(ABANDONED_BY_CALLER),
        **report.summary(),
    )


SUBMISSIONS = 60
PG_DOWN_SECONDS = 2


@pytest.fixture
def feedback_on_postgres(fault_stack):
    """A feedback service (and a gateway in front of it) on a PostgreSQL server of its own, which the test may
    restart; yields (server, database URL, gateway URL)."""
    stack = fault_stack.stack
    server = PostgresServer()
    server.create()
    started = []
    try:
        url = create_postgres_database(server.url, "feedback")
        feedback_port, gateway_port = free_port(), free_port()
        env = {"FEEDBACK_DATABASE_URL": url, "FEEDBACK_GRPC_PORT": str(feedback_port)}
        run_module(["feedback", "migrate"], {**stack.env, **env})
        started.append(stack.start("feedback-pg", "feedback", "serve", env=env))
        wait_for(lambda: "serving" in stack.log("feedback-pg"), 60, "feedback on PostgreSQL", started[-1])
        gateway_env = {"GATEWAY_HTTP_PORT": str(gateway_port), "GATEWAY_FEEDBACK_ADDRESS": f"127.0.0.1:{feedback_port}"}
        started.append(stack.start("gateway-pg", "gateway", "serve", env=gateway_env))
        gateway_url = f"http://127.0.0.1:{gateway_port}"
        wait_for(lambda: httpx.get(f"{gateway_url}/readyz").status_code == 200, 60, "gateway-pg", started[-1])
        yield server, url, gateway_url
    finally:
        for process in started:
            stop_process(process)
        server.remove()


async def test_submissions_while_postgresql_restarts_are_stored_once_or_refused_cleanly(
    fault_stack, feedback_on_postgres, fault_results
):
    stack = fault_stack.stack
    server, database_url, gateway_url = feedback_on_postgres
    answered: list[tuple[float, int]] = []
    submitting = asyncio.create_task(submit_steadily(gateway_url, SUBMISSIONS, pause=0.1, answered=answered))
    await asyncio.sleep(1.5)
    down = time.monotonic()
    await asyncio.to_thread(server.stop)  # a fast shutdown: sessions and transactions in progress are cut
    await asyncio.sleep(PG_DOWN_SECONDS)
    await asyncio.to_thread(server.start)
    back = time.monotonic()
    acknowledged, refused = await submitting
    await settle_feedback(stack, database_url=database_url)
    report = await assert_consistent(
        Stores(feedback_database_url=database_url, nats_url=stack.env["NATS_URL"]), acknowledged_tickets=acknowledged
    )

    assert len(acknowledged) + len(refused) == SUBMISSIONS
    assert refused, "no submission met the outage"
    assert all(answer.startswith("503 ") and '"database_unavailable"' in answer for answer in refused), refused
    first_after = min(at for at, status in answered if at > back and status == 201)
    assert all(status == 201 for at, status in answered if at > first_after)  # recovered: nothing refused since
    assert all(status == 201 for at, status in answered if at < down)
    record(
        fault_results,
        f"PostgreSQL restarted under submissions ({PG_DOWN_SECONDS}s down)",
        submissions=SUBMISSIONS,
        acknowledged=len(acknowledged),
        refused_cleanly=len(refused),
        refused_answers=sorted({answer[:120] for answer in refused}),
        stop_and_start_seconds=round(back - down, 2),
        first_success_seconds_after_the_server_was_back=round(first_after - back, 2),
        **report.summary(),
    )


ENGINE_DOWN_SECONDS = 30  # then its restart: the engine answers nothing until it has started again
SEARCH_PATHS = ("/api/v1/search", "/m/search")


async def test_a_search_engine_stopped_and_restarted_degrades_search_in_time_and_indexing_catches_up(
    fault_stack, fault_results
):
    stack = fault_stack.stack
    await settle(stack)
    node = ENGINE_NODES[stack.env["OPENSEARCH_URL"]]
    answers: list[tuple[str, int, float]] = []
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as gateway:
        started = time.monotonic()
        await asyncio.to_thread(node.stop)  # SIGTERM: a clean shutdown, as an operator's restart
        stopped = time.monotonic()
        async with catalog_client(stack) as catalog:
            edited = [await catalog.touch(item_id, "engine-restart") for item_id in await catalog.item_ids(5)]
        restart = None
        async with asyncio.timeout(240):
            while True:  # residents keep searching through the outage and the restart
                if restart is None and time.monotonic() - stopped >= ENGINE_DOWN_SECONDS:
                    restart = asyncio.create_task(asyncio.to_thread(node.start))
                statuses = [await _search(gateway, path, answers) for path in SEARCH_PATHS]
                if restart is not None and restart.done():
                    restart.result()  # the engine started again (or the test ends here with why not)
                    if set(statuses) == {200}:
                        break
                await asyncio.sleep(0.2)
        searchable_after = time.monotonic() - stopped
        catch_up = await settle(stack, within=120)
    report = await assert_consistent(stack.stores())

    failed = [(path, status) for path, status, _ in answers if status != 200]
    assert failed and {status for _, status in failed} == {503}  # said so, on the API and on the page
    slowest = max(seconds for _, _, seconds in answers)
    assert slowest < 5  # inside the gateway's 3 s deadline, with a margin for a busy machine
    record(
        fault_results,
        f"search engine stopped (SIGTERM) {ENGINE_DOWN_SECONDS}s and restarted on its data",
        searches=len(answers),
        searches_refused_with_503=len(failed),
        slowest_answer_seconds=round(slowest, 2),
        stop_seconds=round(stopped - started, 2),
        search_answered_again_seconds_after_the_stop=round(searchable_after, 2),
        edits_during_outage=len(edited),
        settle_seconds_after_search_was_back=catch_up,
        **report.summary(),
    )


async def _search(gateway: httpx.AsyncClient, path: str, answers: list) -> int:
    before = time.monotonic()
    response = await gateway.get(path, params={"q": "驾驶证"})
    answers.append((path, response.status_code, time.monotonic() - before))
    return response.status_code
