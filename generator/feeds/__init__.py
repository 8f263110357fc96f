"""Machine-readable outputs: RSS, Atom and JSON Feed for the site, each topic and the digest, OPML, and the
sitemap.

Imports: the core modules, ``text``, ``incremental`` and ``site``.
"""
