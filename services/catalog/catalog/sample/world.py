"""The city the catalog describes: districts, towns and villages, departments and units with their seats.

Geography (towns, village names, coordinates of seats) does not depend on the seed; the people and numbers
(leaders, phone numbers, staffing, windows) do.
"""

import random
from dataclasses import dataclass, field
from functools import cached_property

from catalog.sample import text
from catalog.sample.data import common, departments, people, regions, units

GEO_SEED = "yantai-geography"
HOSPITAL_HOURS = "门诊：周一至周日 8:00—12:00，13:30—17:00；急诊24小时开诊"
KIND_HOURS = {
    "医院": HOSPITAL_HOURS,
    "学校": "工作日 8:00—11:30，14:00—17:30（寒暑假另行通知）",
    "公用企业": "营业厅：周一至周六 8:30—17:00；服务热线24小时",
    "文化场馆": "周二至周日 9:00—17:00（16:30停止入场），周一闭馆（法定节假日除外）",
}
# Urban bus lines that stop near a seat, per district: (first line, last line, how lines are written).
BUS_LINES = {
    "zhifu": (1, 68, "{n}路"),
    "laishan": (10, 98, "{n}路"),
    "fushan": (20, 49, "{n}路"),
    "kfq": (501, 530, "{n}路"),
    "gxq": (43, 89, "{n}路"),
    "muping": (61, 69, "{n}路"),
}


@dataclass
class Town:
    key: str
    name: str
    short: str
    district: "District"
    index: int

    @property
    def is_street(self) -> bool:
        return self.name.endswith("街道")

    @cached_property
    def villages(self) -> list[str]:
        """Names of the town's communities (街道) or villages (镇/乡); fixed, unique within the town."""
        rng = random.Random(f"{GEO_SEED}:{self.key}")
        count = rng.randint(10, 24)
        names: list[str] = []
        while len(names) < count:
            if self.is_street:
                name = rng.choice(regions.COMMUNITY_WORDS) + "社区"
            else:
                head = rng.choice(regions.VILLAGE_DIRECTIONS) if rng.random() < 0.3 else ""
                name = head + rng.choice(regions.VILLAGE_SURNAMES) + rng.choice(regions.VILLAGE_SETTLEMENTS) + "村"
            if name not in names:
                names.append(name)
        return names


@dataclass
class District:
    key: str
    name: str
    prefix: str
    code: str
    lat: float
    lon: float
    streets: list[str]
    landmarks: list[str]
    towns: list[Town] = field(default_factory=list)

    @property
    def is_county(self) -> bool:
        return self.name.endswith("市")

    @property
    def police(self) -> str:
        if self.is_county:
            return f"{self.name}公安局"
        if self.key in ("kfq", "gxq"):
            return f"市公安局{self.name}分局"
        if self.key == "changdao":
            return "长岛综试区公安局"
        return f"市公安局{self.name[:-1]}分局"

    @property
    def traffic(self) -> str:
        if self.is_county or self.key == "changdao":
            return f"{self.police}交通警察大队"
        return (
            f"市公安局交通警察支队{self.name.removesuffix('区') if self.key not in ('kfq', 'gxq') else self.name}大队"
        )

    @property
    def tax(self) -> str:
        special = {
            "kfq": "烟台经济技术开发区",
            "gxq": "烟台高新技术产业开发区",
            "changdao": "长岛海洋生态文明综合试验区",
        }
        if self.is_county or self.key in special:
            return f"国家税务总局{special.get(self.key, self.name)}税务局"
        return f"国家税务总局烟台市{self.name}税务局"


def _districts() -> list[District]:
    result = []
    for row in regions.DISTRICTS:
        district = District(
            row["key"],
            row["name"],
            row["prefix"],
            row["code"],
            row["lat"],
            row["lon"],
            row["streets"],
            row["landmarks"],
        )
        for index, name in enumerate(row["towns"], 1):
            short = name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
            district.towns.append(Town(f"{district.key}-{index:02d}", name, short, district, index))
        result.append(district)
    return result


DISTRICTS = _districts()
DISTRICT_BY_KEY = {d.key: d for d in DISTRICTS}
TOWNS = [t for d in DISTRICTS for t in d.towns]


