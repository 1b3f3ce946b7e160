"""The import graph of app/, gis/, layers/ and certificate_engine/, read from the source (ast):
no module imports itself through other modules (a cycle), the certificates never import the
disasters (the disasters register their certificates with them), and the framework-free packages
never import the app.

Every import statement counts, those inside functions too: a lazy import still ties the two
modules together, and a cycle through one only waits for its first call to bite. Imports under
``if TYPE_CHECKING:`` are not run and do not count; nor do the modules ``app.discovery`` imports by
name, which is what lets views attach themselves to their package's blueprint without a cycle.
"""
from __future__ import annotations

import ast
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "gis", "layers", "certificate_engine")


def module_files(root: Path, packages=PACKAGES) -> dict[str, Path]:
    """Dotted module name → file, for every module of ``packages`` under ``root``."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of the import nodes under ``if TYPE_CHECKING:``."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(inner) for statement in node.body for inner in ast.walk(statement)}
    return skipped


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> dict[str, int]:
    """The modules of ``modules`` that module ``name`` imports → the line of the first such import.

    ``from package import name`` is an import of the submodule when ``name`` is one, otherwise of
    the package itself (its ``__init__``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            if target in modules and target != name:
                found.setdefault(target, node.lineno)
    return found


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module
    base = package
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    return f"{base}.{node.module}" if node.module else base


def import_graph(root: Path = ROOT, packages=PACKAGES) -> dict[str, dict[str, int]]:
    """Each module → the modules it imports (with the line)."""
    modules = module_files(root, packages)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle (first module repeated at the end) for each group of modules that import each other."""
    found = []
    for group in _strongly_connected(graph):
        if len(group) > 1:
            found.append(_cycle_through(min(group), group, graph))
    return sorted(found)


def _strongly_connected(graph):
    """Tarjan's algorithm, iterative (the graph is a few hundred modules deep at most)."""
    index, low, on_stack, stack, groups, counter = {}, {}, set(), [], [], [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = counter[0]
                    counter[0] += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups


def _cycle_through(start: str, group: set[str], graph) -> list[str]:
    """The shortest way from ``start`` back to itself inside ``group`` (breadth first)."""
    came_from = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node]):
            if target == start:
                path = [node]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if target in group and target not in came_from:
                came_from[target] = node
                queue.append(target)
    raise AssertionError(f"no cycle through {start}")


def describe(cycle: list[str], graph) -> str:
    """``a (line 3) → b (line 12) → a``: where each module imports the next."""
    steps = [f"{module} (line {graph[module][following]})" for module, following in pairwise(cycle)]
    return " → ".join([*steps, cycle[-1]])


def imports_between(graph, importer: str, imported: str) -> list[str]:
    """``module:line imports target`` for each import of a module of package ``imported`` by a module
    of package ``importer``."""
    def inside(module, package):
        return module == package or module.startswith(f"{package}.")

    return [f"{module}:{line} imports {target}" for module, targets in sorted(graph.items()) if inside(module, importer)
            for target, line in sorted(targets.items()) if inside(target, imported)]


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_import_graph_has_no_cycles(graph):
    assert graph, "no modules found"
    found = [describe(cycle, graph) for cycle in cycles(graph)]
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_import_graph_the_certificates_never_import_the_disasters(graph):
    assert imports_between(graph, "app.certificates", "app.disasters") == []


@pytest.mark.parametrize("package", ["certificate_engine", "gis", "layers"])
def test_import_graph_the_framework_free_packages_never_import_the_app(graph, package):
    assert imports_between(graph, package, "app") == []


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_import_graph_the_check_finds_cycles_lazy_ones_too(tmp_path):
    _write(tmp_path, {
        "room/__init__.py": "from flask import Blueprint\nbp = Blueprint('room', __name__)\n",
        "room/routes.py": "from room import bp, services\n\n\nfrom room import other_routes  # noqa\n",
        "room/other_routes.py": "from room.routes import bp\n",
        "room/services.py": "def f():\n    from room.cli import group\n    return group\n",
        "room/cli.py": "from room import services\n",
        "room/typed.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from room import hinted\n",
        "room/hinted.py": "from room import typed\n",
    })
    graph = import_graph(tmp_path, ["room"])
    assert graph["room.routes"] == {"room": 1, "room.services": 1, "room.other_routes": 4}
    assert [describe(cycle, graph) for cycle in cycles(graph)] == [
        "room.cli (line 1) → room.services (line 2) → room.cli",
        "room.other_routes (line 1) → room.routes (line 4) → room.other_routes",
    ]


def test_import_graph_reports_a_forbidden_direction(tmp_path):
    _write(tmp_path, {"app/__init__.py": "", "app/certificates/__init__.py": "", "app/disasters/__init__.py": "",
                      "app/certificates/issuance.py": "import app.disasters.applications\n",
                      "app/disasters/applications.py": "from app import certificates\n"})
    graph = import_graph(tmp_path, ["app"])
    assert imports_between(graph, "app.certificates", "app.disasters") == [
        "app.certificates.issuance:1 imports app.disasters.applications"]
    assert imports_between(graph, "app.disasters", "app.certificates") == [
        "app.disasters.applications:1 imports app.certificates"]
