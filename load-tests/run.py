"""`make load`: run the locust journeys headless against the portal, then judge the run against budgets.toml.

Uses the portal at --host when it answers /readyz (e.g. `make run` on :8080); otherwise starts a stack of its own
on free loopback ports with the full sample catalog. Writes locust's HTML report and CSV files, a PNG chart,
figures.json and verdict.txt to .local/load/<timestamp>/. Exits 1 when a budget is broken, 2 when locust saturated
a core (the figures then measure locust, not the portal)."""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import chart  # noqa: E402
from budgets import Budgets, judge  # noqa: E402
from cpu import LocustCpu  # noqa: E402
from stack import admin_account, running_load_stack  # noqa: E402

RESULTS = HERE.parent / ".local" / "load"
DEFAULT_DURATION = {"day": 180, "steady": 300, "step": 600}
DEFAULT_USERS = {"day": 500, "steady": 500, "step": 2000}


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make load", description=__doc__)
    parser.add_argument("--profile", choices=("day", "steady", "step"), default="day")
    parser.add_argument("--users", type=int, help="peak users (day), users (steady), most users (step)")
    parser.add_argument("--duration", type=int, help="seconds (day: the whole day; step: an upper bound)")
    parser.add_argument("--step-users", type=int, default=50, help="step: users added each step")
    parser.add_argument("--step-seconds", type=int, default=30, help="step: seconds each step lasts")
    parser.add_argument("--staff-users", type=int, default=2, help="department staff editing items")
    parser.add_argument("--processes", type=int, default=0, help="locust worker processes (0: one process)")
    parser.add_argument("--host", default="http://127.0.0.1:8080", help="a running portal; else one is started")
    parser.add_argument("--admin", default="admin:changethis", help="the portal office account of a running portal")
    parser.add_argument("--items", type=int, default=7200, help="sample items of a started stack")
    parser.add_argument("--stack-env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting of a started stack (e.g. GATEWAY_WORKERS=2); repeatable")  # fmt: skip
    parser.add_argument("--out", type=Path, help="the run's folder (default .local/load/<timestamp>)")
    return parser.parse_args(argv)


