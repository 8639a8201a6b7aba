"""The sample catalog loads into an empty database (SQLite and PostgreSQL) through the domain rules, with every
service residents search for most under its official name and department."""

import csv
import time
from pathlib import Path

from sqlalchemy import func, select

from catalog import sample_data
from catalog.models import MIGRATIONS, Department, ItemAudit, OutboxEvent, ServiceItem, Unit
from portal_common.testing import migrated_sessions

REQUIRED = Path(sample_data.__file__).parent / "sample" / "required_services.tsv"


def required_services() -> list[tuple[str, str]]:
    rows = csv.reader((line for line in REQUIRED.open(encoding="utf-8") if not line.startswith("#")), delimiter="\t")
    return [(row[0], row[1]) for row in rows if row]


async def test_the_sample_city_loads_once_with_every_required_service(database_url):
    async with migrated_sessions(database_url, MIGRATIONS) as sessions:
        started = time.monotonic()
        async with sessions() as session:
            added = await sample_data.load_if_empty(session)
        seconds = time.monotonic() - started
        async with sessions() as session:
            again = await sample_data.load_if_empty(session)
            departments = await session.scalar(select(func.count()).select_from(Department))
            units = await session.scalar(select(func.count()).select_from(Unit))
            published = await session.scalar(
                select(func.count()).select_from(ServiceItem).where(ServiceItem.status == "published")
            )
            audits = await session.scalar(select(func.count()).select_from(ItemAudit))
            item_events = await session.scalar(
                select(func.count()).select_from(OutboxEvent).where(OutboxEvent.subject == "catalog.item.changed")
            )
            found = set(
                (
                    await session.execute(
                        select(ServiceItem.name, Department.name).join(
                            Department, ServiceItem.department_id == Department.id
                        )
                    )
                ).all()
            )
    print(
        f"\nsample catalog on {database_url.split(':')[0]}: {departments} departments, {units} units, "
        f"{added} items in {seconds:.1f}s"
    )
    assert again == 0
    assert departments >= 120 and published >= 7000 and added == published
    assert audits == added and item_events == added  # every item audited and announced
    missing = [service for service in required_services() if service not in found]
    assert missing == []
