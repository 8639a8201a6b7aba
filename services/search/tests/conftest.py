"""Fixtures for search tests: a real engine, a fresh index per test, catalog events to feed it."""

import uuid

import pytest

from search import index, synonyms
from search.service import ItemSearch


@pytest.fixture
async def engine(opensearch_url):
    client = index.client(opensearch_url)
    yield client
    await client.close()


@pytest.fixture
async def alias(engine):
    name = f"test-items-{uuid.uuid4().hex[:8]}"
    await index.ensure_index(engine, name)
    yield name
    await engine.indices.delete(index=f"{name}-*,{name}.*")


@pytest.fixture
def items(engine, alias) -> ItemSearch:
    return ItemSearch(engine, alias, synonyms.SynonymFile(synonyms.DEFAULT_FILE))
