"""The site as data: content files loaded into papers, topics resolved, the related papers computed, all
assembled into the frozen ``Site`` that every writer reads.

Imports: the core modules, ``content`` and ``incremental``.
"""
