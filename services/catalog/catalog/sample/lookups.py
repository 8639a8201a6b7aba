"""The 便民查询 stream: facts people look up, most important first — service phone numbers, venues, standards,
exams, parks, hospitals and their clinics, bus lines, district lists, then the address and hours of every district
office, town centre and village service station."""

import random
from collections.abc import Iterator
from functools import partial

from catalog.sample import text
from catalog.sample.data import common
from catalog.sample.data import lookups as data
from catalog.sample.draft import Draft
from catalog.sample.guides import alias_list, blank_item
from catalog.sample.world import DISTRICT_BY_KEY, DISTRICTS, TOWNS, World, bus_routes, seat

BUS_SEED = "yantai-bus-lines"
BUS_LINE_COUNT = 120
LIST_YEAR = 2025
WEEKDAYS = ["周一至周五", "周一至周六", "周一至周日"]


def write_fact(world: World, seed: int, fact: dict, name: str, code: str) -> dict:
    """A 便民查询 item: a fact in the summary, with the place it is about (a unit, or an address) when there is one."""
    rng = random.Random(f"{seed}|{name}")
    dept = world.department[fact["dept"]]
    unit = fact.get("unit")
    place = fact.get("place") or unit or {}
    pairs = [(a, "群众常用") for a in fact.get("aliases", [])] + [(a, "原门户") for a in fact.get("formal", [])]
    return blank_item(
        code=code,
        name=name,
        aliases=alias_list(pairs, name),
        section="便民查询",
        item_type="便民服务",
        audience=fact.get("audience", "个人"),
        themes=list(fact.get("themes", [])),
        life_events=list(fact.get("events", [])),
        department=dept["key"],
        accepting_unit=unit["key"] if unit else None,
        consultation_phone=fact.get("phone") or (unit or dept)["phone"],
        hall=unit["name"] if unit else "",
        address=place.get("address", ""),
        latitude=place.get("latitude"),
        longitude=place.get("longitude"),
        bus_routes=list(place.get("bus_routes", [])),
        hours=fact.get("hours") or place.get("opening_hours", ""),
        holiday_note=rng.choice(common.HOLIDAY_NOTES) if place else "",
        online=bool(fact.get("url")),
        online_url=fact.get("url", ""),
        faq=[{"question": q, "answer": a} for q, a in fact.get("faq", [])],
        summary=fact["summary"],
    )


def park_directory() -> str:
    """The summary of 市区公园名录: parks of the central districts, grouped by district."""
    groups = []
    for key in data.URBAN_PARK_DISTRICTS:
        parks = [p[0] for p in data.PARKS if p[1] == key]
        if parks:
            groups.append(f"{DISTRICT_BY_KEY[key].name}：{'、'.join(parks)}")
    return "市区主要公园和开放式景区有——" + "；".join(groups) + "。各公园开放时间和交通方式可分别查询。"


def bus_lines() -> list[tuple[str, str, str]]:
    """Urban bus lines: (line, first stop, last stop); fixed, not depending on the seed."""
    rng = random.Random(BUS_SEED)
    stops = [
        f"{d.name.removesuffix('区')}{m}" if m.startswith(("区", "汽车站")) else m
        for d in DISTRICTS
        if d.key in ("zhifu", "laishan", "fushan", "kfq", "gxq", "muping")
        for m in d.landmarks
    ]
    lines = []
    for number in range(1, BUS_LINE_COUNT + 1):
        start, end = rng.sample(stops, 2)
        lines.append((f"{number}路", start, end))
    return lines


