"""Known vulnerabilities in the pinned dependencies: pip-audit over requirements.txt.

pip-audit needs a vulnerability database: PyPI's JSON API (`/pypi/<name>/<version>/json`, its default) or OSV
(`api.osv.dev`). Where neither answers, pip-audit skips every package and still says "No known vulnerabilities
found" with exit code 0, so this test reads its JSON report and skips loudly instead of passing on nothing; where a
database answers, any package it could not audit or any known vulnerability fails the test."""

import importlib.util
import json
import subprocess
import sys

import pytest

from portal_common.testing import REPO_ROOT


def audit() -> dict:
    if importlib.util.find_spec("pip_audit") is None:
        pytest.skip("pip-audit is not installed in this environment")
    command = [
        sys.executable, "-m", "pip_audit", "-r", "requirements.txt", "--no-deps", "--disable-pip",
        "--format", "json", "--progress-spinner", "off",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    if not result.stdout.strip():
        pytest.skip(f"pip-audit reached no vulnerability database: {result.stderr.strip()[-300:]}")
    return json.loads(result.stdout)


def test_no_pinned_dependency_has_a_known_vulnerability():
    dependencies = audit()["dependencies"]
    unaudited = [d for d in dependencies if "skip_reason" in d]
    if len(unaudited) == len(dependencies):
        pytest.skip(f"no vulnerability database answered for any of {len(dependencies)} packages, e.g. "
                    f"{unaudited[0]['skip_reason']}")  # fmt: skip
    vulnerable = {f"{d['name']} {d['version']}": [v["id"] for v in d["vulns"]] for d in dependencies if d.get("vulns")}
    assert not vulnerable, f"known vulnerabilities (upgrade the pins in requirements.in, then make lock): {vulnerable}"
    assert not unaudited, f"packages pip-audit could not check: {[d['skip_reason'] for d in unaudited]}"
