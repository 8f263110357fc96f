"""Command line: ``papersite ingest|build|serve|scrape``. Exit codes: 0 ok, 1 content or config errors, 2 usage."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.clock import day_argument
from generator.console import print_summary, report


def cmd_ingest(args: argparse.Namespace) -> int:
    from generator.config import POPULAR_UPVOTES, load_config
    from generator.content.paths import display_path
    from generator.ingest.ledger import ledger_path
    from generator.ingest.listings import find_listings
    from generator.ingest.merge import ingest

    root = Path(args.root)
    popular = POPULAR_UPVOTES  # [feeds] popular_upvotes: ingest dates when a paper reached it (popular_since)
    if (root / "site.toml").exists():
        config, config_problems = load_config(root / "site.toml", display=display_path(root / "site.toml"))
        if config is None:
            report(config_problems, args.strict)
            return 1
        popular = config.popular_upvotes
    paths = [Path(p) for p in args.paths] or [root / "content" / "listings"]
    files, problems = find_listings(paths)
    result = ingest(
        files, root / "content" / "papers", args.date, ledger=ledger_path(root), full=args.full, popular=popular
    )
    failures = report([*problems, *result.problems], args.strict)
    new = "" if result.full else "new "
    print(
        f"ingested {result.entries} entries from {result.listings} {new}listings: "
        f"{result.papers} papers, {len(result.written)} files written",
        file=sys.stderr,
    )
    return 1 if failures else 0


def cmd_build(args: argparse.Namespace) -> int:
    from generator.build import build

    result = build(
        Path(args.root),
        base_url=args.base_url,
        strict=args.strict,
        out_dir=Path(args.out) if args.out else None,
        use_cache=not args.no_cache,
        search=not args.no_search,
        jobs=args.jobs,
    )
    failures = report(result.problems, args.strict)
    if not result.ok:
        print(f"build failed with {failures} problem(s); site/ left as it was", file=sys.stderr)
        return 1
    print_summary(result)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.serve import serve

    return serve(Path(args.root), host=args.host, port=args.port, watch=not args.no_watch, base_url=args.base_url)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="papersite", description="Static site and feeds for research-paper listings.")
    parser.add_argument("--version", action="version", version=f"papersite {__version__}")
    parser.add_argument("--root", default=".", help="project folder (default: the current folder)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = sub.add_parser(
        "ingest",
        help="turn listings into content/papers/*.md",
        description="Parse listings (default: content/listings/) and merge them into "
        "content/papers/, one Markdown file per paper. Idempotent; hand edits survive.",
    )
    ingest.add_argument("paths", nargs="*", metavar="PATH", help="listing files or folders")
    ingest.add_argument(
        "--date", type=day_argument, help="the listing's own date (YYYY-MM-DD), when not in its file name"
    )
    ingest.add_argument("--strict", action="store_true", help="treat warnings as errors")
    ingest.add_argument(
        "--full",
        action="store_true",
        help="read every listing and content file (default: only new listings and the files they touch, when "
        "nothing else changed since the last ingest)",
    )
    ingest.set_defaults(func=cmd_ingest)

    build = sub.add_parser(
        "build",
        help="build site/ from content/, the theme and site.toml",
        description="Build the site into site/ atomically: a failed build leaves it untouched.",
    )
    build.add_argument("--base-url", help="override base_url from site.toml (e.g. https://user.github.io/repo/)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--out", help="output folder (default: site/)")
    build.add_argument("--no-cache", action="store_true", help="ignore every cache: parse, render and index all")
    build.add_argument("--no-search", action="store_true", help="skip the search index (for benchmarks, previews)")
    build.add_argument("--jobs", type=int, metavar="N", help="processes that render pages (default: every core)")
    build.set_defaults(func=cmd_build)

    serve = sub.add_parser(
        "serve",
        help="build, serve on 127.0.0.1 and rebuild on changes",
        description="Build, serve site/ on 127.0.0.1, watch content/, themes/ and site.toml, "
        "rebuild and reload the browser on changes.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--base-url", help="override base_url (default: http://HOST:PORT/)")
    serve.add_argument("--no-watch", action="store_true", help="serve without watching for changes")
    serve.set_defaults(func=cmd_serve)

    from generator.ingest import scrape as scrape_cmd

    scrape = sub.add_parser(
        "scrape",
        help="save HF daily papers, HF searches and arXiv categories into content/listings/",
        description="Fetch every source of site.toml's [[sources]] (or the one --hf, --arxiv or --query names), "
        "politely (rate limit, retries; arXiv at most once every 3 s), and save each answer atomically as "
        "content/listings/hf-daily-YYYY-MM-DD.json, arxiv-CATS-YYYY-MM-DD.xml or hf-search-QUERY-YYYY-MM-DD.json. "
        "One source failing does not stop the others; the exit status is 1 if any failed.",
    )
    scrape_cmd.add_arguments(scrape)
    scrape.set_defaults(func=scrape_cmd.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


def run() -> None:
    """The ``papersite`` command: ``main``, then exit at once. Every file is written and closed by then; what the
    interpreter would still do is free the build's objects one by one (every paper, page fingerprint and cache
    entry), which takes time in proportion to the site. Background deletions of old output stop here as they would
    at any exit; the next build finishes them."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe
        code = code or 1
    os._exit(code)
