from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from portal_common.settings import GrpcServiceSettings
from search import synonyms


class SearchSettings(GrpcServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SEARCH_", extra="ignore")

    grpc_port: int = 50052
    opensearch_url: str = Field("http://127.0.0.1:9200", validation_alias="OPENSEARCH_URL")
    # Searches read this alias; a full reindex builds a new index and swaps the alias onto it.
    index_alias: str = "portal-items"
    # Copies of each shard besides the primary: 0 on one engine node (a replica has nowhere to go), 1-2 on a
    # cluster so that a node loss keeps the index whole. Applied to the live index at start (a dynamic setting);
    # it is not part of the index definition's fingerprint, so changing it never triggers a rebuild.
    index_replicas: int = Field(0, ge=0, le=5)
    # The reviewed synonym dictionary; edits are picked up while serving (python -m search check-synonyms first).
    synonyms_file: Path = synonyms.DEFAULT_FILE
    # Where a full reindex (`python -m search reindex`, or the indexer after a definition change) reads the items.
    catalog_address: str = "127.0.0.1:50051"
