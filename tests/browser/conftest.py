"""Browser-test fixtures: the real site built and served on 127.0.0.1, and Debian's Chromium driven by Playwright.

Every test in ``tests/browser/`` is marked ``browser`` automatically. Fixtures:

``site_at_root`` / ``site_at_subpath`` (session)
    The repository's own ``site.toml`` and ``content/papers`` built with the command line
    (``python -m generator build --out DIR --base-url URL``, clock pinned by ``SOURCE_DATE_EPOCH``) and served
    from a thread: at ``http://127.0.0.1:PORT/`` and at ``http://127.0.0.1:PORT/sub/path/``. The port is bound
    before the build so the base URL is known. The server is ``generator/httpserve.py``'s, as strict as GitHub
    Pages: a request outside the base path is a 404 (so a link that forgets the sub-path fails), ``a/`` serves
    ``a/index.html``, a missing file gets the site's ``404.html`` with status 404. Each is a :class:`Served`:
    ``.url("search/?q=x")``.
``site_sharded`` (session)
    The same site at the sub-path, its search index split into shards (``PAPERSITE_SEARCH_SHARDS`` lowered).
``site_with_own_card`` (session)
    A copy of the repository's site with its own ``templates/partials/paper_card.html`` (``OWN_CARD``), at the root.
``site_without_cards`` (session)
    A copy of the repository's site whose ``templates/paper.html`` leaves out the ``pagefind:card`` metadata (as a
    site that copied an older ``paper.html`` would), so its search results have no card to show, at the root.
``served`` (session, parametrised)
    Each of the two above in turn: a test that takes ``served`` runs once at the root and once under a sub-path.
``site_10k`` (session)
    The bench corpus of 10,000 papers (``bench/make_corpus.py``, ``PAPERSITE_SCALE_N`` to change the number) as
    content files, with the repository's ``site.toml`` and theme, built without a search index (``--no-search``) and
    served at ``/sub/path/``; with its project folder: ``(served, folder)``.
``browser`` (session)
    ``/usr/bin/chromium`` launched through Playwright's sync API (``playwright install`` cannot work here). Skips
    when Chromium is missing on a developer machine; fails under ``CI=true``, where browser tests must run.
``page`` (per test)
    A fresh browser context and page. Everything that goes wrong in it is collected in ``console`` (below).
``console`` (per test)
    A :class:`Console`: console errors and warnings, uncaught exceptions, Content-Security-Policy violations
    (from the ``securitypolicyviolation`` event, reported by a script Playwright injects outside the page's CSP)
    and HTTP responses >= 400. ``console.assert_clean()`` fails the test listing all of them.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from generator.content.document import dump_document
from generator.httpserve import site_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Response

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
"""Screenshots and other test output a person may want to look at (git-ignored)."""
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EPOCH = "1770422400"
"""2026-02-07T00:00:00Z, the day after the newest seed listing: builds are reproducible and freshness stays quiet."""
SUBPATH = "/sub/path/"

_REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def missing(what: str) -> None:
    """Skip on a developer machine, fail under CI: browser tests must never silently not run there."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI=true: browser tests must run)")
    pytest.skip(what)


@dataclass(frozen=True, slots=True)
class Served:
    """A built site served on 127.0.0.1."""

    directory: Path
    """The built site (what ``site/`` would hold)."""
    base_url: str
    """``http://127.0.0.1:PORT/`` or ``http://127.0.0.1:PORT/sub/path/``; the site was built with it."""

    @property
    def base_path(self) -> str:
        """``/`` or ``/sub/path/``."""
        return urlsplit(self.base_url).path

    def url(self, path: str = "") -> str:
        """Absolute URL of a site-relative path (``search/?q=x``)."""
        return self.base_url + path.lstrip("/")


OWN_CARD = (
    '<article class="my-card" data-slug="{{ paper.slug }}"><h2 class="card-title">'
    '<a href="{{ paper_path(paper.slug) | href }}">{{ paper.title | tex }}</a></h2>'
    '<p class="card-summary">{{ paper.abstract | tex_plain | plain(80) }}</p>\n'
    '  <p class="my-note">my own card</p>\n'
    "</article>\n"
)
"""The card template of ``site_with_own_card``."""


def scratch_project(folder: Path, templates: dict[str, str]) -> Path:
    """A copy of the repository's ``site.toml``, ``content/papers`` and ``themes/`` in ``folder``, with the site's
    own ``templates`` (path under ``templates/`` -> text)."""
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "site.toml", folder / "site.toml")
    shutil.copytree(ROOT / "content" / "papers", folder / "content" / "papers")
    shutil.copytree(ROOT / "themes", folder / "themes")
    for name, text in templates.items():
        target = folder / "templates" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder


