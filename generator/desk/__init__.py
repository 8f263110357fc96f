"""The reader's desk, as the build prepares it: a BibTeX entry per paper (``bibtex.py``), a compact vector per
paper for the "for you" recommendations (``vectors.py``), and the files the browser's desk script reads
(``files.py``: ``cite.bib`` and ``desk.json`` beside each paper page, and the recent window's vectors).

Everything a reader saves stays in their browser (``themes/default/static/desk.js``); the build only publishes.

Imports: the core modules, ``content``, ``text``, ``incremental`` and ``site``.
"""
