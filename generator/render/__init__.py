"""HTML pages: the theme's Jinja2 environment, one ``render_*`` function per page family, the paper cards,
pagination, template filters, and the page queue that renders on every core and reuses unchanged pages.

Imports: the core modules, ``content``, ``text``, ``incremental``, ``site`` and ``feeds``.
"""