def ready(host: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{host}/readyz", timeout=3).status_code == 200
    return False


def locust_environment(args: argparse.Namespace, host_admin: str, out: Path) -> dict[str, str]:
    username, _, password = host_admin.partition(":")
    return {
        **os.environ,
        "LOAD_PROFILE": args.profile,
        "LOAD_USERS": str(args.users or DEFAULT_USERS[args.profile]),
        "LOAD_DURATION": str(args.duration or DEFAULT_DURATION[args.profile]),
        "LOAD_STEP_USERS": str(args.step_users),
        "LOAD_STEP_SECONDS": str(args.step_seconds),
        "LOAD_STAFF_USERS": str(args.staff_users),
        "LOAD_ADMIN_USERNAME": username,
        "LOAD_ADMIN_PASSWORD": password,
        "LOAD_OUTPUT_DIR": str(out),
    }


def run_locust(args: argparse.Namespace, host: str, admin: str, out: Path) -> LocustCpu:
    env = locust_environment(args, admin, out)
    bound = int(env["LOAD_DURATION"]) + 120  # the shape ends the run; this only stops a stuck one
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--host", host,
               "--csv", str(out / "locust"), "--csv-full-history", "--html", str(out / "report.html"),
               "--run-time", f"{bound}s", "--stop-timeout", "10", "--exit-code-on-error", "0"]  # fmt: skip
    if args.processes:
        command += ["--processes", str(args.processes)]
    with (out / "locust.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        monitor = LocustCpu(process.pid)
        monitor.start()
        try:
            process.wait()
        finally:
            monitor.stop()
            if process.poll() is None:
                process.terminate()
                process.wait()
    if not (out / "figures.json").exists():
        log = (out / "locust.log").read_text()[-3000:]
        raise SystemExit(f"locust wrote no figures; the end of {out / 'locust.log'}:\n{log}")
    return monitor


def verdict(out: Path, monitor: LocustCpu, profile: str) -> int:
    record = json.loads((out / "figures.json").read_text())
    verdicts = judge(Budgets.load(), record["kinds"])
    cpu = {**monitor.summary(), "locust_warned": record["locust_cpu_warning"]}
    lines = [f"load run ({profile}): {out}", "", f"{'kind':<22}{'requests':>9}{'rps':>8}{'p50':>7}{'p95':>7}"
             f"{'p99':>7}{'max':>8}{'errors':>8}"]  # fmt: skip
    for kind, f in record["kinds"].items():
        lines.append(f"{kind:<22}{f['requests']:>9}{f['rps']:>8}{f['p50_ms']:>7g}{f['p95_ms']:>7g}{f['p99_ms']:>7g}"
                     f"{f['max_ms']:>8g}{f['failures']:>8}")  # fmt: skip
    if record.get("steps"):
        lines += ["", "steps (users, rps, p99 ms in the step's last 10 s, error rate, kept the overall budget):"]
        lines += [f"  {s['users']:>5} {s['rps']:>8} {s['p99_ms']:>6} {s['error_rate']:>8} {s['kept_budget']}"
                  for s in record["steps"]]  # fmt: skip
        kept = [s for s in record["steps"] if s["kept_budget"]]
        lines.append(f"throughput within the overall budget: {kept[-1]['rps'] if kept else 0} requests/s")
    lines += ["", "budgets (budgets.toml):", *(v.line() for v in verdicts), "", f"locust CPU: {json.dumps(cpu)}"]
    busy = machine_busy(monitor)
    if busy:
        lines.append(busy)
    invalid = monitor.saturated or record["locust_cpu_warning"]
    if invalid:
        lines.append("INVALID: a locust process saturated a core; run with --processes 2 or fewer users")
    broken = [v for v in verdicts if not v.kept]
    lines.append(f"verdict: {len(broken)} of {len(verdicts)} budgets broken" + (" (measurement invalid)" * invalid))
    (out / "verdict.txt").write_text("\n".join(lines) + "\n")
    (out / "summary.json").write_text(json.dumps({**record, "locust_cpu": cpu, "verdicts": [
        {**v.__dict__, "kept": v.kept} for v in verdicts]}, ensure_ascii=False, indent=2))  # fmt: skip
    print("\n".join(lines))
    return 2 if invalid else 1 if broken else 0


def machine_busy(monitor: LocustCpu) -> str:
    """A warning when the machine ran other work beside the portal and locust (its load average well above its
    cores): the figures then measure the machine's queue, not the portal."""
    cores = os.cpu_count() or 1
    load = max(monitor.load_averages or [0.0])
    if load <= 1.5 * cores:
        return ""
    return f"WARNING: the machine's 1-minute load average reached {load:.1f} on {cores} cores: other work shared them"


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    out = args.out or RESULTS / datetime.now().strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as cleanup:
        host, admin = args.host, args.admin
        if not ready(host):
            print(f"no portal answers at {host}: starting one ({args.items} items) in {out / 'stack'}", flush=True)
            stack_env = dict(setting.split("=", 1) for setting in args.stack_env)
            stack = cleanup.enter_context(running_load_stack(out / "stack", args.items, stack_env))
            host, admin = stack.gateway_url, admin_account()
        print(f"locust ({args.profile}) against {host}; figures in {out}", flush=True)
        started = time.time()
        monitor = run_locust(args, host, admin, out)
    chart.draw(out / "locust_stats_history.csv", monitor.samples, out / "load.png",
               f"{args.profile} profile, {datetime.fromtimestamp(started):%Y-%m-%d %H:%M}")  # fmt: skip
    return verdict(out, monitor, args.profile)


if __name__ == "__main__":
    sys.exit(main())
