"""`python -m feedback serve|migrate`."""

from feedback.config import FeedbackSettings
from feedback.grpc_api import FeedbackServicer
from feedback.models import MIGRATIONS, OutboxEvent
from portal.feedback.v1 import feedback_pb2, feedback_pb2_grpc
from portal_common import cli, grpc_server, migrations
from portal_common.messaging import FEEDBACK_STREAM
from portal_common.runtime import serve_with_outbox


async def serve(settings: FeedbackSettings) -> None:
    await serve_with_outbox(
        settings,
        name="feedback",
        database_url=settings.database_url,
        outbox_model=OutboxEvent,
        stream=FEEDBACK_STREAM,
        make_servicer=lambda sessions, notify: grpc_server.Servicer(
            FeedbackServicer(sessions, on_commit=notify),
            feedback_pb2_grpc.add_FeedbackServiceServicer_to_server,
            feedback_pb2.DESCRIPTOR.services_by_name["FeedbackService"].full_name,
        ),
    )


def migrate(settings: FeedbackSettings) -> None:
    migrations.upgrade(settings.database_url, MIGRATIONS)


if __name__ == "__main__":
    cli.run("feedback", FeedbackSettings(), {"serve": serve, "migrate": migrate})
