"""The package's layout is a rule, not a convention: wings in layers, small modules, documented.

Every module under voiceguide/ is either a shared leaf at the root or belongs to
a wing (a subpackage). A leaf imports only other leaves; a wing imports the
leaves, itself and the wings below it (WINGS, lowest first); so there is no
cycle between wings. Imports are read from the source (AST), inside functions
too, without importing anything. Each module stays under MAX_LINES, each wing's
docstring names its modules, and README.md's and docs/design.md's layout
sections list exactly the modules there are.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from repo import REPO

PACKAGE = REPO / "voiceguide"
WINGS = ["words", "sound", "files", "session", "programs", "serve", "studio", "cli"]  # lowest first (docs/design.md)
MAX_LINES = 500
# Writers of one format each; export.py and tracks.py orchestrate them (docs/design.md, "Layout").
WRITERS = {"files.encode", "files.tags", "files.sidecars", "files.script"}


def modules() -> dict[str, Path]:
    """'words.timeline', 'errors', ... -> path; package __init__ files as the package's name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if "data" in parts[:1] or parts == ("__init__",):
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def unit(module: str) -> str:
    """The wing a module belongs to, or 'leaf' for a shared module at the root."""
    head = module.split(".")[0]
    if head == "__main__":
        return "cli"  # `python -m voiceguide` is the command line
    return head if head in WINGS else "leaf"


def imports(path: Path, known: set[str]) -> set[str]:
    """The voiceguide modules a file imports (a name imported from a package counts as its module when it is one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        else:
            continue
        for name in names:
            if name.startswith("voiceguide."):
                inner = name.removeprefix("voiceguide.")
                while inner and inner not in known:
                    inner = inner.rpartition(".")[0]
                if inner:
                    found.add(inner)
    return found


MODULES = modules()
GRAPH = {name: imports(path, set(MODULES)) - {name} for name, path in MODULES.items()}


def test_the_wings_are_the_subpackages_there_are():
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")} - {"data"}
    assert packages == set(WINGS)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_upward(module):
    here = unit(module)
    for target in GRAPH[module]:
        there = unit(target)
        if here == "leaf":
            assert there == "leaf", f"{module} is a shared leaf but imports the {there} wing ({target})"
        elif there != "leaf":
            assert WINGS.index(there) <= WINGS.index(here), f"{module} ({here}) imports {target} from above"


def test_no_import_cycle_between_modules():
    # Tarjan would name every cycle; one found is enough to fail.
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join(path[path.index(nxt) :] + [nxt]))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(GRAPH):
        if node not in state:
            visit(node, [node])


def test_no_writer_imports_another_writer():
    for writer in sorted(WRITERS):
        assert writer in MODULES
        assert not GRAPH[writer] & (WRITERS - {writer}), writer


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_is_small(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines < MAX_LINES, f"{module}: {lines} lines; split it by job (docs/design.md, 'Layout')"


@pytest.mark.parametrize("wing", WINGS)
def test_each_wing_says_what_it_owns_and_may_import(wing):
    doc = ast.get_docstring(ast.parse((PACKAGE / wing / "__init__.py").read_text(encoding="utf-8"))) or ""
    assert "May import" in doc, wing
    own = {m.split(".", 1)[1] for m in MODULES if m.startswith(wing + ".")}
    named = set(re.findall(r"`(\w+)`", doc))
    assert own <= named, f"{wing}/__init__.py does not name {sorted(own - named)}"


def documented_layout(text: str) -> set[str]:
    """Modules a layout section lists: lines '- `voiceguide/`: `a.py`, ...' and '- `voiceguide/words/`: ...'."""
    listed = set()
    for line in re.findall(r"^- `voiceguide/(?:(\w+)/)?`:(.*(?:\n  .*)*)", text, re.M):
        wing, rest = line
        for name in re.findall(r"`(\w+)\.py`", rest):
            listed.add(f"{wing}.{name}" if wing else name)
    return listed


def _listable() -> set[str]:
    return {m for m, p in MODULES.items() if p.name != "__init__.py"}


@pytest.mark.parametrize("document", ["README.md", "docs/design.md"])
def test_the_layout_documented_is_the_layout_there_is(document):
    listed = documented_layout((REPO / document).read_text(encoding="utf-8"))
    there = _listable()
    assert not there - listed, f"{document} misses {sorted(there - listed)}"
    assert not listed - there, f"{document} names modules that do not exist: {sorted(listed - there)}"
