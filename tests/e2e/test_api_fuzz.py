"""A bounded schemathesis run over the gateway's OpenAPI document (the JSON API and the pages' parameters):
no generated request may answer a 5xx. Coverage and results are written to .local/artifacts/fuzz/."""

import json
import subprocess
import sys

import httpx

from tests.e2e.conftest import ADMIN_PASSWORD, bearer
from tests.e2e.test_pages import ARTIFACTS

FUZZ = ARTIFACTS / "fuzz"


def fuzz(stack, name: str, *options: str, max_time: str = "45") -> dict:
    FUZZ.mkdir(parents=True, exist_ok=True)
    report = FUZZ / f"{name}.json"
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{stack.gateway_url}/openapi.json",
        "--checks", "not_a_server_error", "--max-examples", "15", "--max-time", max_time, "--workers", "1",
        "--generation-deterministic", "--request-timeout", "10", "--no-color",
        "--report-json-path", str(report),
        "--exclude-path", "/readyz",  # answers 503 by design while any dependency is down
        *options,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    (FUZZ / f"{name}.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return json.loads(report.read_text()) if report.exists() else {}


def test_fuzzing_the_openapi_document_finds_no_server_error(stack, indexed):
    fuzz(stack, "public")


def test_fuzzing_the_back_office_reads_as_the_portal_office_finds_no_server_error(stack, indexed):
    # A session of its own: nothing the fuzzer does may end the session other tests share.
    login = httpx.post(f"{stack.gateway_url}/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    header = next(iter(bearer(login.json()["token"]).items()))
    fuzz(stack, "back-office-reads", "--include-path-regex", "^/api/v1/(admin|auth)/",
         "--exclude-method", "POST", "--exclude-method", "PUT", "--exclude-method", "DELETE",
         "--header", f"{header[0]}: {header[1]}", max_time="20")  # fmt: skip
