"""ARCHITECTURE.md stays true: every test it names as the guard of an invariant exists, and it names every stage."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")


def test_every_named_guard_exists() -> None:
    """References read `test_x.py`, `test_x.py::test_y`, and `::test_z` for another test of the file just named."""
    missing, file, count = [], "", 0
    for match in re.finditer(r"`(test_\w+\.py)?(?:::(\w+))?`", DOC):
        file, test = match.group(1) or file, match.group(2)
        if not match.group(0).strip("`"):
            continue
        count += 1
        path = REPO / "tests" / file
        if not path.is_file():
            missing.append(file)
        elif test and test not in {
            n.name for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.FunctionDef)
        }:
            missing.append(f"{file}::{test}")
    assert count > 20
    assert not missing, f"ARCHITECTURE.md names tests that do not exist: {missing}"


def test_every_stage_is_described() -> None:
    stages = [p.name for p in (REPO / "generator").iterdir() if (p / "__init__.py").is_file()]
    assert stages
    for stage in stages:
        assert f"| `{stage}/` |" in DOC, f"ARCHITECTURE.md does not describe generator/{stage}/"


def test_every_module_is_placed_in_a_stage() -> None:
    """A reader can tell, for any file, which stage it belongs to: each module is named in the stage table (the
    listing formats as ``formats/``)."""
    modules = [
        file
        for file in sorted((REPO / "generator").rglob("*.py"))
        if file.name not in ("__init__.py", "__main__.py") and file.parent.name != "formats"
    ]
    assert modules
    unnamed = [str(file.relative_to(REPO)) for file in modules if f"`{file.name}`" not in DOC]
    assert not unnamed, f"ARCHITECTURE.md does not place these modules in a stage: {unnamed}"
