"""Channels between services spread calls over every server behind a name, and servers age connections out so
that clients find new servers: real gRPC servers on two loopback addresses, no cluster needed."""

import asyncio
from collections import Counter

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from portal_common import grpc_client, grpc_server
from portal_common.settings import GrpcServiceSettings
from portal_common.testing import free_port

HEALTH = health_pb2.DESCRIPTOR.services_by_name["Health"]


class CountingHealth(health_pb2_grpc.HealthServicer):
    """Answers SERVING and remembers which server answered and over which client connection."""

    def __init__(self, server: str, answers: Counter, peers: set):
        self._server, self._answers, self._peers = server, answers, peers

    async def Check(self, request, context):  # noqa: N802 (gRPC's name)
        self._answers[self._server] += 1
        self._peers.add(context.peer())
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


@pytest.fixture
async def servers():
    """Two servers on one port of 127.0.0.1 and 127.0.0.2 (two pods behind a headless Service), connections aged
    out after 0.3 s; yields the port, the answers per server and the client connections seen."""
    port, answers, peers = free_port(), Counter(), set()
    settings = GrpcServiceSettings(grpc_port=port, GRPC_MAX_CONNECTION_AGE_SECONDS=0.3)
    started = []
    for host in ("127.0.0.1", "127.0.0.2"):
        server = grpc.aio.server(options=grpc_server.connection_options(settings))
        health_pb2_grpc.add_HealthServicer_to_server(CountingHealth(host, answers, peers), server)
        server.add_insecure_port(f"{host}:{port}")
        await server.start()
        started.append(server)
    yield port, answers, peers
    await asyncio.gather(*(server.stop(None) for server in started))


async def check(channel: grpc.aio.Channel, times: int) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    for _ in range(times):
        response = await stub.Check(health_pb2.HealthCheckRequest(), timeout=5, wait_for_ready=True)
        assert response.status == health_pb2.HealthCheckResponse.SERVING


async def test_calls_are_spread_over_every_server_behind_the_target(servers):
    port, answers, _ = servers
    async with grpc_client.channel(f"ipv4:127.0.0.1:{port},127.0.0.2:{port}", HEALTH) as channel:
        await channel.channel_ready()
        await check(channel, 20)
    assert sorted(answers) == ["127.0.0.1", "127.0.0.2"]
    assert min(answers.values()) >= 5, answers


async def test_without_the_policy_one_connection_takes_every_call(servers):
    """The control: gRPC's default (pick_first) is why a ClusterIP Service pinned a client to one pod."""
    port, answers, _ = servers
    async with grpc.aio.insecure_channel(f"ipv4:127.0.0.1:{port},127.0.0.2:{port}") as channel:
        await check(channel, 20)
    assert list(answers.values()) == [20]


async def test_aged_connections_are_replaced_without_failing_a_call(servers):
    port, _, peers = servers
    async with grpc_client.channel(f"127.0.0.1:{port}", HEALTH) as channel:
        async with asyncio.timeout(20):
            while len(peers) < 3:  # each new client port is a new connection after the server closed the old one
                await check(channel, 5)
                await asyncio.sleep(0.1)
