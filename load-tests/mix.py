"""What simulated residents ask for: items and queries drawn from the portal's own catalog with a Zipf law
(a few popular services many times, a long tail once), plus the phones and client addresses they come from.

Drawn from the running portal at the start of a run, so the same file loads a local stack or a deployment."""

import bisect
import itertools
import random
from collections.abc import Sequence
from pathlib import Path

import httpx

QUERIES_TSV = Path(__file__).resolve().parents[1] / "services/search/eval/queries.tsv"
ZIPF_EXPONENT = 1.0  # web request popularity is close to 1 (Breslau et al., 1999)
PAGE_SIZE = 100  # the items API's largest page


class ZipfDraw:
    """Draws from `values` with the weight of the k-th value proportional to 1 / k**exponent. The order is shuffled
    with `seed` first, so which values are popular is arbitrary but the same on every worker of one run."""

    def __init__(self, values: Sequence, *, seed: int, exponent: float = ZIPF_EXPONENT):
        if not values:
            raise ValueError("nothing to draw from")
        self.values = list(values)
        random.Random(seed).shuffle(self.values)
        self.cumulative = list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, len(self.values) + 1)))

    def __call__(self) -> object:
        return self.values[bisect.bisect(self.cumulative, random.random() * self.cumulative[-1])]


def relevance_queries(path: Path = QUERIES_TSV) -> list[str]:
    """The queries of the relevance set: what residents type, in every style (colloquial, pinyin, typos, ...)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line.strip() and not line.startswith("#")]


def published_items(client: httpx.Client, limit: int) -> list[dict]:
    """Up to `limit` published items ({"id", "title", "department_id"}), following the list's cursor."""
    items: list[dict] = []
    params: dict = {"size": PAGE_SIZE}
    while len(items) < limit:
        page = client.get("/api/v1/items", params=params)
        page.raise_for_status()
        body = page.json()
        items.extend({k: item[k] for k in ("id", "title", "department_id")} for item in body["items"])
        if not body.get("next_cursor"):
            break
        params["cursor"] = body["next_cursor"]
    return items[:limit]


def short_title(title: str) -> str:
    """What a resident would type for an item: its name without the district suffix （芝罘区）."""
    return title.split("（")[0].split("(")[0] or title


def phone() -> str:
    """A mainland mobile number: the feedback service limits submissions per phone, as for real residents."""
    return f"1{random.choice('3456789')}{random.randrange(10**9):09d}"


def client_address() -> str:
    """A resident's address as a trusted proxy reports it in X-Forwarded-For (the gateway's limits are per IP)."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


class Mix:
    """Everything a run draws from, read once from the portal."""

    def __init__(self, base_url: str, *, item_limit: int = 3000, seed: int = 20261128):
        with httpx.Client(base_url=base_url, timeout=30) as client:
            self.items = published_items(client, item_limit)
        if not self.items:
            raise RuntimeError(f"{base_url} lists no published items: nothing to load")
        self.item = ZipfDraw(self.items, seed=seed)
        titles = sorted({short_title(item["title"]) for item in self.items})
        self.query = ZipfDraw(relevance_queries() + titles, seed=seed)

    def prefix(self, query: str) -> str:
        """What the box holds when autocomplete asks: the first one to three characters."""
        return query[: random.randint(1, min(3, len(query)))]
