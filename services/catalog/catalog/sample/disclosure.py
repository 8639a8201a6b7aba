"""The 信息公开 stream (policy interpretations, then yearly and quarterly disclosures of city departments, newest
year first, then of district offices) and the 政民互动 entries of the fixed head."""

import random
from collections.abc import Iterator
from functools import partial

from catalog.sample import text
from catalog.sample.data import disclosure as data
from catalog.sample.draft import Draft
from catalog.sample.guides import alias_list, blank_item
from catalog.sample.world import DISTRICTS, World

DISCLOSURE_URL = "https://www.yantai.gov.cn/xxgk/"
INTERACTION_URL = "https://www.yantai.gov.cn"


def _applies(kind: dict, dept: dict) -> bool:
    who = kind["who"]
    if who == "all":
        return dept["kind"] in data.PUBLIC_KINDS
    return dept["key"] in who or dept["kind"] in who


def _periods(kind: dict, year: int) -> list[int | None]:
    if year > kind["last"]:
        return []
    if not kind.get("quarterly"):
        return [None]
    return list(range(1, (data.CURRENT_QUARTERS if year == data.CURRENT_YEAR else 4) + 1))


def write_disclosure(world: World, seed: int, entry: dict, name: str, code: str) -> dict:
    rng = random.Random(f"{seed}|{name}")
    dept = world.department[entry["dept"]]
    staff = dept["staffing_quota"]
    values = {
        "owner": entry["owner"],
        "year": entry.get("year", ""),
        "quarter": text.cn_number(entry.get("quarter") or 1),
        "amount": f"{staff * rng.uniform(18, 45):,.2f}",
    }
    summary = text.fill(entry["summary"], values)
    pairs = [(a, "群众常用") for a in entry.get("aliases", [])]
    return blank_item(
        code=code,
        name=name,
        aliases=alias_list(pairs, name),
        section="信息公开",
        item_type="信息公开",
        audience="个人,法人",
        themes=["政务公开"],
        department=dept["key"],
        consultation_phone=dept["phone"],
        online=True,
        online_url=f"{DISCLOSURE_URL}{dept['key']}/{text.short_hash(name)}.html",
        summary=summary,
    )


class DisclosureStream:
    def __init__(self, world: World, seed: int):
        self.world = world
        self.seed = seed

    def _draft(self, name: str, entry: dict, region: str = "370600"):
        return Draft(name, region, "信息公开", entry["dept"], partial(write_disclosure, self.world, self.seed, entry))

    def drafts(self) -> Iterator:
        for dept, title, gist in data.POLICY_DOCS:
            name = f"《{title}》政策解读"
            yield self._draft(
                name, dict(dept=dept, owner="", summary=f"《{title}》解读：{gist}", aliases=[f"{title}解读", title])
            )
        for year in data.YEARS:
            for dept in self.world.departments:
                yield from self._yearly(dept["key"], dept["name"], year, data.DISCLOSURES)
        kinds = [k for k in data.DISCLOSURES if k["key"] in data.DISTRICT_DISCLOSURES]
        district_keys = {d.key: d for d in DISTRICTS}
        offices = [u for u in self.world.units if u["key"].rsplit("-", 1)[-1] in district_keys]
        for year in data.YEARS:
            for office in offices:
                region = district_keys[office["key"].rsplit("-", 1)[-1]].code
                yield from self._yearly(office["department"], office["name"], year, kinds, region, check=False)

    def _yearly(
        self, dept_key: str, owner: str, year: int, kinds: list[dict], region: str = "370600", check: bool = True
    ) -> Iterator:
        dept = self.world.department[dept_key]
        for kind in kinds:
            if check and not _applies(kind, dept):
                continue
            for quarter in _periods(kind, year):
                values = {"owner": owner, "year": year, "quarter": text.cn_number(quarter or 1)}
                name = text.fill(kind["name"], values)
                entry = dict(dept=dept_key, owner=owner, year=year, quarter=quarter, summary=kind["summary"])
                yield self._draft(name, entry, region)


def interaction_drafts(world: World, seed: int) -> list:
    drafts = []
    for dept, name, summary, path, aliases in data.INTERACTIONS:
        drafts.append(Draft(name, "370600", "公共服务", dept, partial(_interaction, dept, summary, path, aliases)))
    return drafts


def _interaction(dept_key: str, summary: str, path: str, aliases: list[str], name: str, code: str) -> dict:
    return blank_item(
        code=code,
        name=name,
        aliases=alias_list([(a, "群众常用") for a in aliases], name),
        section="政民互动",
        item_type="公共服务",
        audience="个人,法人",
        themes=["政民互动"],
        department=dept_key,
        consultation_phone="12345",
        online=True,
        online_url=INTERACTION_URL + path,
        summary=summary,
    )
