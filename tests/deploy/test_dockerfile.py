"""The Dockerfile: hadolint finds nothing (its PyPI wheel carries the binary, so this runs offline), its shape is
the one deploy/README.md promises, and each service's image gets every file and every package its code needs."""

import ast
import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from tests.deploy.code import REPO, SERVICES

DOCKERFILE = REPO / "Dockerfile"
# Modules only tests and developer tools import (pytest fixtures, the local stack, `make eval`): kept out.
DEV_ONLY = {"libs/portal_common/testing.py", "libs/portal_common/local_stack.py", "services/search/search/relevance.py"}


def instructions() -> list[dict]:
    parser = DockerfileParser(fileobj=DOCKERFILE.open("rb"))
    return parser.structure


def stages() -> list[list[dict]]:
    found: list[list[dict]] = []
    for instruction in instructions():
        if instruction["instruction"] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def of(stage: list[dict], name: str) -> list[str]:
    return [i["value"] for i in stage if i["instruction"] == name]


def test_hadolint_finds_nothing():
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([hadolint, DOCKERFILE], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_the_base_image_is_pinned_to_a_patch_release():
    (default,) = [v for i in instructions() if i["instruction"] == "ARG" for v in [i["value"]] if "PYTHON_IMAGE" in v]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", default)
    assert [s[0]["value"].split()[0] for s in stages()] == ["${PYTHON_IMAGE}", "${PYTHON_IMAGE}"]


def test_the_image_installs_the_runtime_lock_before_the_code_and_runs_as_a_user_with_a_health_check():
    build, runtime = stages()
    build_steps = [i["value"] for i in build if i["instruction"] in ("COPY", "RUN")]
    install = next(n for n, step in enumerate(build_steps) if "/venv/bin/pip install -r requirements.txt" in step)
    assert build_steps.index("requirements.txt requirements-dev.txt ./") < install < build_steps.index("proto proto")
    copies = of(runtime, "COPY")
    assert copies.index("--from=build /venv /venv") < copies.index("libs /app/libs")
    assert "--from=build /tools" not in " ".join(copies), "the stub generator stays in the build stage"
    assert of(runtime, "USER") == ["10001:10001"]
    assert of(runtime, "HEALTHCHECK")[0].endswith('CMD ["python", "-m", "portal_common.healthcheck"]')
    assert of(runtime, "VOLUME") == ['["/tmp"]']


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's .dockerignore rule: the last pattern matching the path or one of its parents decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern.lstrip("!").strip("/")
        regex = re.escape(body).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        if any(re.fullmatch(regex, candidate) for candidate in candidates):
            excluded = not negated
    return excluded


def build_context() -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    lines = (REPO / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return {path for path in listed if (REPO / path).is_file() and not ignored(path, patterns)}


def image_files(service: str) -> dict[str, str]:
    """Context path → path in the image, for the final stage's COPY instructions from the build context."""
    context = build_context()
    files = {}
    for value in of(stages()[-1], "COPY"):
        if value.startswith("--from"):
            continue
        source, destination = value.replace("${SERVICE}", service).split()
        for path in context:
            if path == source or path.startswith(source + "/"):
                files[path] = destination + path[len(source) :]
    return files


def tracked(under: str) -> set[str]:
    listed = subprocess.run(["git", "ls-files", under], cwd=REPO, capture_output=True, text=True, check=True)
    return {p for p in listed.stdout.split() if "/tests/" not in p and "__pycache__" not in p}


@pytest.mark.parametrize("service", SERVICES)
def test_the_image_carries_every_module_and_data_file_of_its_service(service):
    needed = tracked(f"services/{service}/{service}") | tracked("libs/portal_common")
    copied = image_files(service)
    missing = sorted(needed - DEV_ONLY - set(copied))
    assert missing == [], f"{service} image lacks {missing}"
    assert not DEV_ONLY & set(copied)
    data = {p for p in copied if not p.endswith(".py")}
    if service == "search":  # what the index and the analysis read at run time
        assert {"items_index.json", "dictionary.txt", "synonyms.yml"} <= {Path(p).name for p in data}
    if service == "gateway":
        assert any("/templates/" in p for p in data) and any("/static/" in p for p in data)
    if service in ("catalog", "feedback"):
        assert any("/migrations/versions/" in p for p in copied) and any(p.endswith("script.py.mako") for p in data)


def imported_top_levels(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def runtime_lock() -> set[str]:
    lines = (REPO / "requirements.txt").read_text().splitlines()
    return {line.split("==")[0].lower().replace("_", "-") for line in lines if "==" in line}


@pytest.mark.parametrize("service", SERVICES)
def test_every_import_of_the_shipped_code_is_in_the_image(service):
    """First-party packages are copied, `portal` is generated from proto/, the rest comes from the runtime lock."""
    distributions = importlib.metadata.packages_distributions()
    shipped = {service, "portal_common", "portal"}
    lock = runtime_lock()
    unresolved = {}
    for path in image_files(service):
        if not path.endswith(".py"):
            continue
        for name in imported_top_levels(REPO / path) - set(sys.stdlib_module_names) - shipped:
            providers = {d.lower().replace("_", "-") for d in distributions.get(name, [])}
            if not providers & lock:
                unresolved.setdefault(name, []).append(path)
    assert unresolved == {}, "imported by shipped code but not in requirements.txt"
