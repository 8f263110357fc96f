"""The package's shape (ARCHITECTURE.md): no import cycle between modules, in ``generator/``, ``bench/``, ``tools/``
and ``fuzz/``; and a stage of ``generator/`` imports only from the stages below it.

Imports are read with ``ast``, every one of them: at the top of a module, inside a function, under
``TYPE_CHECKING``. An import moved into a function still counts, so a cycle cannot be hidden that way."""

from __future__ import annotations

import ast
import graphlib
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "generator"

COMMANDS = "commands"
CORE = "core"
STAGES: dict[str, frozenset[str]] = {
    CORE: frozenset(),
    "content": frozenset({CORE}),
    "text": frozenset({CORE}),
    "incremental": frozenset({CORE}),
    "ingest": frozenset({CORE, "content", "incremental"}),
    "site": frozenset({CORE, "content", "incremental"}),
    "search": frozenset({CORE, "incremental"}),
    "feeds": frozenset({CORE, "content", "text", "incremental", "site"}),
    "desk": frozenset({CORE, "content", "text", "incremental", "site"}),
    "render": frozenset({CORE, "content", "text", "incremental", "site", "feeds", "desk"}),
    COMMANDS: frozenset(
        {CORE, "content", "text", "incremental", "ingest", "site", "search", "feeds", "desk", "render"}
    ),
}
"""Each stage and the stages it may import from (ARCHITECTURE.md draws the same picture)."""
COMMAND_MODULES = frozenset({"cli", "console", "build", "serve", "httpserve", "__main__"})
"""The top-level modules that drive the stages or serve what they built; every other top-level module is the core
all stages share."""


def module_name(file: Path, root: Path, package: str | None) -> str:
    parts = list(file.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts] if package else parts)


def imported(tree: ast.AST, known: set[str], current: str) -> Iterator[str]:
    """The modules of ``known`` that ``tree`` imports (``from a import b`` counts ``a.b`` when it is a module)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(current.split(".")[: -node.level] + ([base] if base else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:  # ``import a.b.c`` of a package reaches its deepest known module
                name = name.rpartition(".")[0]
            if name and name != current:
                yield name


def import_graph(root: Path, package: str | None) -> dict[str, set[str]]:
    """Module -> the modules (of the same tree) it imports."""
    files = {module_name(file, root, package): file for file in sorted(root.rglob("*.py")) if "out" not in file.parts}
    known = set(files)
    return {
        name: set(imported(ast.parse(file.read_text(encoding="utf-8")), known, name)) for name, file in files.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


def stage_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()):
        return parts[1]
    if len(parts) == 2 and parts[1] in COMMAND_MODULES:
        return COMMANDS
    return CORE


@pytest.mark.parametrize(
    ("folder", "package"), [("generator", "generator"), ("bench", None), ("tools", None), ("fuzz", None)]
)
def test_no_import_cycle_between_modules(folder: str, package: str | None) -> None:
    graph = import_graph(REPO / folder, package)
    assert graph, f"no modules found under {folder}/"
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph) or ())}"


def test_every_subpackage_is_a_known_stage() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert folders == set(STAGES) - {CORE, COMMANDS}


def test_stages_form_no_cycle() -> None:
    assert find_cycle({stage: set(below) for stage, below in STAGES.items()}) is None


def test_a_stage_imports_only_from_the_stages_below_it() -> None:
    wrong = []
    for module, targets in sorted(import_graph(PACKAGE, "generator").items()):
        stage = stage_of(module)
        for target in sorted(targets):
            other = stage_of(target)
            if other != stage and other not in STAGES[stage]:
                wrong.append(f"{module} ({stage}) imports {target} ({other})")
    assert not wrong, "imports against the stage order of ARCHITECTURE.md:\n" + "\n".join(wrong)


def test_the_checks_see_a_cycle_and_a_wrong_stage(tmp_path: Path) -> None:
    """The walk finds an import hidden inside a function, and a relative one."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("def f():\n    import pkg.b\n")
    (tmp_path / "pkg" / "b.py").write_text("from . import a\n")
    assert find_cycle(import_graph(tmp_path / "pkg", "pkg")) == ["pkg.a", "pkg.b", "pkg.a"] or find_cycle(
        import_graph(tmp_path / "pkg", "pkg")
    ) == ["pkg.b", "pkg.a", "pkg.b"]
    assert stage_of("generator.site.load") == "site"
    assert stage_of("generator.build") == COMMANDS
    assert stage_of("generator.model") == CORE
