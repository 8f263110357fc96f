"""The search index: Pagefind run over the written paper pages, split into shards on large sites.

Imports: the core modules and ``incremental``. It reads the pages as written, never the ``Site``.
"""
