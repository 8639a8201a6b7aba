"""The sample catalog that `make run` loads into an empty database: a 烟台-like city made by the seeded generator
in `catalog.sample` (120+ departments and units, 7,000+ items). It goes through the same domain rules as staff
edits, so every item is validated, audited and announced to search."""

import logging
import time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import service
from catalog.models import ServiceItem, Unit
from catalog.sample.generator import build_catalog

log = logging.getLogger(__name__)
LOADER = service.Actor(username="sample-data", role="portal_office")
BATCH = 500


async def load_if_empty(session: AsyncSession, *, seed: int = 2012, item_count: int = 7200) -> int:
    """Load the sample catalog unless the database already holds items; return how many items were added."""
    if await session.scalar(select(func.count()).select_from(ServiceItem)):
        return 0
    started = time.monotonic()
    catalog = build_catalog(seed=seed, item_count=item_count)
    department_ids = await _add_departments(session, catalog.departments)
    unit_ids = await _add_units(session, catalog.units, department_ids)
    added, batch = 0, []
    for row in catalog.items:
        batch.append(_item_fields(row, department_ids, unit_ids))
        if len(batch) == BATCH:
            added += await _import(session, batch)
            batch = []
    added += await _import(session, batch)
    log.info(
        "sample catalog: %d departments, %d units, %d items in %.1fs",
        len(department_ids),
        len(unit_ids),
        added,
        time.monotonic() - started,
    )
    return added


async def _import(session: AsyncSession, rows: list[dict]) -> int:
    if rows:
        await service.import_items(session, rows=rows, actor=LOADER)
        await session.commit()
    return len(rows)


async def _add_departments(session: AsyncSession, rows: list[dict]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for row in _parents_first(rows):
        fields = {k: v for k, v in row.items() if k not in ("key", "parent")}
        fields["parent_id"] = ids[row["parent"]] if row.get("parent") else None
        department = await service.create_department(session, fields=fields, actor=LOADER)
        ids[row["key"]] = department.id
    await session.commit()
    return ids


def _parents_first(rows: list[dict]) -> list[dict]:
    ordered, placed, waiting = [], set(), list(rows)
    while waiting:
        ready = [r for r in waiting if not r.get("parent") or r["parent"] in placed]
        if not ready:
            raise ValueError(f"departments with unknown parents: {[r['key'] for r in waiting]}")
        ordered += ready
        placed.update(r["key"] for r in ready)
        waiting = [r for r in waiting if r["key"] not in placed]
    return ordered


async def _add_units(session: AsyncSession, rows: list[dict], department_ids: dict[str, int]) -> dict[str, int]:
    units = []
    for row in rows:
        fields = {k: v for k, v in row.items() if k not in ("key", "department")}
        units.append((row["key"], Unit(**fields, department_id=department_ids[row["department"]])))
    session.add_all(unit for _, unit in units)
    await session.commit()
    return {key: unit.id for key, unit in units}


def _item_fields(row: dict, department_ids: dict[str, int], unit_ids: dict[str, int]) -> dict:
    fields = {k: v for k, v in row.items() if k not in ("department", "accepting_unit", "handling_unit")}
    fields["department_id"] = department_ids[row["department"]]
    fields["accepting_unit_id"] = unit_ids.get(row.get("accepting_unit") or "")
    fields["handling_unit_id"] = unit_ids.get(row.get("handling_unit") or "")
    return fields
