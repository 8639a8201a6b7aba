"""Writing one service guide (an item dict of section 办事服务) from a recipe and a place.

Every choice goes through the item's own random generator, so an item depends only on the seed and its name.
"""

import random
from dataclasses import dataclass

from catalog.sample import text
from catalog.sample.data import common
from catalog.sample.data.people import STAFF_TITLES
from catalog.sample.world import District, Town, World

# Item type -> two letters used in item codes.
TYPE_CODES = {
    "行政许可": "XK",
    "行政确认": "QR",
    "行政给付": "JF",
    "行政裁决": "CJ",
    "行政奖励": "JL",
    "行政征收": "ZS",
    "其他行政权力": "QT",
    "公共服务": "GG",
    "便民服务": "BM",
    "信息公开": "GK",
    "机构编制": "BZ",
}
# Words in a material's name that mark a form the applicant fills in (it gets a blank form to download).
FORM_WORDS = ("申请表", "申请书", "登记表", "审批表", "承诺书", "声明", "委托书", "协议书", "报告表")
MATERIAL_NOTES = {
    "原件": ["", "", "核验后当场退回", "现场核验原件"],
    "复印件": ["", "A4纸复印", "复印件需申请人签字确认", "加盖单位公章（单位申请的）"],
    "原件和复印件": ["", "原件核验后退回", "复印件留存"],
    "电子件": ["可通过电子证照库共享获取，无需提交纸质材料"],
}
# Summary sentence by item type when the recipe has no "about".
TYPE_SUMMARY = {
    "行政许可": "{subject}是依申请作出的行政许可事项，由{handler}依法审查并作出是否准予许可的决定。",
    "行政确认": "{handler}依申请对{subject}涉及的身份、资格或法律事实进行审核确认。",
    "行政给付": "{handler}负责{subject}的审核，对符合条件的申请人按规定给予相应待遇。",
    "行政裁决": "{handler}依申请对{subject}涉及的民事纠纷进行裁决。",
    "行政奖励": "{handler}依法对符合条件的对象给予{subject}。",
    "其他行政权力": "{handler}依法办理{subject}。",
    "公共服务": "{handler}面向{who}提供{subject}服务。",
    "便民服务": "{handler}面向{who}提供{subject}服务。",
}
WHO = {"个人": "群众", "法人": "企业和单位", "个人,法人": "群众和企业"}
# Endings of a service's name that are dropped to name what the applicant receives (…申请 -> …).
OUTCOME_DROP = ("申请", "申领", "申报", "办理", "报名", "开具", "出具", "补办", "核发", "发放", "签发")
# Endings after which the outcome is "…结果".
OUTCOME_RESULT = (
    "查询",
    "咨询",
    "投诉",
    "举报",
    "预约",
    "认证",
    "审核",
    "审批",
    "认定",
    "评定",
    "鉴定",
    "备案",
    "调解",
)


def outcome(subject: str) -> str:
    """What the applicant gets from a service, from its name: 在读证明开具 -> 在读证明, 工伤认定 -> 工伤认定结果."""
    for ending in OUTCOME_DROP:
        if subject.endswith(ending) and len(subject) > len(ending) + 1:
            return subject[: -len(ending)]
    if subject.endswith(OUTCOME_RESULT):
        return subject + "结果"
    return subject + "办理结果"


def form_name(subject: str) -> str:
    """The stem of an application form's name: 高龄津贴申领 -> 高龄津贴 (so that 高龄津贴申请表, not …申领申请表)."""
    for ending in ("申请", "申领", "申报"):
        if subject.endswith(ending) and len(subject) > len(ending) + 1:
            return subject[: -len(ending)]
    return subject


