"""What "now" is: ``SOURCE_DATE_EPOCH`` when it is set (reproducible runs and tests), else the clock."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, date, datetime


def build_time() -> datetime:
    """ "Now": ``SOURCE_DATE_EPOCH`` when set, else the clock. Used for checks (freshness), never written
    into output, so output bytes depend on content alone."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def today() -> date:
    """The day of ``build_time()``."""
    return build_time().date()


def day_argument(text: str) -> date:
    """A day given on the command line (``--date 2026-02-06``), as an ``argparse`` type."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-02-06, got {text!r}") from None
