"""Ingest: listing files (``content/listings/*``) become content files, merged and deduplicated; the scraper that
fetches listings; one parser module per listing format (``formats/``).

Imports: the core modules and ``content``. Nothing on the build side imports this package.
"""
