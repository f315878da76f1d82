"""The import graph of first-party code points down the layers and has no cycles.

Layers, bottom first (README "Layout"): ``tools`` (stand-alone, no Django); ``common``;
``notifications`` (Django and ``common`` only); ``audit``; ``agencies``; ``cases``;
``assistance``; ``notices`` | ``sharing`` (siblings: neither imports the other); ``interop``;
``cybercoop`` (wiring: nothing imports it). Only module-level imports count: a function-local
import is allowed where a real cycle would otherwise appear, with a comment naming the cycle.
Imports under ``if TYPE_CHECKING:`` count for direction but not for cycles (they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS: list[set[str]] = [
    {"tools"},
    {"common"},
    {"notifications"},
    {"audit"},
    {"agencies"},
    {"cases"},
    {"assistance"},
    {"notices", "sharing"},
    {"interop"},
    {"cybercoop"},
]
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}


@dataclass(frozen=True)
class Import:
    importer: str  # module
    imported: str  # module (or package)
    line: int
    type_only: bool

    def __str__(self) -> str:
        path = self.importer.replace(".", "/")
        return f"{path}.py:{self.line} imports {self.imported}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level(body: list[ast.stmt], type_only: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """Statements that run at import time: the body, and the bodies of if/try at that level."""
    for node in body:
        if isinstance(node, ast.If):
            yield from _module_level(node.body, type_only or _is_type_checking(node.test))
            yield from _module_level(node.orelse, type_only)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _module_level(block, type_only)
            for handler in node.handlers:
                yield from _module_level(handler.body, type_only)
        else:
            yield node, type_only


def _modules() -> dict[str, Path]:
    found = {}
    for package in RANK:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _imports(modules: dict[str, Path]) -> list[Import]:
    edges: dict[Import, None] = {}  # ordered set: ``from x import a, b`` is one import of x
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, type_only in _module_level(tree.body):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # ``from pkg import module`` imports the module when one exists by that name.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            edges.update(
                (Import(name, target, node.lineno, type_only), None)
                for target in targets
                if target.split(".")[0] in RANK and target != name
            )
    return list(edges)


def upward_imports(edges: list[Import]) -> list[Import]:
    """Imports into a higher layer, or into a sibling of the same layer."""
    return [
        edge
        for edge in edges
        if (top := edge.importer.split(".")[0]) != (low := edge.imported.split(".")[0])
        and RANK[low] >= RANK[top]
    ]


def cycles(edges: list[Import]) -> list[list[Import]]:
    """One cycle per strongly connected group of modules, as the chain of imports closing it."""
    graph: dict[str, list[Import]] = {}
    for edge in edges:
        if not edge.type_only:
            graph.setdefault(edge.importer, []).append(edge)
    found: list[list[Import]] = []
    seen: set[str] = set()
    for start in sorted(graph):
        if start in seen:
            continue
        stack: list[tuple[str, list[Import]]] = [(start, [])]
        visited: set[str] = set()
        while stack:
            module, path = stack.pop()
            for edge in graph.get(module, []):
                if edge.imported == start:
                    found.append([*path, edge])
                    seen.update(step.importer for step in [*path, edge])
                    stack.clear()
                    break
                if edge.imported not in visited:
                    visited.add(edge.imported)
                    stack.append((edge.imported, [*path, edge]))
    return found


def _reason_given(lines: list[str], node: ast.stmt) -> bool:
    """A comment naming a cycle or the app registry on the import's lines, or on the run of
    import, comment and blank lines just above it (one comment may serve a block)."""
    said = lines[node.lineno - 1 : node.end_lineno or node.lineno]
    row = node.lineno - 2
    while row >= 0 and (
        not lines[row].strip() or lines[row].lstrip().startswith(("#", "from ", "import "))
    ):
        said.append(lines[row])
        row -= 1
    text = " ".join(said).lower()
    return "cycle" in text or "app registry" in text


def local_imports_without_reason(modules: dict[str, Path]) -> list[str]:
    """Function-local first-party imports without a comment naming the cycle they avoid, or
    "app registry" for AppConfig.ready()."""
    found = []
    for name, path in modules.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for function in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.level == 0:
                    targets = [node.module or ""]
                elif isinstance(node, ast.Import):
                    targets = [alias.name for alias in node.names]
                else:
                    continue
                if not any(target.split(".")[0] in RANK for target in targets):
                    continue
                if not _reason_given(lines, node):
                    found.append(f"{name.replace('.', '/')}.py:{node.lineno}")
    return found


def test_every_function_local_import_says_which_cycle_it_avoids():
    found = local_imports_without_reason(_modules())
    assert not found, "function-local imports without a reason:\n" + "\n".join(found)


def test_every_first_party_import_points_down_the_layers():
    upward = upward_imports(_imports(_modules()))
    assert not upward, "upward or sideways imports:\n" + "\n".join(map(str, upward))


def test_first_party_modules_import_each_other_without_cycles():
    found = cycles(_imports(_modules()))
    assert not found, "import cycles:\n" + "\n".join(
        " -> ".join(str(edge) for edge in cycle) for cycle in found
    )


def test_the_checker_sees_an_upward_import_and_a_cycle():
    edges = [
        Import("cases.services", "interop.models", 3, False),
        Import("sharing.api", "notices.models", 4, False),
        Import("interop.a", "interop.b", 5, False),
        Import("interop.b", "interop.a", 6, False),
        Import("interop.c", "interop.d", 7, True),
        Import("interop.d", "interop.c", 8, False),
    ]
    assert [str(edge) for edge in upward_imports(edges)] == [
        "cases/services.py:3 imports interop.models",
        "sharing/api.py:4 imports notices.models",
    ]
    assert [[str(edge) for edge in cycle] for cycle in cycles(edges)] == [
        ["interop/a.py:5 imports interop.b", "interop/b.py:6 imports interop.a"]
    ]
