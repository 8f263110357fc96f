"""``make audit``: Lighthouse on the built site served on 127.0.0.1 (home, a paper, a topic, the archive, search, and
the reader's desk pages, saved and for-you).

Builds the site into a temporary folder with ``base_url`` set to the local server, serves it as GitHub Pages
would (``generator/httpserve.py``: a missing file gets ``404.html`` with status 404), runs Lighthouse from
``node_modules`` in Debian's chromium, prints the category scores of every page and the audits that lost points,
and exits 1 unless Accessibility, SEO and Best Practices are 100 on every page. Performance is printed, not gated
(it depends on the machine). Exit 2 when a tool is missing.

Usage: ``python tools/audit.py [--keep DIR] [PATH ...]`` where PATH is a site-relative page (default: the
home page, the first paper and topic, ``archive/``, ``search/``, ``saved/``, ``for-you/``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.build import build  # noqa: E402
from generator.httpserve import site_server  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
GATED = {"accessibility", "best-practices", "seo"}


def default_pages(site: Path) -> list[str]:
    """The home page, the first paper and topic pages, the archive, the search page and the desk's two pages."""
    pages = [""]
    for folder in ("papers", "topics"):
        names = sorted(p.parent.name for p in (site / folder).glob("*/index.html"))
        pages += [f"{folder}/{name}/" for name in names[:1]]
    more = ("archive/", "search/", "saved/", "for-you/")
    return pages + [path for path in more if (site / path / "index.html").is_file()]


def lighthouse(url: str, workdir: Path) -> dict[str, object]:
    """Lighthouse's JSON report (lhr) for one URL."""
    report = workdir / "report.json"
    command = [
        "node",
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0 or not report.is_file():
        raise RuntimeError(f"lighthouse failed on {url} (exit {done.returncode}):\n{done.stderr[-3000:]}")
    lhr: dict[str, object] = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()
    return lhr


def lost_points(lhr: dict[str, object], category: str) -> list[str]:
    """``audit-id: title`` for every scored audit of ``category`` below 1, with a few offending items."""
    categories: dict[str, dict[str, object]] = lhr["categories"]  # type: ignore[assignment]
    audits: dict[str, dict[str, object]] = lhr["audits"]  # type: ignore[assignment]
    lines = []
    for ref in categories[category]["auditRefs"]:  # type: ignore[attr-defined]
        audit = audits[ref["id"]]
        if ref.get("weight", 0) and audit.get("score") is not None and audit["score"] < 1:  # type: ignore[operator]
            lines.append(f"    {ref['id']}: {audit.get('title')} {audit.get('displayValue') or ''}".rstrip())
            details = audit.get("details") or {}
            for item in (details.get("items") or [])[:5]:  # type: ignore[attr-defined]
                node = item.get("node") or {}
                text = node.get("snippet") or item.get("description") or item.get("url") or item.get("source") or item
                lines.append(f"        {str(text)[:200]}")
    return lines


def audit(pages: list[str] | None, keep: Path | None) -> int:
    if not LIGHTHOUSE.is_file():
        print("tools/audit.py: error: lighthouse not installed; run `make audit` (npm ci)", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists() or shutil.which("node") is None:
        print(f"tools/audit.py: error: needs node and {CHROMIUM}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="papersite-audit-") as tmp:
        site = keep or Path(tmp) / "site"
        server = site_server(site.resolve())
        base_url = f"http://127.0.0.1:{server.server_address[1]}/"
        result = build(ROOT, base_url=base_url, out_dir=site)
        if not result.ok:
            for problem in result.problems:
                print(problem, file=sys.stderr)
            return 1
        threading.Thread(target=server.serve_forever, daemon=True).start()
        failures = 0
        try:
            for page in pages or default_pages(site):
                lhr = lighthouse(base_url + page, Path(tmp))
                categories: dict[str, dict[str, float]] = lhr["categories"]  # type: ignore[assignment]
                scores = {name: round(categories[name]["score"] * 100) for name in CATEGORIES}
                print(f"/{page}: " + "  ".join(f"{name} {score}" for name, score in scores.items()))
                for name in sorted(GATED):
                    if scores[name] < 100:
                        failures += 1
                        print(f"  {name} {scores[name]} < 100:")
                        print("\n".join(lost_points(lhr, name)))
        except RuntimeError as error:
            print(f"tools/audit.py: error: {error}", file=sys.stderr)
            return 2
        finally:
            server.shutdown()
            server.server_close()
    if failures:
        print(f"audit failed: {failures} gated score(s) below 100", file=sys.stderr)
        return 1
    print("audit passed: accessibility, best practices and SEO are 100 on every page", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/audit.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help="site-relative pages (default: see above)")
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it (default: a temporary one)")
    args = parser.parse_args(argv)
    return audit(args.pages, args.keep)


if __name__ == "__main__":
    sys.exit(main())