def seat(key: str, district: District, street: str | None = None) -> dict:
    """Address and map position of a building, fixed for a given key."""
    rng = random.Random(f"{GEO_SEED}:seat:{key}")
    street = street or rng.choice(district.streets)
    return {
        "address": f"{district.name}{street}{rng.randint(1, 299)}号",
        "latitude": round(district.lat + rng.uniform(-0.025, 0.025), 6),
        "longitude": round(district.lon + rng.uniform(-0.035, 0.035), 6),
        "street": street,
    }


def bus_routes(rng: random.Random, district: District, stop: str) -> list[str]:
    first, last, pattern = BUS_LINES.get(district.key, (1, 12, "城区公交{n}路"))
    lines = sorted(rng.sample(range(first, last + 1), k=min(3, last - first + 1, rng.randint(1, 3))))
    routes = [f"乘坐{'、'.join(pattern.format(n=n) for n in lines)}至{stop}站下车"]
    if rng.random() < 0.4:
        routes.append(
            f"{pattern.format(n=rng.randint(first, last))}至{rng.choice(district.landmarks)}站下车，步行约"
            f"{rng.choice([3, 5, 8, 10])}分钟"
        )
    return routes


def _windows(rng: random.Random, pattern: str, in_hall: bool) -> list[str]:
    start = rng.randint(1, 30) if in_hall else rng.randint(1, 6)
    prefix = f"{rng.choice('ABCD')}区" if in_hall else ""
    return [prefix + pattern.format(n=start + i) for i in range(rng.randint(1, 4))]


