"""How a service that owns a database runs: its engine, its outbox relay, and its gRPC API."""

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal_common import grpc_server
from portal_common.database import create_engine, session_factory
from portal_common.messaging import Stream
from portal_common.outbox import OutboxMixin, OutboxRelay
from portal_common.settings import GrpcServiceSettings
from portal_common.telemetry import configure_tracing

ServicerFactory = Callable[[async_sessionmaker[AsyncSession], Callable[[], None]], grpc_server.Servicer]
BackgroundFactory = Callable[
    [async_sessionmaker[AsyncSession], Callable[[], None]], Sequence[Callable[[], Awaitable[None]]]
]


async def serve_with_outbox(
    settings: GrpcServiceSettings,
    *,
    name: str,
    database_url: str,
    outbox_model: type[OutboxMixin],
    stream: Stream,
    make_servicer: ServicerFactory,
    make_background: BackgroundFactory = lambda sessions, notify: (),
) -> None:
    """Serve until SIGTERM. `make_servicer(sessions, notify)` builds the API; it calls `notify` after each
    commit that staged events, so the relay publishes them at once. `make_background(sessions, notify)` gives
    further jobs that run alongside (and take the process down if they fail)."""
    configure_tracing(name)
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    relay = OutboxRelay(sessions, outbox_model, settings.nats_url, (stream,))
    try:
        await grpc_server.serve(
            settings,
            [make_servicer(sessions, relay.notify)],
            background=[relay.run, *make_background(sessions, relay.notify)],
        )
    finally:
        await engine.dispose()
