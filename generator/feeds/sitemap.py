"""``sitemap.xml`` and ``robots.txt``."""

from __future__ import annotations

from html import escape

from generator.incremental.output import Output
from generator.site.assemble import Site
from generator.urls import output_file, paper_path


def write_sitemap(site: Site, out: Output) -> None:
    """``sitemap.xml`` for every HTML page written so far (not 404), and ``robots.txt`` pointing at it."""
    lastmod = {output_file(paper_path(p.slug)): p.updated or p.listed for p in site.papers}
    rows = []
    for file in sorted(out.files):
        if not file.endswith("index.html"):
            continue
        url = site.urls.absolute(file[: -len("index.html")])
        day = lastmod.get(file)
        stamp = f"<lastmod>{day.isoformat()}</lastmod>" if day else ""
        rows.append(f"<url><loc>{escape(url, quote=False)}</loc>{stamp}</url>")
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows) + "\n</urlset>\n"
    )
    out.write("sitemap.xml", xml)
    out.write("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {site.urls.absolute('sitemap.xml')}\n")
