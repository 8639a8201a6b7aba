"""A staff edit of a guide: the item as the admin API answers it, turned into the body of its PUT with a new
alias, which makes the edit visible to search (an alias is matched exactly)."""

import uuid
from dataclasses import dataclass

ALIAS_MARK = "压测别名"  # aliases the load test adds start with this; each edit replaces the previous one
EDITS: list[dict] = []  # {"item_id", "alias"} of every saved edit of this process, for the report

# The fields of the admin API's item body (gateway.schemas.ItemIn): the answer carries more (ids, names, dates).
EDITABLE = (
    "code name section department_id fees version aliases item_type audience themes life_events accepting_unit_id "
    "handling_unit_id window staff_in_charge consultation_phone complaint_phone conditions materials steps case_type "
    "legal_time_limit_days promised_time_limit_days legal_basis result hall address latitude longitude bus_routes "
    "hours holiday_note online online_url visits_required faq summary status"
).split()


@dataclass(frozen=True)
class Edit:
    body: dict
    alias: str


def edited(item: dict) -> Edit:
    alias = f"{ALIAS_MARK}{uuid.uuid4().hex[:8]}"
    body = {field: item[field] for field in EDITABLE if field in item}
    kept = [a for a in body.get("aliases", []) if not a["name"].startswith(ALIAS_MARK)]
    body["aliases"] = [*kept, {"name": alias, "source": "工作人员"}]
    return Edit(body, alias)
