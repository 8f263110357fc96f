"""Keep one GitHub issue open while the daily update fails (the `alert` job of .github/workflows/pages.yml).

    python3 tools/daily_alert.py failure   # open "Daily update failing since <date>", or comment on the open one
    python3 tools/daily_alert.py success   # close that issue with a comment, when one is open; else do nothing

The issue is found among the open issues labelled `daily-update` by its title prefix, so an issue a person opens
with that label and another title is left alone. The script calls the GitHub CLI (`gh`, authenticated by
GH_TOKEN) and links the run from what GitHub Actions sets: GITHUB_SERVER_URL, GITHUB_REPOSITORY and
GITHUB_RUN_ID. JOB_RESULTS, the workflow's `toJSON(needs)`, names the failed jobs when it is given. Standard
library only: the job runs it with the runner's python3, without installing papersite.

Exit codes: 0 done, 1 a `gh` command failed, 2 usage (a bad argument or a missing variable).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

LABEL = "daily-update"
LABEL_COLOR = "B60205"
LABEL_DESCRIPTION = "The daily scrape, build or deploy is failing"
TITLE_PREFIX = "Daily update failing since"


class GhError(Exception):
    """A `gh` command exited with a failure; its message is already on stderr."""


def gh(*args: str) -> str:
    """Run `gh ARGS...` and return what it printed; its errors go straight to stderr."""
    result = subprocess.run(["gh", *args], stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        raise GhError(f"gh {' '.join(args[:2])} exited with {result.returncode}")
    return result.stdout


def open_issue(repo: str) -> dict[str, Any] | None:
    """The open failure issue (the oldest, should there be several), or None."""
    listed = gh(
        "issue", "list", "--repo", repo, "--label", LABEL, "--state", "open",
        "--json", "number,title,url", "--limit", "100",
    )  # fmt: skip
    issues = [issue for issue in json.loads(listed or "[]") if str(issue.get("title", "")).startswith(TITLE_PREFIX)]
    return min(issues, key=lambda issue: int(issue["number"])) if issues else None


def failed_jobs(results: str) -> list[str]:
    """The jobs whose result is `failure` in a `toJSON(needs)` value, and ``job (step)`` for a job output holding
    `failure` (the build job's `scrape`: a failed scrape still builds); [] when there is none to read."""
    try:
        needs = json.loads(results)
    except ValueError:
        return []
    if not isinstance(needs, dict):
        return []
    failed = {name for name, job in needs.items() if isinstance(job, dict) and job.get("result") == "failure"}
    for name, job in needs.items():  # a step that may fail without failing its job reports it as an output
        outputs = job.get("outputs") if isinstance(job, dict) else None
        if isinstance(outputs, dict) and name not in failed:
            failed.update(f"{name} ({step})" for step, outcome in outputs.items() if outcome == "failure")
    return sorted(failed)


def report_failure(repo: str, run_url: str, jobs: list[str], today: str) -> None:
    """Comment on the open failure issue, or open one labelled `daily-update`."""
    failed = f"Failed jobs: {', '.join(jobs)}.\n\n" if jobs else ""
    issue = open_issue(repo)
    if issue is not None:
        body = f"Failed again on {today}: {run_url}\n\n{failed}".rstrip() + "\n"
        gh("issue", "comment", str(issue["number"]), "--repo", repo, "--body", body)
        print(f"commented on issue #{issue['number']}: {issue['title']}")
        return
    body = (
        f"The daily update of the site failed: {run_url}\n\n{failed}"
        "The site keeps showing the last good build until a run succeeds. Each failed run adds a comment "
        "here, and the next successful run closes this issue.\n\n"
        "Opened by the `alert` job of `.github/workflows/pages.yml`.\n"
    )
    gh("label", "create", LABEL, "--repo", repo, "--color", LABEL_COLOR, "--description", LABEL_DESCRIPTION, "--force")
    title = f"{TITLE_PREFIX} {today}"
    url = gh("issue", "create", "--repo", repo, "--title", title, "--label", LABEL, "--body", body).strip()
    print(f"opened {url or 'an issue'}: {title}")


def report_success(repo: str, run_url: str) -> None:
    """Close the open failure issue with a comment; nothing to do when none is open."""
    issue = open_issue(repo)
    if issue is None:
        print("no open failure issue")
        return
    comment = f"The daily update succeeded again: {run_url}\n"
    gh("issue", "close", str(issue["number"]), "--repo", repo, "--reason", "completed", "--comment", comment)
    print(f"closed issue #{issue['number']}: {issue['title']}")


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("failure", "success"):
        print("usage: daily_alert.py failure|success", file=sys.stderr)
        return 2
    names = ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        print(f"daily_alert.py: error: {', '.join(missing)} not set (GitHub Actions sets them)", file=sys.stderr)
        return 2
    server, repo, run_id = (os.environ[name] for name in names)
    run_url = f"{server.rstrip('/')}/{repo}/actions/runs/{run_id}"
    try:
        if argv[0] == "failure":
            jobs = failed_jobs(os.environ.get("JOB_RESULTS", ""))
            report_failure(repo, run_url, jobs, datetime.now(UTC).strftime("%Y-%m-%d"))
        else:
            report_success(repo, run_url)
    except GhError as error:
        print(f"daily_alert.py: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
