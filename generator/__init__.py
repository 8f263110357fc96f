"""papersite: a static site generator and feed publisher for research-paper listings."""

__version__ = "0.1.0"
