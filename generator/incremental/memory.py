"""Garbage-collection tuning for a build, in one place. A build keeps millions of objects alive to its end (the
content, its cache, the site), and each full collection would walk them all again: ``build()`` runs inside
``frozen``, makes what it keeps inside ``lasting``, and (un)pickles inside ``collection_paused``."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """Leave every object alive now out of garbage collection until the block ends (``gc.freeze``): a collection of
    the oldest generation walks every object, and a build's content, cache and site (millions of objects on a large
    site, all alive to the end) would be walked again by each. Objects are still freed by reference counting.
    Nested blocks thaw nothing: the outermost one thaws everything at its end (``gc.unfreeze``)."""
    outermost = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if outermost:
            gc.unfreeze()


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No garbage collection in the block, for code that makes containers by the hundred thousand and keeps them
    (unpickling a cache) or keeps them until it ends (pickling: the pickler's memo holds them): each collection
    they trigger walks them again, and the full ones all of them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def lasting() -> Iterator[None]:
    """For a block that makes what the build keeps to its end (the content and its cache, the site): no garbage
    collection while it runs (``collection_paused``), and what it made is then left out of every later collection
    (``gc.freeze``; the outermost ``frozen`` block thaws it)."""
    with collection_paused():
        yield
    gc.freeze()
