"""``status/`` and ``status.json``: when the site was built, its newest listed day, each scrape source's last
attempts, each of the last days' papers (or why there were none) and the site's counts.

``status.json`` is the page's data for programs and for ``static/status.js``, which shows readers a banner when
the site has not been updated for ``freshness_days``: its keys are documented in the README and stay stable
(``version`` changes if one ever has to change meaning). These are the only outputs that carry the build time, so
a new build rewrites them and nothing else for it.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from generator.content.scrape_log import SCRAPE_LOG, Attempt
from generator.feeds.entries import site_feeds
from generator.render.pages import Renderer
from generator.site.status import REASONS, DayStatus, History, Status, site_status

STATUS_JSON = "status.json"
VERSION = 1
"""``status.json``'s ``version``."""
CHART_HEIGHT = 60
"""Height of the tallest bar of the papers-per-day chart, in SVG units."""


class Bar(NamedTuple):
    """One day's bar in the chart."""

    x: int
    height: int
    """0 for a day without papers (drawn as a marker)."""
    day: DayStatus


def status_of(r: Renderer, history: History) -> Status:
    """The status of the site ``r`` renders."""
    site = r.site
    return site_status(
        site.papers,
        history,
        site.now,
        freshness_days=site.config.freshness_days,
        topics=len(site.topics),
        feeds=len(site_feeds(site)),
    )


def chart_bars(status: Status) -> tuple[Bar, ...]:
    """The chart's bars, scaled so that the busiest day is ``CHART_HEIGHT`` tall (at least 2 for any papers)."""
    most = max((day.papers for day in status.days), default=0)
    return tuple(
        Bar(index * 8, max(2, round(day.papers * CHART_HEIGHT / most)) if day.papers else 0, day)
        for index, day in enumerate(status.days)
    )


def render_status(r: Renderer, history: History) -> None:
    """Queue ``status/`` and write ``status.json``."""
    status = status_of(r, history)
    r.page(
        "status.html",
        "status/",
        status=status,
        bars=chart_bars(status),
        chart_height=CHART_HEIGHT,
        log_path=SCRAPE_LOG.as_posix(),
        title="Status",
    )
    r.out.write(STATUS_JSON, status_json(status))


def status_json(status: Status) -> bytes:
    """``status.json``: see the README's table of its keys."""
    data = {
        "version": VERSION,
        "built_at": status.built_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "newest_listed_day": status.newest_listed.isoformat() if status.newest_listed else None,
        "freshness_days": status.freshness_days,
        "counts": {
            "papers": status.papers,
            "topics": status.topics,
            "feeds": status.feeds,
            "listings": status.listings_total,
        },
        "scrape_log": {"exists": status.log_exists, "attempts": status.log_lines},
        "sources": [
            {
                "source": source.source,
                "attempts": source.attempts,
                "last_attempt": _attempt(source.last_attempt),
                "last_success": _attempt(source.last_success),
            }
            for source in status.sources
        ],
        "listings": [
            {
                "file": listing.file,
                "papers": listing.papers,
                "newest_listed_day": listing.newest_listed.isoformat() if listing.newest_listed else None,
            }
            for listing in status.listings
        ],
        "days": [
            {
                "day": day.day.isoformat(),
                "papers": day.papers,
                "reason": day.reason,
                "why": REASONS[day.reason] if day.reason else None,
                "note": day.note,
            }
            for day in status.days
        ],
    }
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()


def _attempt(attempt: Attempt | None) -> dict[str, Any] | None:
    return attempt.as_json() if attempt is not None else None
