"""The sample catalog that `make run` loads into an empty database (the catalog issue grows it to 7,000+ items).

Items go through the same domain functions as staff edits, so they are audited and announced to search.
"""

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import service
from catalog.models import Department, ServiceItem

SAMPLE_FILE = Path(__file__).with_name("sample_data.json")
EDITOR = "sample-data"


async def load_if_empty(session: AsyncSession) -> int:
    """Load the sample catalog unless the database already holds items; return how many were added."""
    if await session.scalar(select(func.count()).select_from(ServiceItem)):
        return 0
    data = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    department_ids = {}
    for fields in data["departments"]:
        department = Department(**fields)
        session.add(department)
        await session.flush()
        department_ids[department.name] = department.id
    for fields in data["items"]:
        department_id = department_ids[fields.pop("department")]
        draft = service.ItemDraft(**fields, department_id=department_id, status="published")
        await service.create_item(session, draft=draft, editor=EDITOR)
    await session.commit()
    return len(data["items"])
