"""Content files: ``content/papers/<slug>.md`` as documents (front matter + abstract), their fields, and the
``Paper`` record they load into. Shared by ingest (which writes them) and the site (which reads them).

Imports: the core modules (``model``, ``config``, ``urls``, ``clock``) only.
"""
