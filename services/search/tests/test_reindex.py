"""A full reindex behind the alias, against a real catalog process, NATS, OpenSearch and the live indexer: searches
never fail while it runs, edits made meanwhile are not lost, old indices go, and a changed index definition is
rebuilt by the indexer when it starts."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
import nats
import pytest

from portal.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from portal_common.testing import SERVICE_PYTHONPATH, NatsServer, free_port, run_module, start_module, stop, wait_for
from search import index, reindex, synonyms, upgrade
from search.service import ItemSearch

PASSWORD = "reindex-test-password"
SAMPLE_ITEMS = 200  # about the least the sample city has


@dataclass
class Portal:
    """A catalog with a small sample city, publishing to its own NATS, and the live indexer writing to `alias`."""

    env: dict[str, str]
    folder: Path
    nats: NatsServer
    opensearch_url: str
    catalog_address: str
    alias: str


def _count(url: str, target: str) -> int:
    return httpx.get(f"{url}/{target}/_count").json()["count"]


def _catalog_total(address: str) -> int:
    with grpc.insecure_channel(address) as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        return stub.ListItems(catalog_pb2.ListItemsRequest(page_size=1), timeout=2).total


@pytest.fixture(scope="module")
def portal(opensearch_url, tmp_path_factory) -> Iterator[Portal]:
    folder = tmp_path_factory.mktemp("reindex")
    # Its own NATS: the indexer's durable consumer must not share events with another test's indexer.
    nats_server = NatsServer(free_port(), free_port(), folder / "nats-store", folder / "nats.log")
    nats_server.start()
    port = free_port()
    alias = f"reindex-items-{os.urandom(4).hex()}"
    env = {
        "PORTAL_ENV": "test",
        "NATS_URL": nats_server.url,
        "OPENSEARCH_URL": opensearch_url,
        "CATALOG_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/catalog.db",
        "CATALOG_GRPC_PORT": str(port),
        "CATALOG_ADMIN_PASSWORD": PASSWORD,
        "CATALOG_SAMPLE_ITEMS": str(SAMPLE_ITEMS),
        "SEARCH_CATALOG_ADDRESS": f"127.0.0.1:{port}",
        "SEARCH_INDEX_ALIAS": alias,
    }
    run_module(["catalog", "migrate"], env)
    run_module(["catalog", "seed"], env)
    run_module(["catalog", "bootstrap-admin"], env)
    processes = [
        start_module(["catalog", "serve"], env, folder / "catalog.log"),
        start_module(["search", "index"], env, folder / "indexer.log"),
    ]
    address = f"127.0.0.1:{port}"
    try:
        wait_for(lambda: _catalog_total(address) > 0, 30, "catalog", processes[0])
        total = _catalog_total(address)
        wait_for(lambda: _count(opensearch_url, alias) == total, 60, "the indexer", processes[1])
        yield Portal(env, folder, nats_server, opensearch_url, address, alias)
    finally:
        for process in processes:
            stop(process)
        nats_server.stop()
        httpx.delete(f"{opensearch_url}/{alias}-*")


@pytest.fixture
async def engine(opensearch_url):
    client = index.client(opensearch_url)
    yield client
    await client.close()


@pytest.fixture
async def js(portal):
    connection = await nats.connect(portal.nats.url)
    yield connection.jetstream()
    await connection.close()


@pytest.fixture
async def catalog(portal):
    async with grpc.aio.insecure_channel(portal.catalog_address) as channel:
        yield catalog_pb2_grpc.CatalogServiceStub(channel)


async def indices_of(engine, alias: str) -> set[str]:
    return set(await engine.indices.get(index=f"{alias}-*"))


async def until(check, what: str, seconds: float = 15) -> None:
    """Poll an observable state (an index, a log) until `check()` holds."""
    try:
        async with asyncio.timeout(seconds):
            while not await check():  # noqa: ASYNC110 (polling another process's work)
                await asyncio.sleep(0.1)
    except TimeoutError:
        pytest.fail(f"gave up waiting {seconds}s for {what}")


# --- searches during a rebuild -------------------------------------------------------------------------------


async def search_results(engine, alias: str, queries: list[str]) -> dict[str, list[tuple[int, str]]]:
    results = {}
    for query in queries:
        result = await _items(engine, alias).search(query=query, page=1, size=20)
        results[query] = [(hit.item_id, hit.title) for hit in result.hits]
    return results


async def test_searches_never_fail_while_the_index_is_rebuilt_and_find_the_same_items(portal, engine):
    sample = await engine.search(
        index=portal.alias, body={"query": {"term": {"status": "published"}}, "size": 6, "sort": ["id"]}
    )
    queries = [hit["_source"]["title"] for hit in sample["hits"]["hits"]]
    before = await search_results(engine, portal.alias, queries)
    (old_index,), _ = await reindex.alias_holders(engine, portal.alias)

    log = (portal.folder / "reindex-command.log").open("ab")
    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "search",
        "reindex",
        env={**os.environ, "PYTHONPATH": SERVICE_PYTHONPATH, **portal.env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    finished = asyncio.create_task(command.wait())
    # One steady loop of searches from before the command starts until after it has finished.
    failures, served_by, searches, after_exit = [], set(), 0, 0
    while not finished.done() or after_exit < 10:
        after_exit += finished.done()
        try:
            await _items(engine, portal.alias).search(query=queries[searches % len(queries)], page=1, size=10)
            response = await engine.search(index=portal.alias, body={"size": 1})
            served_by.add(response["hits"]["hits"][0]["_index"])
        except Exception as error:
            failures.append(repr(error))
        searches += 1
        await asyncio.sleep(0.01)  # searches arrive steadily, not in a loop that takes a whole core
    assert await finished == 0, (portal.folder / "reindex-command.log").read_text()

    (new_index,), _ = await reindex.alias_holders(engine, portal.alias)
    assert failures == [], f"{len(failures)} of {searches} searches failed: {failures[:3]}"
    assert new_index != old_index
    assert served_by == {old_index, new_index}  # answered by the old index, then by the new one
    assert await search_results(engine, portal.alias, queries) == before
    assert old_index in await indices_of(engine, portal.alias)  # kept for a rollback


# --- edits during a rebuild ----------------------------------------------------------------------------------


def staff(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)


async def indexed_version(engine, target: str, item_id: int) -> int:
    document = await engine.get(index=target, id=str(item_id), ignore=404)
    return document.get("_version", 0)


async def test_edits_made_during_a_rebuild_are_in_the_new_index_at_their_latest_version(portal, engine, js, catalog):
    token = (await catalog.Login(catalog_pb2.LoginRequest(username="admin", password=PASSWORD))).token
    first_hundred = (await catalog.ListItems(catalog_pb2.ListItemsRequest(page_size=100))).items
    renamed, withdrawn, late = first_hundred[0], first_hundred[1], first_hundred[-1]
    department_id = renamed.department_id
    edited: dict[str, catalog_pb2.ServiceItem] = {}

    async def rename(item: catalog_pb2.ServiceItem, name: str) -> catalog_pb2.ServiceItem:
        changed = catalog_pb2.ServiceItem()
        changed.CopyFrom(item)
        changed.name = name
        return await catalog.UpdateItem(catalog_pb2.UpdateItemRequest(item=changed), metadata=staff(token))

    async def edit_while_rebuilding(loaded: int) -> None:
        if loaded != 20:  # once, after the first page: it is in the new index already; the 100th item is read later
            return
        edited["renamed"] = await rename(await rename(renamed, "重建期间改名的事项"), "重建期间再次改名的事项")
        edited["withdrawn"] = await catalog.SetItemStatus(
            catalog_pb2.SetItemStatusRequest(
                id=withdrawn.id, status=catalog_pb2.ITEM_STATUS_WITHDRAWN, expected_version=withdrawn.version
            ),
            metadata=staff(token),
        )
        edited["late"] = await rename(late, "重建期间改名的后面事项")
        new_item = catalog_pb2.ServiceItem(
            code="REINDEX-NEW-1",
            name="重建期间新增的事项",
            section="办事服务",
            department_id=department_id,
            fees="不收费",
            status=catalog_pb2.ITEM_STATUS_PUBLISHED,
        )
        edited["created"] = await catalog.CreateItem(
            catalog_pb2.CreateItemRequest(item=new_item), metadata=staff(token)
        )

        # The live indexer writes them into the old index (behind the alias) and acks them: only the rebuild's
        # replay of the stream can bring the first page's edits into the new index.
        async def live_indexer_has_them() -> bool:
            versions = [await indexed_version(engine, portal.alias, item.id) for item in edited.values()]
            return versions == [item.version for item in edited.values()]

        await until(live_indexer_has_them, "the live indexer to index the edits")

    total_before = (await catalog.ListItems(catalog_pb2.ListItemsRequest(page_size=1))).total
    report = await reindex.reindex(engine, js, catalog, portal.alias, page_size=20, after_page=edit_while_rebuilding)

    assert report.items == total_before + 1  # the created item was read in a later page
    assert report.replayed >= 5  # two renames, a withdrawal, a rename and a creation
    for item in edited.values():
        document = await engine.get(index=report.index, id=str(item.id))
        assert document["_version"] == item.version
        assert document["_source"]["title"] == item.name
    assert (await engine.get(index=report.index, id=str(withdrawn.id)))["_source"]["status"] == "withdrawn"
    found = await _items(engine, portal.alias).search(query="重建期间再次改名的事项", page=1, size=5)
    assert found.hits[0].item_id == renamed.id

    # After the swap, the live indexer writes through the alias into the new index.
    after = await rename(edited["renamed"], "重建之后改名的事项")
    await until(lambda: _is_version(engine, report.index, after), "the live indexer to write into the new index")


async def _is_version(engine, target: str, item: catalog_pb2.ServiceItem) -> bool:
    return await indexed_version(engine, target, item.id) == item.version


# --- old indices and the definition --------------------------------------------------------------------------


async def test_a_rebuild_keeps_only_the_index_it_replaced_and_records_its_definition(portal, engine, js, catalog):
    _, replaced = await reindex.alias_holders(engine, portal.alias)
    stale = f"{portal.alias}-20000101t000000-abcdef"  # left by an earlier rebuild
    unrelated = f"{portal.alias}-archive"  # someone's own index: not ours to delete
    for name in (stale, unrelated):
        await engine.indices.create(index=name)

    # One engine node has nowhere to put a replica: the index is yellow, and must still be built and searched.
    report = await reindex.reindex(engine, js, catalog, portal.alias, replicas=1)

    assert report.previous == replaced
    assert stale in report.deleted
    assert await indices_of(engine, portal.alias) == {replaced, report.index, unrelated}
    assert _count(portal.opensearch_url, portal.alias) == _catalog_total(portal.catalog_address)
    settings = (await engine.indices.get_settings(index=report.index))[report.index]["settings"]["index"]
    assert (settings["refresh_interval"], settings["number_of_replicas"]) == ("1s", "1")  # restored after the load
    assert (await engine.cluster.health(index=report.index))["status"] == "yellow"
    assert await upgrade.live_definition(engine, portal.alias) == upgrade.shipped_definition()  # no rebuild due
    await engine.indices.delete(index=unrelated)


async def test_the_first_index_records_its_definition(engine):
    alias = f"first-items-{os.urandom(4).hex()}"
    await index.ensure_index(engine, alias)
    try:
        assert await upgrade.live_definition(engine, alias) == upgrade.shipped_definition()
        assert not await upgrade.warn_if_outdated(engine, alias)
    finally:
        await engine.indices.delete(index=f"{alias}-*")


def older_definition() -> dict:
    """The shipped definition as it was before a field was added: strict, so today's documents don't fit."""
    definition = index.index_definition()
    del definition["mappings"]["properties"]["summary"]
    definition["mappings"]["_meta"] = {"definition": index.definition_hash(definition)}
    return definition


async def test_indexer_replicas_starting_on_an_outdated_index_rebuild_it_once(portal, engine, tmp_path, caplog):
    alias = f"outdated-items-{os.urandom(4).hex()}"
    await engine.indices.create(
        index=f"{alias}-v1", body={**older_definition(), "aliases": {alias: {"is_write_index": True}}}
    )
    assert await upgrade.warn_if_outdated(engine, alias)  # what the query side does at start
    assert "a reindex is needed" in caplog.text

    nats_server = NatsServer(free_port(), free_port(), tmp_path / "nats-store", tmp_path / "nats.log")
    nats_server.start()
    env = {**portal.env, "NATS_URL": nats_server.url, "SEARCH_INDEX_ALIAS": alias}
    replicas = [start_module(["search", "index"], env, tmp_path / f"indexer-{n}.log") for n in (1, 2)]
    try:

        async def rebuilt() -> bool:
            return await upgrade.live_definition(engine, alias) == upgrade.shipped_definition()

        await until(rebuilt, "an indexer to rebuild the outdated index", seconds=30)
        (new_index,), _ = await reindex.alias_holders(engine, alias)
        assert await indices_of(engine, alias) == {f"{alias}-v1", new_index}  # one rebuild, the old index kept
        assert _count(portal.opensearch_url, new_index) == _catalog_total(portal.catalog_address)
        logs = "".join((tmp_path / f"indexer-{n}.log").read_text() for n in (1, 2))
        assert logs.count(": rebuilding") == 1
        assert all(replica.poll() is None for replica in replicas)  # both went on to consume events
    finally:
        for replica in replicas:
            stop(replica)
        nats_server.stop()
        await engine.indices.delete(index=f"{alias}-*")


def _items(engine, alias: str) -> ItemSearch:
    return ItemSearch(engine, alias, synonyms.SynonymFile(synonyms.DEFAULT_FILE))
