"""Messages for the maintainer: problems printed compiler style, and the closing summary of a build."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from generator.model import Problem

if TYPE_CHECKING:  # not imported at run time: `papersite ingest` never loads the build
    from generator.build import BuildResult


def report(problems: Sequence[Problem], strict: bool = False) -> int:
    """Print problems compiler style to stderr; return how many count as failures."""
    failures = 0
    for problem in problems:
        print(problem, file=sys.stderr)
        failures += problem.severity == "error" or strict
    return failures


def print_summary(result: BuildResult) -> None:
    """The closing lines of a successful build: pages written and the search index."""
    if result.up_to_date:
        print(
            f"site is up to date: {result.papers} papers, {result.pages} pages; nothing changed since the last build "
            f"(checked in {result.seconds:.2f}s)",
            file=sys.stderr,
        )
        return
    print(f"built {result.papers} papers, {result.pages} pages in {result.seconds:.2f}s", file=sys.stderr)
    if result.search:
        print(result.search, file=sys.stderr)
