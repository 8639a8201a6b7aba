"""`python -m search serve|index|check-synonyms`: the query side and the indexer are separate processes."""

import sys

from portal.search.v1 import search_pb2, search_pb2_grpc
from portal_common import cli, grpc_server, messaging
from portal_common.signals import stop_on_signals
from portal_common.telemetry import configure_tracing, shutdown_tracing
from search import index, synonyms
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
    try:
        # On a fresh install the index may not exist yet: NOT_SERVING until the engine answers and it does.
        await grpc_server.serve(
            settings, [servicer], ready_when=lambda: index.wait_for_engine(engine, settings.index_alias)
        )
    finally:
        await engine.close()


async def index_events(settings: SearchSettings) -> None:
    """Consume catalog events into the index until SIGTERM; unacked work is redelivered to the next run."""
    configure_tracing("search")  # one service, two processes: spans tell them apart
    engine = index.client(settings.opensearch_url)
    connection = await messaging.connect(settings.nats_url, name="search-indexer")
    try:
        await index.wait_for_engine(engine, settings.index_alias)
        indexer = ItemIndexer(engine, settings.index_alias)
        await messaging.consume(connection.jetstream(), CONSUMER, indexer.handle, stop_on_signals())
    finally:
        await connection.close()
        await engine.close()
        shutdown_tracing()


def check_synonyms(settings: SearchSettings) -> None:
    """Review a synonym file before it goes live: SEARCH_SYNONYMS_FILE=path python -m search check-synonyms."""
    try:
        dictionary = synonyms.load(settings.synonyms_file)
    except (OSError, synonyms.SynonymFileError) as error:
        sys.exit(f"refused: {error}")
    print(f"{settings.synonyms_file}: {len(dictionary.rules)} terms, fine")


if __name__ == "__main__":
    cli.run("search", SearchSettings(), {"serve": serve, "index": index_events, "check-synonyms": check_synonyms})