@dataclass(frozen=True)
class Where:
    """Where an item is offered: the city (level C), a district (D), a town (T) or a village station (V)."""

    level: str
    district: District | None = None
    town: Town | None = None
    village: str = ""

    @property
    def place(self) -> str:
        if self.level == "C":
            return "本市"
        if self.level == "D":
            return self.district.prefix
        if self.level == "T":
            return f"{self.district.prefix}{self.town.name}"
        return f"{self.town.name}{self.village}"

    @property
    def county(self) -> str:
        """The district or county-level city (who sets local standards), or 本市."""
        return self.district.prefix if self.district else "本市"

    @property
    def label(self) -> str:
        """What goes in parentheses after the item's name."""
        if self.level == "D":
            return self.district.prefix
        if self.level == "T":
            return f"{self.district.name}{self.town.name}"
        if self.level == "V":
            return f"{self.district.name}{self.town.name}{self.village}便民服务站"
        return ""

    @property
    def region_code(self) -> str:
        return self.district.code if self.district else "370600"


def item_name(subject: str, where: Where) -> str:
    return f"{subject}（{where.label}）" if where.label else subject


class GuideWriter:
    def __init__(self, world: World):
        self.world = world

    def units(self, recipe: dict, where: Where) -> tuple[dict, dict, str]:
        """Accepting unit, handling unit and the window."""
        world, dept = self.world, recipe["dept"]
        if where.level == "C":
            accepting = handling = world.city_unit(dept, recipe["unit"])
        elif where.level == "D":
            accepting = handling = world.district_unit(dept, where.district, recipe["dunit"])
        elif where.level == "T":
            accepting = world.town_unit(where.town, recipe["tunit"])
            handling = world.district_unit(dept, where.district, recipe["dunit"])
        else:
            accepting = world.town_unit(where.town)
            handling = world.district_unit(dept, where.district, recipe["dunit"])
            return accepting, handling, f"{where.village}便民服务站代办点"
        return accepting, handling, accepting["windows"][0]

    def write(self, recipe: dict, where: Where, name: str, code: str, seed: int) -> dict:
        rng = random.Random(f"{seed}|{name}")
        dept = self.world.department[recipe["dept"]]
        accepting, handling, window = self.units(recipe, where)
        if len(accepting["windows"]) > 1 and where.level != "V":
            window = rng.choice(accepting["windows"])
        legal, low, high = recipe["days"]
        promised = rng.randint(low, high)
        if legal is not None:
            promised = min(promised, legal)
        online = rng.random() < recipe["online"]
        portal = common.PORTALS[recipe["portal"]]
        fees = rng.choice(recipe["fees"])
        values = {
            "subject": recipe["name"],
            "place": where.place,
            "county": where.county,
            "cert": recipe["cert"],
            "activity": recipe["activity"],
            "change": recipe["change"],
            "outcome": outcome(recipe["name"]),
            "form": recipe["form"] or form_name(recipe["name"]),
            "hall": accepting["name"],
            "window": window,
            "portal": portal,
            "days": promised,
            "phone": accepting["phone"],
            "finish": "当场" if promised == 0 else f"{promised}个工作日内",
            "address": accepting["address"],
            "hours": accepting["opening_hours"],
            "promised": promised,
            "legal": legal,
            "fees": fees,
        }
        values["result"] = text.fill(recipe["result"], values)
        item = {
            "code": code,
            "name": name,
            "aliases": self.aliases(recipe, where, name),
            "section": recipe["section"],
            "item_type": recipe["type"],
            "audience": recipe["audience"],
            "themes": list(recipe["themes"]),
            "life_events": list(recipe["events"]),
            "department": dept["key"],
            "accepting_unit": accepting["key"],
            "handling_unit": handling["key"],
            "window": window,
            "staff_in_charge": self.staff(rng, accepting),
            "consultation_phone": accepting["phone"],
            "complaint_phone": "12345" if rng.random() < 0.6 else dept["phone"],
            "conditions": self.conditions(recipe, where, values, rng),
            "materials": self.materials(recipe, values, rng),
            "steps": self.steps(recipe, values, rng),
            "case_type": "即办件" if promised == 0 else "承诺件",
            "legal_time_limit_days": legal,
            "promised_time_limit_days": promised,
            "fees": fees,
            "legal_basis": [{"law": law, "articles": articles} for law, articles in recipe["law"]],
            "result": values["result"],
            "hall": accepting["name"],
            "address": accepting["address"],
            "latitude": accepting["latitude"],
            "longitude": accepting["longitude"],
            "bus_routes": list(accepting["bus_routes"]),
            "hours": accepting["opening_hours"],
            "holiday_note": rng.choice(common.HOLIDAY_NOTES),
            "online": online,
            "online_url": common.ONLINE_URL_BASE + code if online else "",
            "visits_required": (0 if rng.random() < 0.6 else 1) if online else rng.choice([1, 1, 1, 2]),
            "faq": self.faq(recipe, values, online, rng),
            "summary": self.summary(recipe, where, values, handling, online),
            "status": "published",
        }
        return item

    @staticmethod
    def aliases(recipe: dict, where: Where, name: str) -> list[dict]:
        pairs = [(a, "群众常用") for a in recipe["aliases"]] + [(a, "原门户") for a in recipe["formal"]]
        pairs += [(a, "工作人员") for a in recipe["jargon"]] + [(a, "简称") for a in recipe["abbr"]]
        if where.level == "D":
            pairs.append((f"{where.district.prefix}{recipe['name']}", "原门户"))
        elif where.level in ("T", "V"):
            pairs.append((f"{where.town.name}{recipe['name']}", "原门户"))
        if where.level != "C":
            pairs.append((recipe["name"], "简称"))
        return alias_list(pairs, name)

    @staticmethod
    def staff(rng: random.Random, unit: dict) -> list[dict]:
        return [
            {"name": text.person_name(rng), "title": title, "phone": unit["phone"] if n == 0 else text.phone(rng)}
            for n, title in enumerate(rng.sample(STAFF_TITLES, k=rng.randint(1, 2)))
        ]

    @staticmethod
    def conditions(recipe: dict, where: Where, values: dict, rng: random.Random) -> str:
        clauses = [text.fill(c, values) for c in recipe["cond"]]
        optional = [text.fill(c, values) for c in recipe["cond_opt"]]
        clauses += [c for c in optional if recipe.get("exact") or rng.random() < 0.5]
        if recipe["local"] and where.level != "C" and not any(where.place in c for c in clauses):
            local = (
                "申请人户籍或经常居住地在{place}"
                if recipe["audience"] == "个人"
                else "申请人住所或经营场所位于{place}辖区内"
            )
            clauses.insert(0, text.fill(local, values))
        if not clauses:
            return ""
        intro = rng.choice(common.CONDITION_INTROS) if len(clauses) > 1 else ""
        return intro + text.numbered(clauses, rng.randrange(3))

    @staticmethod
    def materials(recipe: dict, values: dict, rng: random.Random) -> list[dict]:
        result, seen = [], set()
        for spec in recipe["mats"]:
            material = text.parse_material(text.fill(spec, values))
            dropped = not material["required"] and not recipe.get("exact") and rng.random() < 0.25
            if material["name"] in seen or dropped:
                continue
            seen.add(material["name"])
            if "复印件" in material["form"] and material["copies"] == 1 and rng.random() < 0.25:
                material["copies"] = 2
            is_form = any(word in material["name"] for word in FORM_WORDS)
            digest = text.short_hash(material["name"])
            material["blank_form"] = f"/forms/{digest}.pdf" if is_form else ""
            material["sample"] = f"/samples/{digest}.pdf" if is_form and rng.random() < 0.6 else ""
            if not material["note"]:
                material["note"] = rng.choice(MATERIAL_NOTES[material["form"]])
                if not material["required"] and not material["note"]:
                    material["note"] = "有此情形的提供"
            result.append(
                {k: material[k] for k in ("name", "form", "copies", "required", "blank_form", "sample", "note")}
            )
        return result

    @staticmethod
    def steps(recipe: dict, values: dict, rng: random.Random) -> list[dict]:
        if recipe.get("step_list"):
            return [{"title": t, "description": text.fill(d, values)} for t, d in recipe["step_list"]]
        steps = []
        for titles, descriptions, probability in common.STEP_PATTERNS[recipe["steps"]]:
            if probability >= 1 or rng.random() < probability:
                steps.append({"title": rng.choice(titles), "description": text.fill(rng.choice(descriptions), values)})
        return steps

    @staticmethod
    def faq(recipe: dict, values: dict, online: bool, rng: random.Random) -> list[dict]:
        own = [(text.fill(q, values), text.fill(a, values)) for q, a in recipe["faq"]]
        if not recipe.get("exact"):
            own = rng.sample(own, k=min(len(own), rng.randint(1, 3)))
        if values["promised"] == 0:
            timing = common.FAQ_TIME_INSTANT
        elif values["legal"] is None:
            timing = common.FAQ_TIME_PROMISED_NOLEGAL
        else:
            timing = common.FAQ_TIME_PROMISED
        fee_answer = "本事项不收取任何费用。" if values["fees"] == "不收费" else f"收费标准：{values['fees']}。"
        computed = [timing, common.FAQ_ONLINE_YES if online else common.FAQ_ONLINE_NO, common.FAQ_WHERE]
        if values["fees"] != "不收费" or rng.random() < 0.3:
            computed.append(common.FAQ_FEE)
        if recipe["agent"]:
            computed.append(common.FAQ_AGENT if recipe["audience"] == "个人" else common.FAQ_AGENT_COMPANY)
        if values["promised"] > 0:
            computed.append(common.FAQ_DELIVERY)
        chosen = rng.sample(computed, k=rng.randint(1, 2 if recipe.get("exact") else min(3, len(computed))))
        filled = [(text.fill(q, values), text.fill(a, {**values, "fees_answer": fee_answer})) for q, a in chosen]
        return [{"question": q, "answer": a} for q, a in own + filled]

    @staticmethod
    def summary(recipe: dict, where: Where, values: dict, handling: dict, online: bool) -> str:
        about = recipe["about"] or TYPE_SUMMARY.get(recipe["type"], TYPE_SUMMARY["公共服务"])
        first = text.fill(about, {**values, "handler": handling["name"], "who": WHO[recipe["audience"]]})
        channel = f"也可通过{values['portal']}在线申请" if online else "需到现场提交申请"
        return first + f"本事项由{values['hall']}受理，{channel}。"


