"""Themes: ``themes/<name>/templates`` + ``static``, optionally ``extends`` another theme (``theme.toml``).

Template lookup is a precedence list: the site's own ``templates/`` folder, then the theme, then its parents.
A child reaches a parent template explicitly as ``"<parent>/base.html"``.
"""

from __future__ import annotations

import contextlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator.incremental.output import Output
from generator.model import Problem


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    chain: tuple[tuple[str, Path], ...]
    """(name, folder) from the theme itself up to its root parent."""
    overrides: Path | None
    """The site's own ``templates/`` folder, searched first, when it exists."""

    def environment(self) -> jinja2.Environment:
        """Autoescaping, strict Jinja2 environment over the lookup chain."""
        dirs = [str(folder / "templates") for _, folder in self.chain]
        if self.overrides is not None:
            dirs.insert(0, str(self.overrides))
        loader = jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(dirs),
                jinja2.PrefixLoader(
                    {name: jinja2.FileSystemLoader(str(folder / "templates")) for name, folder in self.chain}
                ),
            ]
        )
        return jinja2.Environment(
            loader=loader,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def folders(self) -> list[Path]:
        """Every folder the theme reads: the site's own ``templates/`` (when present), then the theme chain."""
        return ([self.overrides] if self.overrides is not None else []) + [folder for _, folder in self.chain]

    def static_dirs(self) -> list[Path]:
        """Static folders, root parent first so children overwrite."""
        return [folder / "static" for _, folder in reversed(self.chain) if (folder / "static").is_dir()]


def load_theme(root: Path, name: str, config_path: str = "site.toml") -> tuple[Theme | None, list[Problem]]:
    """Resolve ``name`` and its ``extends`` chain under ``root/themes``."""
    chain: list[tuple[str, Path]] = []
    current: str | None = name
    while current is not None:
        folder = root / "themes" / current
        where = f"themes/{current}/theme.toml"
        if not (folder / "templates").is_dir():
            available = (
                sorted(p.name for p in (root / "themes").iterdir() if p.is_dir()) if (root / "themes").is_dir() else []
            )
            source = config_path if not chain else f"themes/{chain[-1][0]}/theme.toml"
            return None, [
                Problem(
                    source,
                    0,
                    "error",
                    f"theme {current!r} not found (no themes/{current}/templates/); "
                    f"available: {', '.join(available) or 'none'}",
                )
            ]
        if any(seen == current for seen, _ in chain):
            return None, [Problem(where, 0, "error", f"theme {current!r} extends itself in a loop")]
        chain.append((current, folder))
        current = None
        if (folder / "theme.toml").is_file():
            try:
                data = tomllib.loads((folder / "theme.toml").read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
                return None, [Problem(where, 0, "error", f"invalid theme.toml: {exc}")]
            unknown = set(data) - {"extends", "name", "description"}
            if unknown:
                return None, [
                    Problem(where, 0, "error", f"unknown key(s) {', '.join(sorted(unknown))}; known: extends")
                ]
            parent = data.get("extends")
            if parent is not None and not isinstance(parent, str):
                return None, [Problem(where, 0, "error", "`extends` must be a theme name")]
            current = parent
    overrides = root / "templates"
    return Theme(name, tuple(chain), overrides if overrides.is_dir() else None), []


def template_problem(exc: jinja2.TemplateError, root: Path) -> Problem:
    """A template failure as ``themes/x/templates/y.html:LINE: error: ...`` (never a traceback)."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None) or 0
    if filename is None:
        tb = exc.__traceback__
        while tb is not None:  # Jinja rewrites tracebacks so template frames carry template lines
            if tb.tb_frame.f_code.co_filename.endswith((".html", ".xml", ".txt")):
                filename, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
            tb = tb.tb_next
    where = filename or "themes"
    with contextlib.suppress(ValueError):
        where = str(Path(where).resolve().relative_to(root.resolve()))
    kind = "template syntax error" if isinstance(exc, jinja2.TemplateSyntaxError) else "template error"
    return Problem(where, line, "error", f"{kind}: {exc.message or exc}")


def copy_static(theme: Theme, out: Output) -> None:
    """The theme's static files into ``static/``, parents first so a child theme's files win (through ``out``:
    never in place)."""
    files: dict[str, Path] = {}
    for folder in theme.static_dirs():
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            files[(Path("static") / file.relative_to(folder)).as_posix()] = file
    for path, file in files.items():
        out.copy(file, path)
