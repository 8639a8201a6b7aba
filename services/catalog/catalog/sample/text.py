"""Small text helpers of the generator: numbering, phone numbers, people's names, material specs, templates."""

import hashlib
import random
import re

from catalog.sample.data import people, regions

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 25 -> 二十五 (1..99)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def numbered(clauses: list[str], style: int) -> str:
    """Join clauses as a numbered list in one of three common styles: （一）…；  1.…；  ①…；"""
    clauses = [c.rstrip("。；;，, ") for c in clauses if c]
    if len(clauses) == 1:
        return clauses[0] + "。"
    marks = {
        0: lambda i: f"（{cn_number(i)}）",
        1: lambda i: f"{i}.",
        2: lambda i: "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮"[i - 1] if i <= 15 else f"{i}.",
    }[style % 3]
    return "；".join(marks(i) + c for i, c in enumerate(clauses, 1)) + "。"


def phone(rng: random.Random) -> str:
    """A landline number of the city: 0535- and seven digits."""
    return f"{regions.AREA_CODE}-{rng.choice('623578')}{rng.randrange(10**6):06d}"


def person_name(rng: random.Random) -> str:
    given = rng.choice(people.GIVEN_FIRST) + rng.choice(people.GIVEN_SECOND)
    if rng.random() < 0.25:
        given = rng.choice(people.GIVEN_SECOND)
    return rng.choice(people.SURNAMES) + given


def short_hash(text: str, size: int = 8) -> str:
    """A stable ascii digest (not Python's salted hash())."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=size).hexdigest()


_MATERIAL = re.compile(
    r"^(?P<opt>\?)?(?P<name>[^#*|]+)(?:#(?P<form>[^*|]+))?(?:\*(?P<copies>\d+))?(?:\|(?P<note>.*))?$"
)
_FORMS = {"原": "原件", "复": "复印件", "原复": "原件和复印件", "电": "电子件"}


def parse_material(spec: str) -> dict:
    """'[?]name[#form][*copies][|note]' -> name, form, copies, required, note (see data/README.md)."""
    match = _MATERIAL.match(spec)
    if not match:
        raise ValueError(f"bad material spec: {spec!r}")
    return {
        "name": match["name"].strip(),
        "form": _FORMS[match["form"]] if match["form"] else "原件",
        "copies": int(match["copies"] or 1),
        "required": not match["opt"],
        "note": match["note"] or "",
    }


class Template(dict):
    """Values for str.format_map that fail loudly on a misspelt placeholder."""

    def __missing__(self, key):
        raise KeyError(f"unknown placeholder {{{key}}}")


def fill(template: str, values: dict) -> str:
    return template.format_map(Template(values)) if "{" in template else template
