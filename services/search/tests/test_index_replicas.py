"""SEARCH_INDEX_REPLICAS on a real single-node engine: a new index gets the configured copies, a live index is
brought to them at start, and none of this changes the definition's fingerprint (so it never causes a rebuild)."""

import os

import pytest

from search import index, upgrade


@pytest.fixture
async def alias(engine):
    name = f"replica-items-{os.urandom(4).hex()}"
    yield name
    await engine.indices.delete(index=f"{name}-*")


async def replicas_and_health(engine, alias: str) -> tuple[str, str]:
    (name,) = await engine.indices.get_alias(name=alias)
    settings = (await engine.indices.get_settings(index=name))[name]["settings"]["index"]
    return settings["number_of_replicas"], (await engine.cluster.health(index=name))["status"]


def test_replicas_do_not_change_the_definition_fingerprint():
    stamps = {index.stamped_definition(replicas)["mappings"]["_meta"]["definition"] for replicas in (0, 1, 2)}
    assert stamps == {upgrade.shipped_definition()}


async def test_a_new_index_gets_the_configured_replicas_and_one_node_keeps_serving_it(engine, alias):
    await index.ensure_index(engine, alias, replicas=1)

    # The replica has no second node to go to: yellow, which the gateway's readiness accepts (only red fails it).
    assert await replicas_and_health(engine, alias) == ("1", "yellow")
    await engine.index(index=alias, id="1", body={"id": 1, "title": "机动车驾驶证"}, refresh="wait_for")
    assert (await engine.count(index=alias))["count"] == 1
    assert await upgrade.live_definition(engine, alias) == upgrade.shipped_definition()


async def test_a_live_index_is_brought_to_the_configured_replicas_at_start(engine, alias):
    await index.ensure_index(engine, alias, replicas=0)
    assert await replicas_and_health(engine, alias) == ("0", "green")

    await index.wait_for_engine(engine, alias, replicas=1)  # a restart with SEARCH_INDEX_REPLICAS=1
    assert (await replicas_and_health(engine, alias))[0] == "1"

    await index.wait_for_engine(engine, alias, replicas=0)
    assert await replicas_and_health(engine, alias) == ("0", "green")
