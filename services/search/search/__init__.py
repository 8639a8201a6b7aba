"""The search service: the OpenSearch index of published items, its query side and its indexer."""
