"""`python -m feedback serve|migrate|tick`.

`serve` runs the gRPC API, the outbox relay, the deadline scheduler and the department-inbox consumer in one
process; any number of replicas may run (see scheduler.py and inbox.py for why that is safe). `tick` runs one
scheduler pass and exits, for operators and cron."""

import asyncio

from feedback import inbox, scheduler
from feedback.catalog_client import CatalogClient
from feedback.config import FeedbackSettings
from feedback.grpc_api import FeedbackServicer
from feedback.models import MIGRATIONS, OutboxEvent
from portal.feedback.v1 import feedback_pb2, feedback_pb2_grpc
from portal_common import cli, grpc_server, messaging, migrations
from portal_common.database import create_engine, session_factory
from portal_common.messaging import FEEDBACK_STREAM
from portal_common.outbox import utcnow
from portal_common.runtime import serve_with_outbox


async def serve(settings: FeedbackSettings) -> None:
    policy = settings.policy()
    catalog = CatalogClient(settings.catalog_address, cache_seconds=settings.staff_cache_seconds)

    def background(sessions, notify):
        async def schedule() -> None:
            await scheduler.run_forever(
                sessions, policy=policy, interval=settings.scheduler_interval_seconds, on_commit=notify
            )

        async def file_inboxes() -> None:
            connection = await messaging.connect(settings.nats_url, name="feedback-department-inbox")
            stop = asyncio.Event()
            filer = inbox.InboxFiler(sessions)
            consuming = asyncio.create_task(
                messaging.consume(connection.jetstream(), inbox.CONSUMER, filer.handle, stop)
            )
            try:
                await asyncio.shield(consuming)
            except asyncio.CancelledError:  # shutting down: let the batch in hand be filed and acked first
                stop.set()
                await asyncio.wait_for(consuming, settings.shutdown_grace + 2)
                raise
            finally:
                await connection.close()

        return [schedule, file_inboxes]

    try:
        await serve_with_outbox(
            settings,
            name="feedback",
            database_url=settings.database_url,
            outbox_model=OutboxEvent,
            stream=FEEDBACK_STREAM,
            make_servicer=lambda sessions, notify: grpc_server.Servicer(
                FeedbackServicer(sessions, on_commit=notify, catalog=catalog, policy=policy),
                feedback_pb2_grpc.add_FeedbackServiceServicer_to_server,
                feedback_pb2.DESCRIPTOR.services_by_name["FeedbackService"].full_name,
            ),
            make_background=background,
        )
    finally:
        await catalog.close()


def migrate(settings: FeedbackSettings) -> None:
    migrations.upgrade(settings.database_url, MIGRATIONS)


async def tick(settings: FeedbackSettings) -> None:
    """One scheduler pass now; the serving replicas' relays publish its events."""
    engine = create_engine(settings.database_url)
    try:
        report = await scheduler.run_once(session_factory(engine), policy=settings.policy(), now=utcnow())
    finally:
        await engine.dispose()
    print(f"feedback: {report.marked} deadline marks, {report.closed} closed, {report.lost_races} left to others")


if __name__ == "__main__":
    cli.run("feedback", FeedbackSettings(), {"serve": serve, "migrate": migrate, "tick": tick})
