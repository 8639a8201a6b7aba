"""`python -m catalog serve|migrate|seed|bootstrap-admin`."""

from catalog import sample_data, staff
from catalog.config import CatalogSettings
from catalog.grpc_api import CatalogServicer
from catalog.models import MIGRATIONS, OutboxEvent
from portal.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from portal_common import cli, grpc_server, migrations
from portal_common.database import create_engine, session_factory
from portal_common.messaging import CATALOG_STREAM
from portal_common.runtime import serve_with_outbox


async def serve(settings: CatalogSettings) -> None:
    await serve_with_outbox(
        settings,
        name="catalog",
        database_url=settings.database_url,
        outbox_model=OutboxEvent,
        stream=CATALOG_STREAM,
        make_servicer=lambda sessions, notify: grpc_server.Servicer(
            CatalogServicer(
                sessions,
                on_commit=notify,
                login_limits=staff.LoginLimits(
                    settings.login_failures_per_account, settings.login_failures_per_address
                ),
            ),
            catalog_pb2_grpc.add_CatalogServiceServicer_to_server,
            catalog_pb2.DESCRIPTOR.services_by_name["CatalogService"].full_name,
        ),
    )


def migrate(settings: CatalogSettings) -> None:
    migrations.upgrade(settings.database_url, MIGRATIONS)


async def seed(settings: CatalogSettings) -> None:
    """Load the sample catalog into an empty database; the relay publishes its events once serving."""
    engine = create_engine(settings.database_url)
    async with session_factory(engine)() as session:
        added = await sample_data.load_if_empty(session, item_count=settings.sample_items)
    await engine.dispose()
    print(f"catalog: {added} sample items loaded" if added else "catalog: items present, sample data skipped")


async def bootstrap_admin(settings: CatalogSettings) -> None:
    """Create the first portal office account (CATALOG_ADMIN_USERNAME / CATALOG_ADMIN_PASSWORD) when missing."""
    engine = create_engine(settings.database_url)
    async with session_factory(engine)() as session:
        created = await staff.ensure_portal_office_account(
            session, username=settings.admin_username, password=settings.admin_password
        )
    await engine.dispose()
    print(f"catalog: portal office account {settings.admin_username!r} " + ("created" if created else "exists"))


if __name__ == "__main__":
    cli.run(
        "catalog",
        CatalogSettings(),
        {"serve": serve, "migrate": migrate, "seed": seed, "bootstrap-admin": bootstrap_admin},
    )
