"""The package layout holds: no import cycle between modules, no module importing another package's
`_private` names, and every package's `__all__` resolves to a real object."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "shopwarden"


def _modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module under root (migrations excluded)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.relative_to(root).parts:
            continue
        parts = path.relative_to(root.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _package_of(name: str, modules: dict[str, Path]) -> str:
    return name if modules[name].name == "__init__.py" else name.rpartition(".")[0]


def _imports(path: Path, modules: dict[str, Path]) -> list[tuple[str, str]]:
    """(module imported, name imported) for every shopwarden import that runs: function-level imports
    count, `if TYPE_CHECKING:` blocks do not. An imported submodule counts as the module."""
    found: list[tuple[str, str]] = []

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                walk(ast.Module(body=child.orelse, type_ignores=[]))
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, "") for alias in child.names if alias.name.startswith("shopwarden"))
            elif isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("shopwarden"):
                for alias in child.names:
                    submodule = f"{child.module}.{alias.name}"
                    found.append((submodule, "") if submodule in modules else (child.module, alias.name))
            walk(child)

    walk(ast.parse(path.read_text(encoding="utf-8")))
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules it imports, each import also reaching the packages Python runs first
    (importing `a.b.c` runs `a/b/__init__.py`), except the importer's own packages."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target, _ in _imports(path, modules):
            parts = target.split(".")
            for depth in range(2, len(parts) + 1):
                prefix = ".".join(parts[:depth])
                if prefix in modules and prefix != name and not name.startswith(prefix + "."):
                    graph[name].add(prefix)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def private_imports(root: Path) -> list[str]:
    """`importer: module.name` for each `_private` module or name imported from another package."""
    modules = _modules(root)
    found = []
    for name, path in modules.items():
        own = _package_of(name, modules)
        for target, imported in _imports(path, modules):
            private = imported.startswith("_") or any(p.startswith("_") for p in target.split(".")[1:])
            theirs = _package_of(target, modules) if target in modules else target
            if private and own != theirs:
                found.append(f"{name}: {target}{'.' + imported if imported else ''}")
    return found


def test_no_import_cycle_between_modules() -> None:
    assert cycles(import_graph(PACKAGE)) == []


def test_no_module_imports_another_packages_private_names() -> None:
    assert private_imports(PACKAGE) == []


def test_the_checks_catch_a_cycle_through_a_package_and_a_private_import(tmp_path: Path) -> None:
    root = tmp_path / "shopwarden"
    (root / "gate").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "gate" / "__init__.py").write_text("from shopwarden.gate.pipeline import Gate\n")
    (root / "gate" / "pipeline.py").write_text("def f():\n    from shopwarden.recovery import _helper\n")
    (root / "gate" / "calls.py").write_text("")
    (root / "recovery.py").write_text(
        "from typing import TYPE_CHECKING\nfrom shopwarden.gate.calls import ToolCall\n"
        "if TYPE_CHECKING:\n    from shopwarden.gate.pipeline import Gate\n")
    assert cycles(import_graph(root)) == [
        ["shopwarden.gate", "shopwarden.gate.pipeline", "shopwarden.recovery"]]
    assert private_imports(root) == ["shopwarden.gate.pipeline: shopwarden.recovery._helper"]


PACKAGES = sorted(name for name, path in _modules(PACKAGE).items() if path.name == "__init__.py")


@pytest.mark.parametrize("name", PACKAGES)
def test_every_name_a_package_exports_resolves(name: str) -> None:
    package = importlib.import_module(name)
    missing = [export for export in getattr(package, "__all__", []) if getattr(package, export, None) is None]
    assert missing == []
