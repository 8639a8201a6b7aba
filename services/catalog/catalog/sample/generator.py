"""A deterministic sample catalog of a prefecture-level city (烟台-like), for development, demos and scale tests.

    catalog = build_catalog(seed=2012, item_count=7200)
    catalog.departments, catalog.units   # lists of dicts
    for item in catalog.items: ...       # an iterator: 100k or 1M items are never held in memory

Items come in a fixed order: the required services (required_services.tsv), one 机构编制 item per department, the
政民互动 entries, then 办事服务, 便民查询 and 信息公开 items mixed 8:1:1. Each stream lists its most natural items first
(city level, then districts and towns, then village service stations); when every stream has run out of natural
names, the streams start again and names get a round suffix ("·2", "·3", ...), so codes and names stay unique at
any size. Same seed and count give the same output; every item depends only on the seed and its name.
"""

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from catalog.sample import disclosure, lookups, required, services
from catalog.sample.draft import Draft
from catalog.sample.guides import TYPE_CODES
from catalog.sample.world import World

# Sections of the mixed part, in the order of one cycle of the mix.
MIX = ("service",) * 8 + ("lookup", "disclosure")


@dataclass
class SampleCatalog:
    departments: list[dict]
    units: list[dict]
    items: Iterator[dict]


class CatalogBuilder:
    def __init__(self, seed: int):
        self.seed = seed
        self.world = World(seed)
        self.department_numbers = {d["key"]: n for n, d in enumerate(self.world.departments, 1)}
        self.streams: dict[str, Callable[[], Iterator[Draft]]] = {
            "service": services.ServiceStream(self.world, seed).drafts,
            "lookup": lookups.LookupStream(self.world, seed).drafts,
            "disclosure": disclosure.DisclosureStream(self.world, seed).drafts,
        }

    def fixed_drafts(self) -> list[Draft]:
        return (
            required.drafts(self.world, self.seed)
            + required.organisation_drafts(self.world, self.seed)
            + disclosure.interaction_drafts(self.world, self.seed)
        )

    def code(self, draft: Draft, sequence: int) -> str:
        return (
            f"{draft.region}-{self.department_numbers[draft.department]:03d}-{TYPE_CODES[draft.item_type]}"
            f"-{sequence:07d}"
        )

    def items(self) -> Iterator[dict]:
        sequence = itertools.count(1)
        seen: set[str] = set()
        for draft in self.fixed_drafts():
            seen.add(draft.name)
            yield draft.write(draft.name, self.code(draft, next(sequence)))
        duplicates: set[tuple[str, int]] = set()  # (stream, position) of natural names already used
        for round_number in itertools.count(1):
            suffix = "" if round_number == 1 else f"·{round_number}"
            for stream, position, draft in self._mixed():
                if round_number == 1:
                    if draft.name in seen:
                        duplicates.add((stream, position))
                        continue
                    seen.add(draft.name)
                elif (stream, position) in duplicates:
                    continue
                name = draft.name + suffix
                yield draft.write(name, self.code(draft, next(sequence)))
            seen.clear()

    def _mixed(self) -> Iterator[tuple[str, int, Draft]]:
        """Drafts of the three streams interleaved by MIX; a stream that runs out leaves its turns to the others."""
        active = {name: enumerate(factory()) for name, factory in self.streams.items()}
        while active:
            for stream in MIX:
                if stream not in active:
                    continue
                entry = next(active[stream], None)
                if entry is None:
                    del active[stream]
                    continue
                position, draft = entry
                yield stream, position, draft

    def minimum_count(self) -> int:
        return len(self.fixed_drafts())


def build_catalog(seed: int = 2012, item_count: int = 7200) -> SampleCatalog:
    """The sample catalog: departments, units and an iterator of exactly item_count items."""
    builder = CatalogBuilder(seed)
    minimum = builder.minimum_count()
    if item_count < minimum:
        raise ValueError(f"item_count must be at least {minimum} (required services and 机构编制 items)")
    return SampleCatalog(
        departments=builder.world.departments,
        units=builder.world.units,
        items=itertools.islice(builder.items(), item_count),
    )
