"""The 办事服务 stream: every family recipe at city level, then in districts and towns (interleaved 3:1, one
service across all districts or towns before the next), then at village service stations (one station at a time).
Within a level, services are taken round-robin over departments, so that any prefix of the catalog is balanced."""

from collections.abc import Iterator
from functools import partial

from catalog.sample import required
from catalog.sample.draft import Draft
from catalog.sample.guides import GuideWriter, Where, item_name
from catalog.sample.recipes import RECIPES
from catalog.sample.world import DISTRICTS, TOWNS, World

DISTRICTS_PER_TOWN = 3  # district drafts for each town draft while both last


def interleave(first: Iterator, second: Iterator, ratio: int) -> Iterator:
    """`ratio` items of the first iterator, then one of the second, ...; the rest of either when the other ends."""
    while True:
        taken = 0
        for item in first:
            yield item
            taken += 1
            if taken == ratio:
                break
        item = next(second, None)
        if item is not None:
            yield item
            taken += 1
        if not taken:
            return


def by_department(recipes: list[dict]) -> list[dict]:
    """Recipes reordered round-robin over departments: each department's first, then each one's second, ..."""
    groups: dict[str, list[dict]] = {}
    for recipe in recipes:
        groups.setdefault(recipe["dept"], []).append(recipe)
    longest = max((len(g) for g in groups.values()), default=0)
    return [g[rank] for rank in range(longest) for g in groups.values() if rank < len(g)]


def at_level(level: str) -> list[dict]:
    """Recipes offered at a level (D, T or V): the required services first, then the families round-robin."""
    first = [r for r in required.level_recipes() if level in r["levels"]]
    return first + by_department([r for r in RECIPES if level in r["levels"]])


class ServiceStream:
    def __init__(self, world: World, seed: int):
        self.world = world
        self.seed = seed
        self.writer = GuideWriter(world)

    def _draft(self, recipe: dict, where: Where):
        write = partial(self._write, recipe, where)
        return Draft(item_name(recipe["name"], where), where.region_code, recipe["type"], recipe["dept"], write)

    def _write(self, recipe: dict, where: Where, name: str, code: str) -> dict:
        return self.writer.write(recipe, where, name, code, self.seed)

    def drafts(self) -> Iterator:
        city = [r for r in RECIPES if "C" in r["levels"] and r["name"] not in required.REQUIRED_NAMES]
        for recipe in by_department(city):
            yield self._draft(recipe, Where("C"))
        yield from interleave(self._district_drafts(), self._town_drafts(), DISTRICTS_PER_TOWN)
        yield from self._village_drafts()

    def _district_drafts(self) -> Iterator:
        for recipe in at_level("D"):
            for district in DISTRICTS:
                yield self._draft(recipe, Where("D", district))

    def _town_drafts(self) -> Iterator:
        for recipe in at_level("T"):
            for town in TOWNS:
                yield self._draft(recipe, Where("T", town.district, town))

    def _village_drafts(self) -> Iterator:
        village_recipes = at_level("V")
        for town in TOWNS:
            for village in town.villages:
                for recipe in village_recipes:
                    yield self._draft(recipe, Where("V", town.district, town, village))