class LookupStream:
    def __init__(self, world: World, seed: int):
        self.world = world
        self.seed = seed

    def _draft(self, name: str, dept: str, fact: dict):
        fact = dict(fact, dept=dept)
        return Draft(
            name, fact.pop("region", "370600"), "便民服务", dept, partial(write_fact, self.world, self.seed, fact)
        )

    def drafts(self) -> Iterator:
        yield from self._phones()
        yield from self._facts()
        yield from self._parks()
        yield from self._hospitals()
        yield from self._bus()
        yield from self._clinics()
        yield from self._district_lists()
        yield from self._offices()
        yield from self._villages()

    def _phones(self) -> Iterator:
        for dept, service, number, purpose in data.PHONES:
            summary = f"{service}：{number}。{purpose}。"
            yield self._draft(
                service,
                dept,
                dict(
                    summary=summary,
                    aliases=[f"{number}电话", f"{service.removeprefix(number)}电话"],
                    themes=["便民服务"],
                ),
            )

    def _facts(self) -> Iterator:
        for dept, name, summary, aliases in data.FACTS + data.STANDARDS:
            unit = self.world.city_unit(dept)
            yield self._draft(name, dept, dict(summary=summary, aliases=aliases, themes=["便民服务"], unit=unit))
        for dept, name, summary in data.EXAMS:
            yield self._draft(
                name,
                dept,
                dict(
                    summary=summary,
                    themes=["教育科研", "考试"],
                    aliases=[name.replace("时间安排", "什么时候").replace("时间", "什么时候")],
                ),
            )

    def _parks(self) -> Iterator:
        for park, district_key, street, hours, fee, features in data.PARKS:
            district = DISTRICT_BY_KEY[district_key]
            scenic = any(w in park for w in ("景区", "森林公园", "度假区"))
            dept = "wlj" if scenic else ("ylzx" if district_key in ("zhifu", "laishan") else "cgj")
            place = seat(f"park:{park}", district, street)
            place["bus_routes"] = bus_routes(random.Random(f"park:{park}"), district, park)
            common_fields = dict(place=place, themes=["文化体育", "公园景区"], region=district.code, hours=hours)
            yield self._draft(
                f"{park}开放时间",
                dept,
                dict(
                    common_fields,
                    summary=f"{park}位于{district.name}{street}，开放时间：{hours}；{fee}。",
                    aliases=[f"{park}几点开门", f"{park}门票"],
                ),
            )
            yield self._draft(
                f"{park}位置和交通",
                dept,
                dict(
                    common_fields,
                    summary=f"{park}位于{place['address']}，{place['bus_routes'][0]}。",
                    aliases=[f"{park}怎么走", f"{park}在哪"],
                ),
            )
            yield self._draft(
                f"{park}游览设施",
                dept,
                dict(
                    common_fields,
                    summary=f"{park}主要有{features}，设有公共厕所、休息座椅和无障碍通道。",
                    aliases=[f"{park}好玩吗"],
                ),
            )

    def _hospitals(self) -> Iterator:
        for key in data.HOSPITAL_KINDS:
            hospital = self.world.department[key]
            unit = self.world.city_unit(key)
            for suffix, template in data.HOSPITAL_FACTS:
                name = f"{hospital['name']}{suffix}"
                yield self._draft(
                    name,
                    key,
                    dict(
                        summary=text.fill(template, {"hospital": hospital["name"]}),
                        unit=unit,
                        themes=["医疗卫生"],
                        aliases=[f"{hospital['short_name']}{suffix}"],
                    ),
                )

    def _clinics(self) -> Iterator:
        for key, kind in data.HOSPITAL_KINDS.items():
            hospital = self.world.department[key]
            unit = self.world.city_unit(key)
            for clinic in data.CLINICS[kind]:
                rng = random.Random(f"clinic:{key}:{clinic}")
                floor = rng.randint(1, 5)
                days = rng.choice(WEEKDAYS)
                summary = (
                    f"{hospital['name']}{clinic}门诊位于门诊楼{floor}楼，{days}上午8:00—12:00、下午13:30—17:00出诊，"
                    f"专家出诊时间以医院微信公众号排班为准。"
                )
                yield self._draft(
                    f"{hospital['name']}{clinic}出诊时间",
                    key,
                    dict(
                        summary=summary,
                        unit=unit,
                        themes=["医疗卫生"],
                        events=["就医"],
                        aliases=[f"{hospital['short_name']}{clinic}", f"{hospital['short_name']}{clinic}在几楼"],
                    ),
                )

    def _bus(self) -> Iterator:
        for line, start, end in bus_lines():
            rng = random.Random(f"bus:{line}")
            first = f"{rng.choice([5, 6, 6, 6])}:{rng.choice(['00', '15', '30', '45'])}"
            last = f"{rng.choice([19, 20, 21, 21, 22])}:{rng.choice(['00', '30'])}"
            summary = (
                f"{line}公交线路：{start}—{end}，首班{first}，末班{last}，全程{rng.randint(12, 36)}站，"
                f"票价{rng.choice(['1元', '2元（空调车）', '1元（持卡换乘优惠）'])}。"
            )
            yield self._draft(
                f"{line}公交线路及首末班时间",
                "gjjt",
                dict(
                    summary=summary,
                    themes=["交通出行"],
                    aliases=[f"{line}公交", f"{line}几点收车", f"{line}经过哪些站"],
                ),
            )

    def _district_lists(self) -> Iterator:
        for district in DISTRICTS:
            for dept, name, summary, (low, high) in data.DISTRICT_LISTS:
                values = {
                    "district": district.name,
                    "year": LIST_YEAR,
                    "count": random.Random(f"list:{district.key}:{name}").randint(low, high),
                }
                yield self._draft(
                    text.fill(name, values),
                    dept,
                    dict(summary=text.fill(summary, values), themes=["便民服务"], region=district.code),
                )

    def _offices(self) -> Iterator:
        """Address and hours of district offices, then of town units."""
        for units in (self._district_units(), self._town_units()):
            for unit in units:
                summary = (
                    f"{unit['name']}位于{unit['address']}，办公时间：{unit['opening_hours']}，咨询电话{unit['phone']}。"
                )
                yield self._draft(
                    f"{unit['name']}地址和办公时间",
                    unit["department"],
                    dict(
                        summary=summary,
                        unit=unit,
                        themes=["便民服务"],
                        aliases=[f"{unit['name']}在哪", f"{unit['name']}电话"],
                    ),
                )

    def _district_units(self) -> Iterator:
        for unit in self.world.units:
            if unit["key"].rsplit("-", 1)[-1] in {d.key for d in DISTRICTS}:
                yield unit

    def _town_units(self) -> Iterator:
        for town in TOWNS:
            for tag in ("bmzx", "pcs", "wsy"):
                yield self.world.town_unit(town, tag)

    def _villages(self) -> Iterator:
        for town in TOWNS:
            district = town.district
            centre = self.world.town_unit(town)
            for village in town.villages:
                station = f"{district.name}{town.name}{village}便民服务站"
                rng = random.Random(f"station:{station}")
                mobile = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
                summary = (
                    f"{station}设在{village}党群服务中心，工作日8:30—17:00提供社保、医保、民政、残联等事项的"
                    f"咨询和代办服务，代办员联系电话{mobile}。"
                )
                yield self._draft(
                    f"{station}地址和服务时间",
                    "zwzx",
                    dict(
                        summary=summary,
                        phone=mobile,
                        themes=["便民服务"],
                        region=district.code,
                        place={
                            "address": f"{district.name}{town.name}{village}",
                            "latitude": centre["latitude"],
                            "longitude": centre["longitude"],
                        },
                        aliases=[f"{village}便民服务站", f"{village}代办点"],
                    ),
                )