class World:
    """Departments and units of one seed, with look-ups used when writing guides."""

    def __init__(self, seed: int):
        self.seed = seed
        self.departments: list[dict] = []
        self.units: list[dict] = []
        self.department = {}  # key -> dict
        self.unit = {}  # key -> dict
        hall_district = DISTRICT_BY_KEY[units.CITY_HALL["district"]]
        self.hall_seat = seat("city-hall", hall_district, units.CITY_HALL["street"])
        self.hall_seat["address"] = f"{hall_district.name}{units.CITY_HALL['street']}{units.CITY_HALL['number']}号"
        for row in departments.DEPARTMENTS:
            self._add_department(row)
        for key, dept, name, where, street, window in units.CITY_UNITS:
            self._add_unit(key, dept, name, where, street, window)
        for row in departments.DEPARTMENTS:
            self._add_default_unit(row)
        for district in DISTRICTS:
            self._add_district_units(district)

    def rng(self, *parts) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    # --- departments ---

    def _add_department(self, row: dict) -> None:
        rng = self.rng("department", row["key"])
        district = DISTRICT_BY_KEY[row["district"]]
        place = (
            self.hall_seat
            if row["key"] == units.CITY_HALL["department"]
            else seat(row["key"], district, row.get("street"))
        )
        low, high = departments.STAFFING_RANGE[row["kind"]]
        structure = row.get("structure") or departments.DEFAULT_STRUCTURE.get(row["kind"], ["办公室"])
        dept = {
            "key": row["key"],
            "name": row["name"],
            "short_name": row["short"],
            "kind": row["kind"],
            "parent": row.get("parent"),
            "functions": "\n".join(f"（{text.cn_number(i)}）{f}。" for i, f in enumerate(row["functions"], 1)),
            "internal_structure": [self._office(entry, row) for entry in structure],
            "staffing_quota": row.get("staffing") or rng.randint(low, high),
            "leaders": self._leaders(rng, row),
            "address": place["address"],
            "phone": text.phone(rng),
            "opening_hours": KIND_HOURS.get(row["kind"], rng.choice(common.HOURS)),
            "latitude": place["latitude"],
            "longitude": place["longitude"],
            "bus_routes": bus_routes(rng, district, place["street"]),
            "website": row.get("site") or self._website(row),
        }
        self.departments.append(dept)
        self.department[row["key"]] = dept

    @staticmethod
    def _office(entry: str, row: dict) -> dict:
        name, _, duties = entry.partition("：")
        duties = duties or departments.COMMON_OFFICES.get(name) or f"承担{row['short']}{name}的日常工作。"
        return {"name": name, "duties": duties}

    @staticmethod
    def _leaders(rng: random.Random, row: dict) -> list[dict]:
        titles = people.LEADER_TITLES[row["kind"]]
        if row["kind"] not in ("医院", "学校", "公用企业"):
            titles = next((t for ending, t in people.TITLES_BY_NAME if row["name"].endswith(ending)), titles)
        return [{"title": title, "name": text.person_name(rng)} for title, count in titles for _ in range(count)]

    @staticmethod
    def _website(row: dict) -> str:
        if row["kind"] in ("政府部门", "事业单位", "群团组织", "文化场馆"):
            return f"http://{row['key']}.yantai.gov.cn"
        return ""

    # --- units ---

    def _add_unit(
        self, key: str, dept: str, name: str, where: str, street: str, window: str, district: District | None = None
    ) -> None:
        rng = self.rng("unit", key)
        if where == "hall":
            place = dict(self.hall_seat)
            hours = common.HOURS[2]
        else:
            district = district or DISTRICT_BY_KEY[where]
            place = seat(key, district, street or None)
            hours = rng.choice(common.HOURS)
        district = district or DISTRICT_BY_KEY[units.CITY_HALL["district"] if where == "hall" else where]
        unit = {
            "key": key,
            "department": dept,
            "name": name,
            "address": place["address"] + ("" if where != "hall" else f"{units.CITY_HALL['name']}"),
            "phone": text.phone(rng),
            "opening_hours": hours,
            "latitude": place["latitude"],
            "longitude": place["longitude"],
            "bus_routes": bus_routes(rng, district, units.CITY_HALL["name"] if where == "hall" else place["street"]),
            "windows": _windows(rng, window, where == "hall"),
        }
        self.units.append(unit)
        self.unit[key] = unit

    def _add_default_unit(self, row: dict) -> None:
        dept = self.department[row["key"]]
        existing = [u for u in self.units if u["department"] == row["key"]]
        if existing and row["kind"] not in units.HALL_KINDS:  # e.g. a utility's customer centre is listed already
            self.unit[f"{row['key']}-main"] = existing[0]
            return
        if row["kind"] in units.HALL_KINDS and row["key"] not in units.OWN_SEAT:
            label = row["short"].removeprefix("市").removesuffix("局").removesuffix("委") or row["short"]
            self._add_unit(
                f"{row['key']}-main",
                row["key"],
                f"{units.CITY_HALL['name']}{label}窗口",
                "hall",
                "",
                f"{label}{{n}}号窗口",
            )
        else:
            desk = units.OWN_DESK.get(row["kind"], "服务窗口")
            self._add_unit(
                f"{row['key']}-main",
                row["key"],
                f"{row['name']}{desk}",
                row["district"],
                row.get("street", ""),
                "服务{n}号窗口",
            )
            self.unit[f"{row['key']}-main"]["address"] = dept["address"]

    def _add_district_units(self, district: District) -> None:
        values = {"p": district.prefix, "police": district.police, "traffic": district.traffic, "tax": district.tax}
        for tag, dept, name, window in units.DISTRICT_UNITS:
            self._add_unit(f"{tag}-{district.key}", dept, text.fill(name, values), district.key, "", window, district)
        shorts = [t.short for t in district.towns]
        for town in district.towns:
            health = f"{town.name}社区卫生服务中心" if town.is_street else f"{town.name}卫生院"
            short = town.short if shorts.count(town.short) == 1 else town.name
            town_values = {**values, "town": town.name, "short": short, "health": health}
            for tag, dept, name, window in units.TOWN_UNITS:
                self._add_unit(
                    f"{tag}-{town.key}", dept, text.fill(name, town_values), district.key, "", window, district
                )

    # --- look-ups for guides ---

    def city_unit(self, dept: str, preferred: str | None = None) -> dict:
        if preferred and preferred in self.unit:
            return self.unit[preferred]
        return self.unit[f"{dept}-main"]

    def district_unit(self, dept: str, district: District, preferred: str | None = None) -> dict:
        tags = [preferred] if preferred else []
        tags += [
            dept,
            {
                "jjzd": "jjzd",
                "sbzx": "rsj",
                "jyzx": "rsj",
                "ybzx": "ybj",
                "bdc": "bdc",
                "zfbz": "zjj",
                "flyz": "sfj",
                "tyjrfw": "tyjrj",
                "byg": "mzj",
                "cdc": "wjw",
            }.get(dept, "zwzx"),
        ]
        for tag in tags:
            key = f"{tag}-{district.key}"
            if key in self.unit:
                return self.unit[key]
        return self.unit[f"zwzx-{district.key}"]

    def town_unit(self, town: Town, tag: str = "bmzx") -> dict:
        return self.unit[f"{tag}-{town.key}"]
