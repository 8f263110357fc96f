"""The command line, end to end: ``python -m generator`` in a subprocess, cwd = a scratch project.

Exit codes: 0 ok, 1 content or config errors (messages ``path:line: error: ...``, never a traceback), 2 usage.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

Cli = Callable[..., subprocess.CompletedProcess[str]]
Writer = Callable[..., Path]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int = 1) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


def add_papers(root: Path, paper_writer: Writer) -> None:
    paper_writer(
        root,
        "alpha-memory",
        {"title": "Alpha: Memory for Agents", "published": date(2026, 1, 5), "listed": date(2026, 2, 6)},
        "We study memory.",
    )
    paper_writer(
        root,
        "2601.00002",
        {
            "title": "Beta Vision",
            "arxiv": "2601.00002",
            "published": date(2026, 1, 6),
            "listed": date(2026, 2, 6),
            "upvotes": 4,
        },
        "Images and $x^2$.",
    )


@pytest.fixture
def site_project(project: Path, paper_writer: Writer) -> Path:
    add_papers(project, paper_writer)
    return project


# --- usage ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["ingest", "build", "serve"])
def test_help(project: Path, command: str, cli: Cli) -> None:
    result = cli(project, command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: papersite {command}")
    assert "--help" in result.stdout


def test_top_level_help_lists_commands(project: Path, cli: Cli) -> None:
    result = cli(project, "--help")
    assert result.returncode == 0
    for command in ("ingest", "build", "serve"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "the following arguments are required: COMMAND"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
        (("build", "--bogus"), "unrecognized arguments: --bogus"),
        (("ingest", "--date", "Feb 6"), "expected a date like 2026-02-06, got 'Feb 6'"),
        (("serve", "--port", "eighty"), "invalid int value: 'eighty'"),
    ],
)
def test_usage_errors_exit_2(project: Path, args: tuple[str, ...], message: str, cli: Cli) -> None:
    result = cli(project, *args)
    assert_clean_failure(result, 2)
    assert message in result.stderr
    assert "usage: papersite" in result.stderr


# --- config errors --------------------------------------------------------------------------------------------


def test_unknown_config_key_has_line_and_hint(site_project: Path, cli: Cli) -> None:
    toml = site_project / "site.toml"
    toml.write_text('titel = "Oops"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    result = cli(site_project, "build")
    assert_clean_failure(result)
    assert "site.toml:1: error: unknown key `titel`; did you mean `title`?" in result.stderr.splitlines()
    assert not (site_project / "site").exists()


def test_missing_base_url(site_project: Path, cli: Cli) -> None:
    toml = site_project / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('base_url = "https://example.org/"\n', ""))
    result = cli(site_project, "build")
    assert_clean_failure(result)
    assert "site.toml: error: missing required key `base_url`" in result.stderr
    # --base-url supplies it.
    assert cli(site_project, "build", "--base-url", "https://example.org/").returncode == 0


def test_bad_toml(site_project: Path, cli: Cli) -> None:
    toml = site_project / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[feeds\n", encoding="utf-8")
    lines = toml.read_text(encoding="utf-8").count("\n")
    result = cli(site_project, "build")
    assert_clean_failure(result)
    assert f"site.toml:{lines}: error: invalid TOML" in result.stderr


def test_missing_config_file(site_project: Path, cli: Cli) -> None:
    (site_project / "site.toml").unlink()
    result = cli(site_project, "build")
    assert_clean_failure(result)
    assert "site.toml: error: config file not found" in result.stderr


# --- content errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "broken.md",
            "---\ntitle: [unclosed\nslug: broken\n---\n\nBody\n",
            "content/papers/broken.md:3: error: invalid YAML front matter",
        ),
        ("open.md", "---\ntitle: T\n\nBody\n", "content/papers/open.md:1: error: front matter is not closed"),
        (
            "untitled.md",
            "---\nslug: untitled\n---\n\nBody\n",
            "content/papers/untitled.md:2: error: missing `title`",
        ),
        (
            "mismatch.md",
            "---\ntitle: T\nslug: other-name\n---\n\nBody\n",
            "content/papers/mismatch.md:3: error: `slug` 'other-name' must equal the file name `mismatch`",
        ),
    ],
)
def test_content_errors_name_file_and_line(site_project: Path, name: str, text: str, expected: str, cli: Cli) -> None:
    (site_project / "content" / "papers" / name).write_text(text, encoding="utf-8")
    result = cli(site_project, "build")
    assert_clean_failure(result)
    assert expected in result.stderr
    assert "site/ left as it was" in result.stderr


@pytest.mark.slow
def test_failed_build_leaves_previous_site_untouched(site_project: Path, cli: Cli, paper_writer: Writer) -> None:
    assert cli(site_project, "build").returncode == 0
    before = snapshot(site_project / "site")
    assert "index.html" in before
    paper_writer(site_project, "new-one", {"title": "New One"}, "Body.")
    (site_project / "content" / "papers" / "alpha-memory.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    result = cli(site_project, "build")
    assert_clean_failure(result)
    assert "content/papers/alpha-memory.md:" in result.stderr
    assert snapshot(site_project / "site") == before
    assert not (site_project / ".site.staging").exists()
    assert not (site_project / ".site.previous").exists()


def test_broken_content_stops_ingest(project: Path, cli: Cli) -> None:
    shutil.copy(FIXTURES / "hf-papers-search-memory.txt", project / "content" / "listings")
    (project / "content" / "papers" / "broken.md").write_text("---\ntitle: 'open\n---\n", encoding="utf-8")
    result = cli(project, "ingest")
    assert_clean_failure(result)
    assert "content/papers/broken.md:" in result.stderr and "error:" in result.stderr
    assert sorted(p.name for p in (project / "content" / "papers").iterdir()) == ["broken.md"]


# --- ingest ---------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_ingest_default_folder_then_build(project: Path, cli: Cli) -> None:
    shutil.copy(FIXTURES / "hf-papers-search-memory.txt", project / "content" / "listings")
    result = cli(project, "ingest")
    assert result.returncode == 0, result.stderr
    assert "content/listings/hf-papers-search-memory.txt:333: warning: " in result.stderr
    assert "ingested 59 entries from 1 listings: 59 papers, 59 files written" in result.stderr
    again = cli(project, "ingest")
    assert "59 papers, 0 files written" in again.stderr
    assert cli(project, "build").returncode == 0
    assert len(list((project / "site" / "papers").iterdir())) == 59


def test_ingest_date_option_overrides_inference(project: Path, cli: Cli) -> None:
    listing = project / "content" / "listings" / "seed.txt"
    shutil.copy(FIXTURES / "hf-papers-search-memory.txt", listing)
    result = cli(project, "ingest", "--date", "2027-02-06", "content/listings/seed.txt")
    assert result.returncode == 0, result.stderr
    text = (
        project
        / "content"
        / "papers"
        / "frugal-memory-efficient-optimization-by-reducing-state-overhead-for-scalable.md"
    )
    assert "listed: 2027-02-06" in text.read_text(encoding="utf-8")


def test_ingest_missing_path(project: Path, cli: Cli) -> None:
    result = cli(project, "ingest", "content/listings/nope.txt")
    assert_clean_failure(result)
    assert "content/listings/nope.txt: error: no such file or folder" in result.stderr


# --- strict ---------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_strict_turns_warnings_into_failures(site_project: Path, cli: Cli, paper_writer: Writer) -> None:
    paper_writer(site_project, "tagged", {"title": "Tagged", "topics": ["no-such-topic"]}, "Body.")
    relaxed = cli(site_project, "build")
    assert relaxed.returncode == 0, relaxed.stderr
    assert "content/papers/tagged.md: warning: unknown topic 'no-such-topic'" in relaxed.stderr
    before = snapshot(site_project / "site")
    strict = cli(site_project, "build", "--strict")
    assert_clean_failure(strict)
    assert "warning: unknown topic 'no-such-topic'" in strict.stderr
    assert snapshot(site_project / "site") == before


def test_strict_ingest(project: Path, cli: Cli) -> None:
    shutil.copy(FIXTURES / "hf-papers-search-memory.txt", project / "content" / "listings")
    result = cli(project, "ingest", "--strict")
    assert_clean_failure(result)
    assert ":333: warning: " in result.stderr


# --- base URL -------------------------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)


def test_base_url_with_sub_path_prefixes_every_internal_link(site_project: Path, cli: Cli) -> None:
    result = cli(site_project, "build", "--base-url", "https://user.github.io/repo/")
    assert result.returncode == 0, result.stderr
    site = site_project / "site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 5
    checked = 0
    for page in pages:
        if "pagefind" in page.parts:
            continue
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            if link.startswith(("https://user.github.io/", "http://user.github.io/")):
                assert link.startswith("https://user.github.io/repo/"), (page, link)
            elif link.startswith(("http://", "https://", "mailto:", "data:", "#")):
                continue
            else:
                assert link.startswith("/repo/"), f"{page.relative_to(site)}: {link!r}"
            checked += 1
    assert checked > 20
    assert "https://user.github.io/repo/sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")
    assert "<loc>https://user.github.io/repo/papers/alpha-memory/</loc>" in (site / "sitemap.xml").read_text(
        encoding="utf-8"
    )


def test_root_option(tmp_path: Path, cli: Cli, paper_writer: Writer, new_project: Callable[..., Path]) -> None:
    root = new_project(tmp_path / "elsewhere")
    add_papers(root, paper_writer)
    result = cli(tmp_path, "--root", "elsewhere", "build")
    assert result.returncode == 0, result.stderr
    assert (root / "site" / "papers" / "alpha-memory" / "index.html").is_file()
