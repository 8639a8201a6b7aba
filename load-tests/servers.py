"""Which HTTP server the gateway should run: one stack, the gateway restarted under each candidate (GATEWAY_SERVER,
GATEWAY_WORKERS), the same steady load against each, figures side by side. Not part of `make load`:

    .local/venv/bin/python load-tests/servers.py --users 150 --duration 60

Users are a closed loop (each waits 0.5-1.5 s between requests), so the offered rate is close to fixed while the
portal keeps up; compare p95/p99 at that rate, and the rate itself once it does not."""

import argparse
import json
import sys
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402
from stack import admin_account, running_load_stack  # noqa: E402

from portal_common.testing import stop, wait_for  # noqa: E402

CANDIDATES = [(server, workers) for workers in (1, 2) for server in ("uvicorn-h11", "uvicorn", "granian")]


def restart_gateway(stack, server: str, workers: int) -> None:
    stop(stack.processes["gateway"])
    env = {"GATEWAY_SERVER": server, "GATEWAY_WORKERS": str(workers)}
    gateway = stack.start("gateway", "gateway", "serve", env=env)
    with httpx.Client(base_url=stack.gateway_url) as client:
        wait_for(lambda: client.get("/readyz").status_code == 200, 60, "gateway", gateway)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--items", type=int, default=7200)
    parser.add_argument("--out", type=Path, default=run.RESULTS / "servers")
    parser.add_argument("--only", nargs="*", metavar="SERVER:WORKERS", help="a subset, e.g. uvicorn:2 granian:2")
    args = parser.parse_args()
    candidates = [(s, int(w)) for s, w in (c.split(":") for c in args.only)] if args.only else CANDIDATES
    rows = []
    with running_load_stack(args.out / "stack", args.items, {}) as stack:
        for server, workers in candidates:
            restart_gateway(stack, server, workers)
            out = args.out / f"{server}-{workers}"
            out.mkdir(parents=True, exist_ok=True)
            load = run.options(["--profile", "steady", "--users", str(args.users), "--duration", str(args.duration)])
            monitor = run.run_locust(load, stack.gateway_url, admin_account(), out)
            overall = json.loads((out / "figures.json").read_text())["kinds"]["overall"]
            rows.append({"server": server, "workers": workers, **overall, "locust_cpu": monitor.summary()})
            print(json.dumps(rows[-1]), flush=True)
    (args.out / f"servers-{'-'.join(f'{s}{w}' for s, w in candidates)}.json").write_text(json.dumps(rows, indent=2))
    print(f"\n{'server':<12}{'workers':>8}{'rps':>8}{'p50':>6}{'p95':>6}{'p99':>6}{'max':>8}{'errors':>7}")
    for r in rows:
        print(f"{r['server']:<12}{r['workers']:>8}{r['rps']:>8}{r['p50_ms']:>6g}{r['p95_ms']:>6g}{r['p99_ms']:>6g}"
              f"{r['max_ms']:>8g}{r['failures']:>7}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