def build_site(
    directory: Path,
    base_url: str,
    extra_env: dict[str, str] | None = None,
    project: Path = ROOT,
    options: Sequence[str] = (),
) -> None:
    """``python -m generator build`` of ``project`` (the repository's own content unless told) into ``directory``,
    with ``options`` added (``--no-search``); fails the test on errors."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAPERSITE_")}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    env.update(extra_env or {})
    command = [sys.executable, "-m", "generator", "build", "--out", str(directory), "--base-url", base_url, *options]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        pytest.fail(f"site build failed (exit {done.returncode}):\n{done.stderr}")


def serve_built_site(
    tmp: Path, prefix: str, extra_env: dict[str, str] | None = None, project: Path = ROOT, options: Sequence[str] = ()
) -> Iterator[Served]:
    """Bind a port (it goes into ``base_url``), build ``project`` into ``tmp/site`` (``extra_env`` added to the
    build's environment, ``options`` to its command), serve it until the session ends."""
    directory = tmp / "site"
    server = site_server(directory, prefix)
    try:
        base_url = f"http://127.0.0.1:{server.server_address[1]}{prefix}"
        build_site(directory, base_url, extra_env, project, options)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield Served(directory, base_url)
        server.shutdown()
    finally:
        server.server_close()


@pytest.fixture(scope="session")
def site_at_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The site built for and served at ``http://127.0.0.1:PORT/``."""
    yield from serve_built_site(tmp_path_factory.mktemp("browser-root"), "/")


@pytest.fixture(scope="session")
def site_at_subpath(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The site built for and served at ``http://127.0.0.1:PORT/sub/path/`` (a project-pages style base)."""
    yield from serve_built_site(tmp_path_factory.mktemp("browser-subpath"), SUBPATH)


@pytest.fixture(scope="session")
def site_sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The site at ``/sub/path/`` with its search index split into shards (``generator/search/shards.py``; the
    limits lowered so that the repository's papers make several)."""
    env = {"PAPERSITE_SEARCH_SHARDS": "10,15"}
    yield from serve_built_site(tmp_path_factory.mktemp("browser-sharded"), SUBPATH, env)


@pytest.fixture(scope="session")
def site_with_own_card(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The site with its own ``templates/partials/paper_card.html`` (``OWN_CARD``)."""
    tmp = tmp_path_factory.mktemp("browser-own-card")
    project = scratch_project(tmp / "project", {"partials/paper_card.html": OWN_CARD})
    yield from serve_built_site(tmp, "/", project=project)


@pytest.fixture(scope="session")
def site_without_cards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The site with a ``templates/paper.html`` that does not put the card in the search index."""
    tmp = tmp_path_factory.mktemp("browser-no-cards")
    theirs = (ROOT / "themes" / "default" / "templates" / "paper.html").read_text(encoding="utf-8")
    older = "".join(line for line in theirs.splitlines(keepends=True) if 'name="pagefind:card"' not in line)
    assert older != theirs
    project = scratch_project(tmp / "project", {"paper.html": older})
    yield from serve_built_site(tmp, "/", project=project)


@pytest.fixture(scope="session")
def site_10k(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    """The bench corpus as content files, built without a search index and served at ``/sub/path/``."""
    sys.path.insert(0, str(ROOT / "bench"))
    import make_corpus
    import project as bench_project
    import run as bench_run

    tmp = tmp_path_factory.mktemp("browser-10k")
    folder = tmp / "project"
    papers = folder / "content" / "papers"
    papers.mkdir(parents=True)
    n = int(os.environ.get("PAPERSITE_SCALE_N", "10000"))
    for record in make_corpus.generate(n, bench_run.SEED, make_corpus.DEFAULT_SEED_FILE):
        make_corpus.write_papersite(record, str(papers))
    shutil.copy(ROOT / "site.toml", folder / "site.toml")
    (folder / "themes").symlink_to(ROOT / "themes", target_is_directory=True)
    env = {"SOURCE_DATE_EPOCH": bench_project.EPOCH}
    for served in serve_built_site(tmp, SUBPATH, env, folder, ["--no-search"]):
        yield served, folder


TOPIC_WORDS = {
    "robots": "robot grasping manipulation gripper locomotion legged arm torque actuator tactile",
    "proteins": "protein folding enzyme amino residue binding molecular structure ligand docking",
    "speech": "speech audio acoustic phoneme speaker waveform spectrogram prosody voice asr",
}
SHARED = "we study a method with experiments and results on a benchmark dataset model training evaluation"


def topic_corpus(root: Path) -> Path:
    """A project of 90 papers listed over the last 30 days, 30 per topic, each abstract drawn mostly from its
    topic's words; ``[[topics]]`` rules name each topic's first word."""
    rng = random.Random(7)
    (root / "content" / "papers").mkdir(parents=True)
    shutil.copytree(ROOT / "themes", root / "themes")
    toml = ['base_url = "https://example.org/"', 'title = "Topic corpus"', "freshness_days = 3650"]
    for slug, words in TOPIC_WORDS.items():
        toml += ["[[topics]]", f'slug = "{slug}"', f'name = "{slug.title()}"', f'include = ["{words.split()[0]}"]']
    (root / "site.toml").write_text("\n".join(toml) + "\n", encoding="utf-8")
    newest = date(2026, 2, 6)
    for i in range(90):
        topic = list(TOPIC_WORDS)[i % 3]
        words = TOPIC_WORDS[topic].split()
        body = [words[0]] + [rng.choice(words) if rng.random() < 0.6 else rng.choice(SHARED.split()) for _ in range(60)]
        title = f"{topic.title()} study {i}: " + " ".join(rng.sample(words, 3))
        meta = {"title": title, "listed": newest - timedelta(days=i % 30)}
        path = root / "content" / "papers" / f"{topic}-{i:03d}.md"
        path.write_text(dump_document(meta, " ".join(body) + "."), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def topic_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``topic_corpus`` built and served at ``/sub/path/``: the "for you" page's test corpus."""
    tmp = tmp_path_factory.mktemp("browser-topics")
    yield from serve_built_site(tmp, "/sub/path/", project=topic_corpus(tmp / "project"))


DAYS_NEWEST = date(2026, 2, 6)
"""The newest listed day of ``site_with_days`` (the day before the builds' SOURCE_DATE_EPOCH)."""
DAYS_PER_DAY = 5


def spread_listed_days(papers: Path) -> None:
    """Give the papers of ``papers`` (a copy of content/papers) listed days: the five published last on DAYS_NEWEST, the
    five before them a day earlier, and so on."""
    files = sorted(papers.glob("*.md"))
    published = {f: re.search(r"^published: (.+)$", f.read_text(encoding="utf-8"), re.M) for f in files}
    order = sorted(files, key=lambda f: (str(published[f].group(1)) if published[f] else "", f.name), reverse=True)
    for index, file in enumerate(order):
        day = DAYS_NEWEST - timedelta(days=index // DAYS_PER_DAY)
        text = file.read_text(encoding="utf-8")
        text, found = re.subn(r"^listed: .*$", f"listed: {day.isoformat()}", text, count=1, flags=re.M)
        assert found == 1, file
        file.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session", params=["/", "/sub/path/"], ids=["root", "subpath"])
def site_with_days(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The repository's site with its papers listed over several days (``spread_listed_days``), at the root or at
    ``/sub/path/``: what "new since the previous visit" needs."""
    tmp = tmp_path_factory.mktemp("browser-days")
    project = scratch_project(tmp / "project", {})
    spread_listed_days(project / "content" / "papers")
    yield from serve_built_site(tmp, request.param, project=project)


@pytest.fixture(scope="session", params=["root", "subpath"])
def served(request: pytest.FixtureRequest) -> Served:
    """The site at the root, then under a sub-path: tests using this run twice."""
    site: Served = request.getfixturevalue(f"site_at_{request.param}")
    return site


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright."""
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} not found: apt-get install chromium (.ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed: run `make test` (it installs the test extra)")
        raise
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Console:
    """What went wrong in one page: console errors/warnings, exceptions, CSP violations, failed responses."""

    messages: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            where = message.location.get("url", "")
            self.messages.append(f"console.{message.type}: {message.text} ({where})")

    def on_page_error(self, error: Exception) -> None:
        self.messages.append(f"uncaught: {error}")

    def on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.messages.append(f"HTTP {response.status}: {response.url}")

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "CSP violation" in m or "Content Security Policy" in m]

    def assert_clean(self) -> None:
        assert not self.messages, "problems in the browser:\n" + "\n".join(self.messages)


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser: Browser, console: Console) -> Iterator[Page]:
    """A fresh context and page (1280x900, light scheme) reporting into ``console``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    context.add_init_script(_REPORT_CSP)
    tab = context.new_page()
    tab.on("console", console.on_console)
    tab.on("pageerror", console.on_page_error)
    tab.on("response", console.on_response)
    yield tab
    context.close()
