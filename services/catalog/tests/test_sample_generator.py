"""The sample catalog generator: deterministic, big enough, complete (required services, 机构编制), valid item by
item, and varied (not one template with the name swapped)."""

import csv
import io
import json
import re
import time
from contextlib import redirect_stdout
from functools import lru_cache
from itertools import islice
from pathlib import Path

import pytest

from catalog.sample import build_catalog
from catalog.sample.__main__ import main
from catalog.sample.draft import Draft
from catalog.sample.generator import CatalogBuilder
from catalog.sample.guides import blank_item

SEED = 2012
DEFAULT_COUNT = 7200
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "catalog" / "sample"
REPO = Path(__file__).resolve().parents[3]
REQUIRED_FILES = [SAMPLE_DIR / "required_services.tsv", REPO.parent / "shared" / "eval" / "required-services.tsv"]

PHONE = re.compile(r"^(0\d{2,3}-\d{7,8}|1[3-9]\d{9}|12345|95\d{3,4}|400-\d{3}-\d{4})$")
ITEM_KEYS = {
    "code",
    "name",
    "aliases",
    "section",
    "item_type",
    "audience",
    "themes",
    "life_events",
    "department",
    "accepting_unit",
    "handling_unit",
    "window",
    "staff_in_charge",
    "consultation_phone",
    "complaint_phone",
    "conditions",
    "materials",
    "steps",
    "case_type",
    "legal_time_limit_days",
    "promised_time_limit_days",
    "fees",
    "legal_basis",
    "result",
    "hall",
    "address",
    "latitude",
    "longitude",
    "bus_routes",
    "hours",
    "holiday_note",
    "online",
    "online_url",
    "visits_required",
    "faq",
    "summary",
    "status",
}
DEPARTMENT_KEYS = {
    "key",
    "name",
    "short_name",
    "kind",
    "parent",
    "functions",
    "internal_structure",
    "staffing_quota",
    "leaders",
    "address",
    "phone",
    "opening_hours",
    "latitude",
    "longitude",
    "bus_routes",
    "website",
}
UNIT_KEYS = {
    "key",
    "department",
    "name",
    "address",
    "phone",
    "opening_hours",
    "latitude",
    "longitude",
    "bus_routes",
    "windows",
}
SECTIONS = {"办事服务", "便民查询", "信息公开", "政民互动", "机构编制"}
ITEM_TYPES = {
    "行政许可",
    "行政确认",
    "行政给付",
    "行政裁决",
    "行政奖励",
    "其他行政权力",
    "公共服务",
    "便民服务",
    "信息公开",
    "机构编制",
}
AUDIENCES = {"个人", "法人", "个人,法人"}
ALIAS_SOURCES = {"原门户", "群众常用", "工作人员", "简称"}
LIFE_EVENTS = {
    "生育",
    "入学",
    "就业",
    "婚姻",
    "住房",
    "出行",
    "退休",
    "身后事",
    "创业",
    "就医",
    "养老",
    "残疾人服务",
    "兵役退役",
}
KINDS = {"政府部门", "事业单位", "公用企业", "医院", "群团组织", "垂直管理部门", "学校", "文化场馆"}
FORMS = {"原件", "复印件", "原件和复印件", "电子件"}
SHORT, LONG = 300, 5000
# The whole city, districts and counties included.
LATITUDES, LONGITUDES = (36.5, 38.2), (119.5, 121.9)


@lru_cache(maxsize=1)
def default_catalog():
    started = time.perf_counter()
    catalog = build_catalog()
    items = list(catalog.items)
    print(f"\n{len(items)} items generated in {time.perf_counter() - started:.2f} s")
    return catalog.departments, catalog.units, items


def first_items(seed: int, count: int) -> list[dict]:
    return list(islice(build_catalog(seed=seed, item_count=count).items, count))


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --- determinism -----------------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_catalog():
    departments, units, items = default_catalog()
    again = build_catalog(seed=SEED, item_count=DEFAULT_COUNT)
    assert dumps(again.departments) == dumps(departments)
    assert dumps(again.units) == dumps(units)
    assert dumps(list(islice(again.items, 1500))) == dumps(items[:1500])


def test_a_smaller_catalog_is_a_prefix_of_a_bigger_one():
    _, _, items = default_catalog()
    assert dumps(first_items(SEED, 400)) == dumps(items[:400])


