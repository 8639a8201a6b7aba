"""Recipes: everything needed to write one kind of guide, resolved from a kit, its family and the item's overrides
(see data/README.md). Licence subjects expand into one recipe per lifecycle variant."""

from catalog.sample import text
from catalog.sample.data import common, departments, fam_economy, fam_police, fam_public, fam_social, fam_urban

FAMILY_MODULES = (fam_police, fam_social, fam_economy, fam_urban, fam_public)

# Every recipe field and its default.
DEFAULTS = dict(
    type="公共服务",
    audience="个人",
    themes=[],
    events=[],
    cond=[],
    cond_opt=[],
    mats=[],
    steps="counter",
    days=(None, 0, 5),
    fees=["不收费"],
    law=[],
    result="{outcome}",
    faq=[],
    online=0.4,
    portal="ishandong",
    about="",
    unit=None,
    dunit=None,
    tunit="bmzx",
    cert="",
    activity="",
    change="",
    form="",
    local=False,
    aliases=[],
    formal=[],
    jargon=[],
    abbr=[],
    agent=True,
    section="办事服务",
    levels="C",
)
FAMILY_KEYS = ("dept", "kit", "levels", "items", "licences", "prefix")
DEPARTMENT_NAMES = {row["key"]: row["name"] for row in departments.DEPARTMENTS}
VARIANT_WORDS = {"新": "新办", "变": "变更", "延": "延续", "注": "注销", "补": "补办"}


def merge(base: dict, overrides: dict) -> dict:
    """Overrides replace fields; a key ending in '+' puts its list in front of the field's list."""
    result = dict(base)
    for key, value in overrides.items():
        if key.endswith("+"):
            field = key[:-1]
            result[field] = list(value) + list(result.get(field, []))
        else:
            result[key] = value
    return result


def _kits() -> dict:
    kits: dict = {}
    for module in FAMILY_MODULES:
        clash = kits.keys() & module.KITS.keys()
        if clash:
            raise ValueError(f"kits defined twice: {sorted(clash)}")
        kits.update(module.KITS)
    return kits


KITS = _kits()


def _identity_material(audience: str) -> list[str]:
    if audience == "个人":
        return ["申请人居民身份证", "?授权委托书及受托人身份证件（委托办理的提交）"]
    return ["营业执照或其他主体资格证明#复", "?授权委托书及经办人身份证件（委托办理的提交）"]


def _licence_recipes(base: dict, licence: dict) -> list[dict]:
    """One recipe per lifecycle variant of a licence subject."""
    recipes = []
    own = {
        k: v
        for k, v in licence.items()
        if k not in ("name", "variants", "new", "names", "cond", "mats", "aliases", "days")
    }
    for letter in licence.get("variants", "新变延注补"):
        if letter == "新" and licence.get("new") is False:
            continue
        variant = common.LICENCE_VARIANTS[letter]
        fields = merge(base, own)
        fields["form"] = licence["name"]
        fields["formal"] = [f"{licence['name']}（{VARIANT_WORDS[letter]}）"]
        names = {"cert": licence["cert"]}
        name = licence.get("names", {}).get(letter) or text.fill(variant["name"], names)
        if letter == "新":
            fields["cond"] = list(licence.get("cond", [])) + list(base.get("cond", []))
            fields["mats"] = list(licence.get("mats", [])) + list(base.get("mats", []))
            fields["days"] = licence.get("days", base["days"])
            fields["aliases"] = list(licence.get("aliases", []))
        else:
            legal = licence.get("days", base["days"])[0]
            fields["cond"] = list(variant["cond"])
            fields["cond_opt"] = []
            fields["mats"] = list(variant["mats"]) + _identity_material(fields["audience"])
            fields["days"] = (legal, *variant["days"])
            fields["faq"] = list(variant.get("faq", [])) + list(base.get("faq", []))[:1]
            fields["aliases"] = []
            fields["about"] = ""  # the kit's description is about granting the licence
        fields["steps"] = variant["steps"]
        if "result" in variant:
            fields["result"] = variant["result"]
        recipes.append(dict(fields, name=name))
    return recipes


def _recipes() -> list[dict]:
    recipes = []
    for module in FAMILY_MODULES:
        for family in module.FAMILIES:
            base = merge(DEFAULTS, KITS[family["kit"]])
            base = merge(base, {k: v for k, v in family.items() if k not in FAMILY_KEYS})
            base["levels"] = family["levels"]
            base["dept"] = family["dept"]
            for licence in family.get("licences", []):
                recipes.extend(_licence_recipes(base, licence))
            prefix = DEPARTMENT_NAMES[family["dept"]] if family.get("prefix") else ""
            for entry in family.get("items", []):
                name, overrides = (entry, {}) if isinstance(entry, str) else entry
                recipes.append(dict(merge(base, overrides), name=prefix + name))
    return recipes


RECIPES = _recipes()
