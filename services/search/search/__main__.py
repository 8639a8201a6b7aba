"""`python -m search serve|index|reindex|check-synonyms`: the query side and the indexer are separate processes;
`reindex` rebuilds the index behind the alias from the catalog and exits."""

# ruff: noqa: E402 (the environment is set before the imports below read it)
import os

# search.analysis reads pypinyin's phrases from compact tries (search/dictionaries.py): set before anything imports
# pypinyin, this keeps pypinyin from loading its own phrase dictionary (32 MB) and from copying its dictionaries.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")

import sys

import grpc

from portal.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from portal.search.v1 import search_pb2, search_pb2_grpc
from portal_common import cli, grpc_client, grpc_server, messaging
from portal_common.signals import stop_on_signals
from portal_common.telemetry import configure_tracing, shutdown_tracing
from search import index, reindex, synonyms, upgrade
from search.config import SearchSettings
from search.grpc_api import SearchServicer
from search.indexer import CONSUMER, ItemIndexer
from search.service import ItemSearch


async def serve(settings: SearchSettings) -> None:
    configure_tracing("search")
    engine = index.client(settings.opensearch_url)
    servicer = grpc_server.Servicer(
        SearchServicer(ItemSearch(engine, settings.index_alias, synonyms.SynonymFile(settings.synonyms_file))),
        search_pb2_grpc.add_SearchServiceServicer_to_server,
        search_pb2.DESCRIPTOR.services_by_name["SearchService"].full_name,
    )

    async def index_ready() -> None:
        await index.wait_for_engine(engine, settings.index_alias, settings.index_replicas)
        await upgrade.warn_if_outdated(engine, settings.index_alias)  # the indexer rebuilds; queries only warn

    try:
        # On a fresh install the index may not exist yet: NOT_SERVING until the engine answers and it does.
        await grpc_server.serve(settings, [servicer], ready_when=index_ready)
    finally:
        await engine.close()


async def index_events(settings: SearchSettings) -> None:
    """Consume catalog events into the index until SIGTERM; unacked work is redelivered to the next run. First,
    rebuild the index if it was built from another definition than this code's."""
    configure_tracing("search")  # one service, two processes: spans tell them apart
    engine = index.client(settings.opensearch_url, timeout=index.INDEXING_TIMEOUT)
    connection = await messaging.connect(settings.nats_url, name="search-indexer")
    try:
        await index.wait_for_engine(engine, settings.index_alias, settings.index_replicas)
        js = connection.jetstream()
        async with catalog_channel(settings) as channel:
            catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
            await upgrade.rebuild_if_outdated(
                engine, js, catalog, settings.index_alias, replicas=settings.index_replicas
            )
        indexer = ItemIndexer(engine, settings.index_alias)
        await messaging.consume(js, CONSUMER, indexer.handle, stop_on_signals())
    finally:
        await connection.close()
        await engine.close()
        shutdown_tracing()


async def reindex_now(settings: SearchSettings) -> None:
    """Rebuild the index behind the alias from the catalog while searches go on (see search/reindex.py)."""
    engine = index.client(settings.opensearch_url)
    connection = await messaging.connect(settings.nats_url, name="search-reindex")
    try:
        async with (
            catalog_channel(settings) as channel,
            upgrade.rebuild_lease(connection.jetstream(), settings.index_alias),
        ):
            catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
            await reindex.reindex(
                engine, connection.jetstream(), catalog, settings.index_alias, replicas=settings.index_replicas
            )
    except (upgrade.RebuildInProgress, reindex.ReindexFailed) as error:
        raise SystemExit(f"reindex: {error}") from error
    finally:
        await connection.close()
        await engine.close()


def catalog_channel(settings: SearchSettings) -> grpc.aio.Channel:
    return grpc_client.channel(settings.catalog_address, catalog_pb2.DESCRIPTOR.services_by_name["CatalogService"])


def check_synonyms(settings: SearchSettings) -> None:
    """Review a synonym file before it goes live: SEARCH_SYNONYMS_FILE=path python -m search check-synonyms."""
    try:
        dictionary = synonyms.load(settings.synonyms_file)
    except (OSError, synonyms.SynonymFileError) as error:
        sys.exit(f"refused: {error}")
    print(f"{settings.synonyms_file}: {len(dictionary.rules)} terms, fine")


if __name__ == "__main__":
    commands = {"serve": serve, "index": index_events, "reindex": reindex_now, "check-synonyms": check_synonyms}
    cli.run("search", SearchSettings(), commands)