def blank_item(**fields) -> dict:
    """An item whose guide fields do not apply (便民查询, 信息公开, 机构编制, 政民互动), with the given fields set."""
    item = {
        "code": "",
        "name": "",
        "aliases": [],
        "section": "便民查询",
        "item_type": "便民服务",
        "audience": "个人",
        "themes": [],
        "life_events": [],
        "department": "",
        "accepting_unit": None,
        "handling_unit": None,
        "window": "",
        "staff_in_charge": [],
        "consultation_phone": "",
        "complaint_phone": "12345",
        "conditions": "",
        "materials": [],
        "steps": [],
        "case_type": "即办件",
        "legal_time_limit_days": None,
        "promised_time_limit_days": 0,
        "fees": "不收费",
        "legal_basis": [],
        "result": "",
        "hall": "",
        "address": "",
        "latitude": None,
        "longitude": None,
        "bus_routes": [],
        "hours": "",
        "holiday_note": "",
        "online": False,
        "online_url": "",
        "visits_required": 0,
        "faq": [],
        "summary": "",
        "status": "published",
    }
    unknown = fields.keys() - item.keys()
    if unknown:
        raise KeyError(f"not item fields: {sorted(unknown)}")
    item.update(fields)
    return item


def alias_list(pairs: list[tuple[str, str]], name: str) -> list[dict]:
    """Aliases without duplicates or the item's own name; pairs are (alias, source)."""
    seen, result = {name}, []
    for alias, source in pairs:
        alias = alias[:100]
        if alias and alias not in seen:
            seen.add(alias)
            result.append({"name": alias, "source": source})
    return result
