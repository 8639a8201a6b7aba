"""The fixed head of the catalog: the required services (required_services.tsv) with their hand-written guides,
and one 机构编制 item per department."""

import csv
from functools import partial
from pathlib import Path

from catalog.sample.data import departments as department_data
from catalog.sample.data.required import GUIDES
from catalog.sample.draft import Draft
from catalog.sample.guides import GuideWriter, Where, alias_list, blank_item
from catalog.sample.lookups import park_directory, write_fact
from catalog.sample.recipes import DEFAULTS, merge
from catalog.sample.world import World

REQUIRED_FILE = Path(__file__).with_name("required_services.tsv")
DEPARTMENT_KEYS = {row["name"]: row["key"] for row in department_data.DEPARTMENTS}


def required_services(path: Path = REQUIRED_FILE) -> list[tuple[str, str, list[str]]]:
    """(official name, department name, names citizens use) of every row of the TSV."""
    rows = []
    with path.open(encoding="utf-8") as tsv:
        for row in csv.reader((line for line in tsv if line.strip() and not line.startswith("#")), delimiter="\t"):
            citizen = [n.strip() for n in row[2].split(";")] if len(row) > 2 else []
            rows.append((row[0].strip(), row[1].strip(), [n for n in citizen if n]))
    return rows


def _department_key(service: str, department: str) -> str:
    if department not in DEPARTMENT_KEYS:
        raise ValueError(f"required service {service}: department {department} is not in data/departments.py")
    return DEPARTMENT_KEYS[department]


def _recipe(name: str, department: str, citizen: list[str]) -> dict:
    """A guide of data/required.py as a recipe that the guide writer follows exactly."""
    guide = GUIDES.get(name, {})
    fields = merge(DEFAULTS, {k: v for k, v in guide.items() if k in DEFAULTS and k not in ("days", "fees", "online")})
    legal, promised = guide.get("days", (None, 5))
    fields.update(
        name=name,
        dept=_department_key(name, department),
        exact=True,
        days=(legal, promised, promised),
        fees=[guide.get("fees", "不收费")],
        online=1.0 if guide.get("online") else 0.0,
        aliases=citizen + list(guide.get("aliases", [])),
        step_list=guide.get("step_list"),
        levels=guide.get("levels", "C"),
        fact=guide.get("fact"),
        hours_text=guide.get("hours", ""),
    )
    if not guide:  # a service added to the TSV without a hand-written guide still gets a sensible entry
        fields.update(type="公共服务", cond=["符合{subject}的办理条件"], mats=["申请人有效身份证件"])
    return fields


REQUIRED = [_recipe(name, department, citizen) for name, department, citizen in required_services()]
REQUIRED_NAMES = {r["name"] for r in REQUIRED}


def level_recipes() -> list[dict]:
    """Required guides that also exist in districts or towns (their city item is in the fixed head)."""
    return [r for r in REQUIRED if not r["fact"] and r["levels"] != "C"]


def drafts(world: World, seed: int) -> list:

    writer = GuideWriter(world)
    result = []
    for recipe in REQUIRED:
        if recipe["fact"]:
            write = partial(write_fact, world, seed, _fact(recipe, world))
            result.append(Draft(recipe["name"], "370600", "便民服务", recipe["dept"], write))
        else:
            write = partial(_write_guide, writer, recipe, seed)
            result.append(Draft(recipe["name"], "370600", recipe["type"], recipe["dept"], write))
    return result


def _write_guide(writer: GuideWriter, recipe: dict, seed: int, name: str, code: str) -> dict:
    return writer.write(recipe, Where("C"), name, code, seed)


def _fact(recipe: dict, world: World) -> dict:
    """A required 便民查询 entry as a fact for lookups.write_fact."""
    summary = park_directory() if recipe["fact"] == "PARKS" else recipe["fact"]
    return dict(
        dept=recipe["dept"],
        summary=summary,
        aliases=recipe["aliases"],
        themes=recipe["themes"],
        faq=recipe["faq"],
        hours=recipe["hours_text"],
        unit=world.city_unit(recipe["dept"]),
    )


# --- 机构编制 -------------------------------------------------------------------------------------------------


def organisation_drafts(world: World, seed: int) -> list:
    return [
        Draft(f"{d['name']}机构职能编制", "370600", "机构编制", d["key"], partial(_organisation, world, d))
        for d in world.departments
    ]


def _organisation(world: World, dept: dict, name: str, code: str) -> dict:
    offices = "、".join(o["name"] for o in dept["internal_structure"])
    first_duty = dept["functions"].split("\n")[0].split("）", 1)[-1].rstrip("。")
    parent = world.department[dept["parent"]]["name"] if dept["parent"] else ""
    kind = f"{parent}所属{dept['kind']}" if parent else dept["kind"]
    summary = (
        f"{dept['name']}为{kind}，内设{len(dept['internal_structure'])}个机构，核定编制{dept['staffing_quota']}名。"
        f"主要职责包括{first_duty}等。"
    )
    leaders = "；".join(f"{leader['title']}：{leader['name']}" for leader in dept["leaders"])
    faq = [
        {"question": f"{dept['name']}的主要职责是什么？", "answer": dept["functions"]},
        {"question": f"{dept['name']}有哪些内设机构？", "answer": f"{dept['name']}内设{offices}。"},
        {"question": f"{dept['name']}的领导分工是怎样的？", "answer": leaders + "。"},
    ]
    aliases = alias_list(
        [
            (f"{dept['short_name']}职能", "简称"),
            (f"{dept['short_name']}内设机构", "群众常用"),
            (f"{dept['short_name']}领导", "群众常用"),
            (f"{dept['name']}三定方案", "工作人员"),
        ],
        name,
    )
    return blank_item(
        code=code,
        name=name,
        aliases=aliases,
        section="机构编制",
        item_type="机构编制",
        audience="个人,法人",
        themes=["机构职能"],
        department=dept["key"],
        consultation_phone=dept["phone"],
        address=dept["address"],
        latitude=dept["latitude"],
        longitude=dept["longitude"],
        bus_routes=list(dept["bus_routes"]),
        hours=dept["opening_hours"],
        faq=faq,
        summary=summary,
        online=bool(dept["website"]),
        online_url=dept["website"],
    )