def test_another_seed_changes_the_details_but_not_the_service_list():
    _, _, items = default_catalog()
    other = first_items(7, 400)
    assert [i["name"] for i in other] == [i["name"] for i in items[:400]]
    differing = sum(dumps(a) != dumps(b) for a, b in zip(other, items[:400], strict=True))
    assert differing > 350
    assert dumps(build_catalog(seed=7, item_count=300).departments) != dumps(default_catalog()[0])


# --- size and completeness -------------------------------------------------------------------------------------


def test_counts():
    departments, units, items = default_catalog()
    assert len(departments) >= 100
    assert len(departments) + len(units) >= 120
    assert len(items) == DEFAULT_COUNT >= 7000
    assert all(i["status"] == "published" for i in items)
    assert len(first_items(SEED, 250)) == 250


def test_codes_and_names_are_unique():
    _, _, items = default_catalog()
    assert len({i["code"] for i in items}) == len(items)
    assert len({i["name"] for i in items}) == len(items)


def test_item_count_must_cover_the_fixed_items():
    with pytest.raises(ValueError):
        build_catalog(item_count=10)


def required_rows(path: Path) -> list[tuple[str, str, list[str]]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"]
    return [
        (row[0], row[1], [n.strip() for n in row[2].split(";") if n.strip()])
        for row in csv.reader(lines, delimiter="\t")
    ]


@pytest.mark.parametrize("path", REQUIRED_FILES, ids=["project", "shared-eval"])
def test_every_required_service_is_there_with_its_names(path: Path):
    if not path.exists():
        pytest.skip(f"{path} does not exist")
    departments, _, items = default_catalog()
    department_names = {d["key"]: d["name"] for d in departments}
    by_name = {i["name"]: i for i in items}
    rows = required_rows(path)
    assert rows
    for official, department, citizen_names in rows:
        item = by_name.get(official)
        assert item is not None, official
        assert department_names[item["department"]] == department, official
        aliases = {a["name"] for a in item["aliases"]}
        assert set(citizen_names) <= aliases, official
        assert len(aliases) >= len(citizen_names) + 3, f"{official}: more sensible aliases expected"


def test_required_guides_are_complete():
    departments, _, items = default_catalog()
    by_name = {i["name"]: i for i in items}
    for official, _, _ in required_rows(REQUIRED_FILES[0]):
        item = by_name[official]
        if item["section"] != "办事服务":
            assert item["summary"]
            continue
        assert item["conditions"] and item["materials"] and len(item["steps"]) >= 3, official
        assert item["legal_basis"] and len(item["faq"]) >= 2 and item["result"], official
    assert by_name["居民身份证补领"]["fees"].startswith("丢失补领工本费每证40元")
    assert by_name["户口迁移"]["legal_basis"][0]["articles"] == "第十条、第十三条"


def test_sections():
    departments, _, items = default_catalog()
    sections = [i["section"] for i in items]
    assert sections.count("便民查询") >= 300
    assert sections.count("信息公开") >= 100
    assert set(sections) <= SECTIONS
    organisation = [i for i in items if i["section"] == "机构编制"]
    assert sorted(i["department"] for i in organisation) == sorted(d["key"] for d in departments)
    assert {i["name"] for i in organisation} == {f"{d['name']}机构职能编制" for d in departments}


def test_grassroots_windows_are_included():
    _, units, items = default_catalog()
    town_units = {u["key"] for u in units if u["key"].startswith(("bmzx-", "pcs-", "wsy-"))}
    assert len(town_units) >= 100
    assert sum(i["accepting_unit"] in town_units for i in items) >= 200
    assert any(i["name"] == "最低生活保障审批（芝罘区）" for i in items)


# --- validity of every row -------------------------------------------------------------------------------------


def check_phone(value: str, where: str) -> None:
    assert PHONE.match(value), f"{where}: bad phone {value!r}"


def check_position(latitude, longitude, where: str) -> None:
    assert isinstance(latitude, float) and LATITUDES[0] <= latitude <= LATITUDES[1], where
    assert isinstance(longitude, float) and LONGITUDES[0] <= longitude <= LONGITUDES[1], where


def check_text(value, limit: int, where: str, required: bool = False) -> None:
    assert isinstance(value, str) and len(value) <= limit, f"{where}: {value!r}"
    assert not required or value.strip(), f"{where} is empty"
    assert "{" not in value and "}" not in value, f"{where}: unfilled placeholder in {value!r}"


def test_departments_and_units_are_valid():
    departments, units, _ = default_catalog()
    keys = {d["key"] for d in departments}
    assert len(keys) == len(departments) == len({d["name"] for d in departments})
    for d in departments:
        where = d["key"]
        assert set(d) == DEPARTMENT_KEYS, where
        assert d["key"].isascii() and d["kind"] in KINDS and (d["parent"] is None or d["parent"] in keys), where
        check_text(d["functions"], LONG, where, required=True)
        assert d["functions"].count("（") >= 2, where
        assert d["internal_structure"] and all(o["name"] and o["duties"] for o in d["internal_structure"]), where
        assert isinstance(d["staffing_quota"], int) and d["staffing_quota"] > 0, where
        assert d["leaders"] and all(leader["title"] and leader["name"] for leader in d["leaders"]), where
        check_phone(d["phone"], where)
        assert 37.35 <= d["latitude"] <= 37.65 and 121.15 <= d["longitude"] <= 121.65, where
        assert d["bus_routes"] and all(isinstance(r, str) for r in d["bus_routes"]), where
        for field in ("name", "short_name", "address", "opening_hours", "website"):
            check_text(d[field], SHORT, f"{where}.{field}", required=field != "website")
    unit_keys = {u["key"] for u in units}
    assert len(unit_keys) == len(units) == len({u["name"] for u in units})
    for u in units:
        where = u["key"]
        assert set(u) == UNIT_KEYS and u["key"].isascii() and u["department"] in keys, where
        check_phone(u["phone"], where)
        check_position(u["latitude"], u["longitude"], where)
        assert u["windows"] and u["bus_routes"], where
        for field in ("name", "address", "opening_hours"):
            check_text(u[field], SHORT, f"{where}.{field}", required=True)


def check_item(item: dict, departments: set[str], units: set[str]) -> None:  # noqa: C901 - one check per field
    where = item["code"]
    assert set(item) == ITEM_KEYS, where
    assert item["code"].isascii() and len(item["code"]) <= 64, where
    check_text(item["name"], 200, where, required=True)
    assert item["section"] in SECTIONS and item["item_type"] in ITEM_TYPES and item["audience"] in AUDIENCES, where
    assert item["department"] in departments, where
    for field in ("accepting_unit", "handling_unit"):
        assert item[field] is None or item[field] in units, where
    for alias in item["aliases"]:
        check_text(alias["name"], 100, where, required=True)
        assert alias["source"] in ALIAS_SOURCES, where
    assert len({a["name"] for a in item["aliases"]}) == len(item["aliases"]), where
    assert all(isinstance(t, str) and 0 < len(t) <= 20 for t in item["themes"]), where
    assert set(item["life_events"]) <= LIFE_EVENTS, where
    for field in ("window", "fees", "result", "hall", "address", "hours", "holiday_note", "online_url"):
        check_text(item[field], SHORT, f"{where}.{field}")
    check_text(item["fees"], SHORT, where, required=True)
    for field in ("conditions", "summary"):
        check_text(item[field], LONG, f"{where}.{field}")
    for phone in (item["consultation_phone"], item["complaint_phone"], *(s["phone"] for s in item["staff_in_charge"])):
        check_phone(phone, where)
    for staff in item["staff_in_charge"]:
        check_text(staff["name"], 50, where, required=True)
        check_text(staff["title"], 50, where)
    for material in item["materials"]:
        check_text(material["name"], 200, where, required=True)
        assert material["form"] in FORMS and isinstance(material["copies"], int) and material["copies"] >= 1, where
        assert isinstance(material["required"], bool), where
        for field in ("blank_form", "sample"):
            assert material[field] == "" or material[field].startswith("/"), where
        check_text(material["note"], SHORT, where)
    for step in item["steps"]:
        check_text(step["title"], 100, where, required=True)
        check_text(step["description"], LONG, where)
    for basis in item["legal_basis"]:
        check_text(basis["law"], 200, where, required=True)
        assert basis["law"].startswith("《"), where
        check_text(basis["articles"], 200, where)
    for qa in item["faq"]:
        check_text(qa["question"], SHORT, where, required=True)
        check_text(qa["answer"], LONG, where, required=True)
    for route in item["bus_routes"]:
        check_text(route, SHORT, where, required=True)
    legal, promised = item["legal_time_limit_days"], item["promised_time_limit_days"]
    assert item["case_type"] in ("即办件", "承诺件"), where
    assert legal is None or (isinstance(legal, int) and legal >= 0), where
    assert promised is None or (isinstance(promised, int) and promised >= 0), where
    assert legal is None or promised is None or promised <= legal, where
    assert (item["case_type"] == "即办件") == (promised == 0), where
    assert item["online"] == bool(item["online_url"]), where
    assert isinstance(item["visits_required"], int) and 0 <= item["visits_required"] <= 3, where
    if item["latitude"] is not None or item["longitude"] is not None:
        check_position(item["latitude"], item["longitude"], where)
    assert item["summary"], where
    if item["section"] == "办事服务":
        assert item["conditions"] and item["materials"] and item["steps"] and item["accepting_unit"], where
        assert item["hall"] and item["address"] and item["hours"] and item["window"], where
    else:
        assert not item["materials"] and not item["steps"] and not item["conditions"], where


def test_every_item_is_valid():
    departments, units, items = default_catalog()
    department_keys, unit_keys = {d["key"] for d in departments}, {u["key"] for u in units}
    for item in items:
        check_item(item, department_keys, unit_keys)


def test_blank_items_refuse_unknown_fields():
    assert blank_item(name="x")["fees"] == "不收费"
    with pytest.raises(KeyError):
        blank_item(colour="red")


# --- variety ---------------------------------------------------------------------------------------------------


def test_guides_are_varied():
    _, _, items = default_catalog()
    services = [i for i in items if i["section"] == "办事服务"]
    assert len({i["conditions"] for i in services}) >= 0.3 * len(services)
    material_sets = {tuple(sorted(m["name"] for m in i["materials"])) for i in services}
    assert len(material_sets) >= 0.1 * len(services)
    assert len({m["name"] for i in services for m in i["materials"]}) >= 800
    assert len({tuple(s["title"] for s in i["steps"]) for i in services}) >= 100
    assert len({i["fees"] for i in services}) >= 40
    assert len({q["question"] for i in services for q in i["faq"]}) >= 500
    assert len({i["result"] for i in services}) >= 400
    assert len({i["promised_time_limit_days"] for i in services}) >= 15
    assert len({i["department"] for i in services}) >= 90
    assert {i["item_type"] for i in services} >= {
        "行政许可",
        "行政确认",
        "行政给付",
        "行政裁决",
        "其他行政权力",
        "公共服务",
    }
    # Licences come with their lifecycle variants.
    names = {i["name"] for i in services}
    assert {
        "食品生产许可证核发",
        "食品生产许可证变更",
        "食品生产许可证延续",
        "食品生产许可证注销",
        "食品生产许可证补办",
    } <= names


def test_lookups_are_varied_facts():
    _, _, items = default_catalog()
    lookups = [i for i in items if i["section"] == "便民查询"]
    assert len({i["summary"] for i in lookups}) == len(lookups)
    names = " ".join(i["name"] for i in lookups)
    for word in ("开放时间", "公园", "医院", "公交", "热线", "考试"):
        assert word in names, word


# --- streams beyond the natural names, and the command line ------------------------------------------------------


def test_names_stay_unique_when_the_streams_run_out():
    builder = CatalogBuilder(SEED)

    def tiny(prefix: str, count: int):
        def drafts():
            for n in range(count):
                name = f"{prefix}{n % (count - 1)}"  # one duplicate name, to be skipped in every round
                yield Draft(name, "370600", "便民服务", "zfb", lambda name, code: {"name": name, "code": code})

        return drafts

    builder.streams = {"service": tiny("事项", 5), "lookup": tiny("查询", 3), "disclosure": tiny("公开", 2)}
    items = list(islice(builder.items(), len(builder.fixed_drafts()) + 40))
    names = [i["name"] for i in items]
    assert len(set(names)) == len(names)
    assert len({i["code"] for i in items}) == len(items)
    assert "事项0·2" in names and "事项0·3" in names


def test_command_line_writes_json_lines():
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["--items", "250", "--seed", "3"]) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    kinds = [row["kind"] for row in rows]
    assert kinds == sorted(kinds, key=["department", "unit", "item"].index)
    assert kinds.count("item") == 250 and kinds.count("department") >= 100
