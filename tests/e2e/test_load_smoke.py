"""A short run of the load test's journeys (load-tests/locustfile.py, through `make load`'s runner) against the
end-to-end stack, through a gateway with the page cache on as in production: every journey works, no request fails,
the report is written, and a staff edit made under load becomes searchable. Latency budgets are not judged here: a few
users on a shared test machine prove nothing."""

import json
import subprocess
import sys
from pathlib import Path

import httpx

from portal_common.testing import wait_for
from tests.e2e.conftest import ADMIN_PASSWORD, second_gateway

RUNNER = Path(__file__).resolve().parents[2] / "load-tests" / "run.py"


def test_the_journeys_run_without_an_error_and_staff_edits_reach_search(stack, indexed, tmp_path):
    out = tmp_path / "load"
    gateway = second_gateway(stack, "gateway-load-smoke", GATEWAY_PAGE_CACHE_MB="32")
    target = ["--host", gateway, "--admin", f"admin:{ADMIN_PASSWORD}", "--out", str(out)]
    shape = ["--profile", "steady", "--users", "8", "--duration", "25", "--staff-users", "1"]
    command = [sys.executable, str(RUNNER), *target, *shape]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=240)
    assert finished.returncode in (0, 1, 2), finished.stdout + finished.stderr  # 1, 2: budgets, not errors

    for name in ("report.html", "locust_stats.csv", "locust_stats_history.csv", "load.png", "verdict.txt"):
        assert (out / name).stat().st_size > 0, name
    kinds = json.loads((out / "figures.json").read_text())["kinds"]
    assert kinds["overall"]["failures"] == 0, (out / "locust_failures.csv").read_text()
    for kind in ("home", "search", "autocomplete", "item page", "tracking", "staff edit"):
        assert kinds[kind]["requests"] > 0, kind

    edits = [edit for path in out.glob("staff-edits-*.json") for edit in json.loads(path.read_text())]
    assert edits, "no staff edit was saved"
    last = edits[-1]
    with httpx.Client(base_url=gateway) as client:

        def found() -> bool:
            results = client.get("/api/v1/search", params={"q": last["alias"]}).json()["items"]
            return last["item_id"] in [item["id"] for item in results]

        wait_for(found, 30, f"item {last['item_id']} found by its new alias {last['alias']}")
