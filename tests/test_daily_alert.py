"""tools/daily_alert.py against a fake `gh` on PATH: it opens, comments on and closes the failure issue.

The fake records each call's arguments (one JSON list a line) and answers `gh issue list` with the issues the
test gives it, so every case checks exactly which `gh` commands the script ran.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "daily_alert.py"
RUN_URL = "https://github.com/someone/papers/actions/runs/4242"

FAKE_GH = """\
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args) + "\\n")
if args[:1] == [os.environ.get("FAKE_GH_FAIL", "-")]:
    print("gh: HTTP 403: Resource not accessible by integration", file=sys.stderr)
    sys.exit(1)
if args[:2] == ["issue", "list"]:
    print(os.environ.get("FAKE_GH_ISSUES", "[]"))
elif args[:2] == ["issue", "create"]:
    print("https://github.com/someone/papers/issues/9")
"""

FAILING = {"number": 5, "title": "Daily update failing since 2026-02-03", "url": "https://github.com/x/y/issues/5"}


class Fake:
    """A fake `gh` in its own folder, and what it was called with."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.log = folder / "calls.jsonl"
        gh = folder / "gh"
        gh.write_text(f"#!{sys.executable}\n{FAKE_GH}", encoding="utf-8")
        gh.chmod(gh.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        self.folder = folder

    def run(
        self, mode: str, issues: list[dict[str, Any]] | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        environ = {key: value for key, value in os.environ.items() if key != "JOB_RESULTS"}
        environ |= {
            "PATH": f"{self.folder}{os.pathsep}{os.environ.get('PATH', '')}",
            "FAKE_GH_LOG": str(self.log),
            "FAKE_GH_ISSUES": json.dumps(issues or []),
            "GH_TOKEN": "not-a-token",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "someone/papers",
            "GITHUB_RUN_ID": "4242",
            **env,
        }
        command = [sys.executable, str(SCRIPT), mode]
        return subprocess.run(command, env=environ, capture_output=True, text=True, timeout=60, check=False)

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def fake(tmp_path: Path) -> Fake:
    return Fake(tmp_path / "bin")


def option(call: list[str], name: str) -> str:
    return call[call.index(name) + 1]


def test_failure_without_an_open_issue_opens_one(fake: Fake) -> None:
    results = json.dumps({"build": {"result": "failure", "outputs": {}}, "deploy": {"result": "skipped"}})
    result = fake.run("failure", JOB_RESULTS=results)
    assert result.returncode == 0, result.stderr
    listing, label, create = fake.calls()
    assert listing[:2] == ["issue", "list"]
    assert option(listing, "--repo") == "someone/papers"
    assert option(listing, "--label") == "daily-update"
    assert option(listing, "--state") == "open"
    # the label exists before the issue names it (`gh issue create` fails on an unknown label)
    assert label[:3] == ["label", "create", "daily-update"] and "--force" in label
    assert create[:2] == ["issue", "create"]
    assert option(create, "--repo") == "someone/papers"
    assert re.fullmatch(r"Daily update failing since \d{4}-\d{2}-\d{2}", option(create, "--title"))
    assert option(create, "--label") == "daily-update"
    body = option(create, "--body")
    assert RUN_URL in body
    assert "Failed jobs: build." in body
    assert "opened https://github.com/someone/papers/issues/9" in result.stdout


def test_a_failed_scrape_in_a_successful_build_is_named(fake: Fake) -> None:
    """The scrape step may fail without failing the build job (the site still deploys, saying so): its outcome
    comes as the build job's `scrape` output."""
    results = {"build": {"result": "success", "outputs": {"scrape": "failure"}}, "deploy": {"result": "success"}}
    result = fake.run("failure", JOB_RESULTS=json.dumps(results))
    assert result.returncode == 0, result.stderr
    create = fake.calls()[-1]
    assert "Failed jobs: build (scrape)." in option(create, "--body")


def test_failure_with_an_open_issue_comments_on_it(fake: Fake) -> None:
    other = {"number": 3, "title": "Add a daily-update badge", "url": "https://github.com/x/y/issues/3"}
    result = fake.run("failure", [other, FAILING])
    assert result.returncode == 0, result.stderr
    listing, comment = fake.calls()
    assert listing[:2] == ["issue", "list"]
    assert comment[:3] == ["issue", "comment", "5"]
    assert option(comment, "--repo") == "someone/papers"
    assert RUN_URL in option(comment, "--body")
    assert "Failed jobs" not in option(comment, "--body")  # no JOB_RESULTS given


def test_failure_comments_on_the_oldest_of_several(fake: Fake) -> None:
    newer = {**FAILING, "number": 8, "title": "Daily update failing since 2026-02-05"}
    assert fake.run("failure", [newer, FAILING]).returncode == 0
    assert fake.calls()[-1][:3] == ["issue", "comment", "5"]


def test_success_closes_the_open_issue_with_a_comment(fake: Fake) -> None:
    result = fake.run("success", [FAILING])
    assert result.returncode == 0, result.stderr
    listing, close = fake.calls()
    assert listing[:2] == ["issue", "list"]
    assert close[:3] == ["issue", "close", "5"]
    assert option(close, "--repo") == "someone/papers"
    assert RUN_URL in option(close, "--comment")
    assert "closed issue #5" in result.stdout


def test_success_without_an_open_issue_changes_nothing(fake: Fake) -> None:
    other = {"number": 3, "title": "Add a daily-update badge", "url": "https://github.com/x/y/issues/3"}
    result = fake.run("success", [other])
    assert result.returncode == 0, result.stderr
    assert [call[:2] for call in fake.calls()] == [["issue", "list"]]


def test_a_failing_gh_fails_the_script(fake: Fake) -> None:
    result = fake.run("failure", FAKE_GH_FAIL="label")
    assert result.returncode == 1
    assert "HTTP 403" in result.stderr and "gh label create exited with 1" in result.stderr
    assert [call[:2] for call in fake.calls()] == [["issue", "list"], ["label", "create"]]


def test_usage_and_missing_environment(fake: Fake) -> None:
    assert fake.run("maybe").returncode == 2
    result = fake.run("failure", GITHUB_RUN_ID="")
    assert result.returncode == 2
    assert "GITHUB_RUN_ID not set" in result.stderr
    assert fake.calls() == []
