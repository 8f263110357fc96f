"""Text rendering shared by pages and feeds: Markdown to HTML, LaTeX math to MathML, plain text.

Imports: nothing of papersite's but the core modules.
"""
