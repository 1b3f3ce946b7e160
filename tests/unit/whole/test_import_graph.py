"""The import graph of app/, gis/, layers/ and certificate_engine/, read from the source (ast):
no module imports itself through other modules (a cycle), the certificates never import the
disasters (the disasters register their certificates with them), the framework-free packages
never import the app, and each package of app/ imports only what its docstring declares.

A package's docstring declares its rule in two lines (wrapped as needed), names separated by commas:
``May import: core, audit, certificates.rules, certificate_engine.`` and, optionally, ``Must not
import: disasters (why).`` A name is a package or module under app/ without the ``app.`` (``core``:
the modules directly in app/), or ``gis``, ``layers``, ``certificate_engine``; a remark in
parentheses is for the reader. Naming a package allows its modules but not its sub-packages,
which declare rules of their own; a package's own modules and sub-packages are its business.

Every import statement counts, those inside functions too: a lazy import still ties the two
modules together, and a cycle through one only waits for its first call to bite. Imports under
``if TYPE_CHECKING:`` are not run and do not count; nor do the modules ``app.discovery`` imports by
name, which is what lets views attach themselves to their package's blueprint without a cycle.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

PACKAGES = ("app", "gis", "layers", "certificate_engine")
FRAMEWORK_FREE = ("gis", "layers", "certificate_engine")
CORE = "core"


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


@dataclass(frozen=True)
class Rule:
    """What a package's docstring says it may and must not import (dotted names; ``core``)."""

    may: tuple[str, ...]
    must_not: tuple[str, ...]


def declared_rules(root: Path = ROOT) -> dict[str, Rule | None]:
    """Each package under app/ → the rule its docstring declares (None: it declares none)."""
    rules = {}
    for init in sorted((root / "app").rglob("__init__.py")):
        if init.parent == root / "app":
            continue
        package = ".".join(init.parent.relative_to(root).parts)
        rules[package] = parse_rule(ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or "")
    return rules


def parse_rule(docstring: str) -> Rule | None:
    may = _declared(docstring, "May import:")
    return None if may is None else Rule(may, _declared(docstring, "Must not import:") or ())


def _declared(docstring: str, label: str) -> tuple[str, ...] | None:
    found = re.search(re.escape(label) + r"(.*?)(?:\n\s*\n|Must not import:|$)", docstring, re.S)
    if found is None:
        return None
    text = re.sub(r"\([^)]*\)", "", found.group(1))
    names = [name.strip().rstrip(".").strip() for name in re.split(r",|\band\b", text)]
    return tuple(_qualified(name) for name in names if name)


def _qualified(name: str) -> str:
    if name == CORE or name.split(".")[0] in FRAMEWORK_FREE:
        return name
    return f"app.{name}"


def room_of(module: str, packages) -> str:
    """The package whose rule governs ``module``: the innermost declaring package holding it, the
    framework-free package, or ``core`` for the modules directly in app/."""
    holders = [p for p in packages if module == p or module.startswith(f"{p}.")]
    if holders:
        return max(holders, key=len)
    top = module.split(".")[0]
    return top if top in FRAMEWORK_FREE else CORE


def allowed(rule: Rule, room: str, target: str, packages) -> bool:
    """Whether a module governed by ``room`` with ``rule`` may import ``target``."""
    target_room = room_of(target, packages)
    if target_room == room:
        return True
    return any(name == target_room or (room_of(name, packages) == target_room and
                                       (target == name or target.startswith(f"{name}."))) for name in rule.may)


def rule_breaches(graph, rules: dict[str, Rule]) -> list[str]:
    """``module:line imports target`` for each import a module's rule does not allow or forbids."""
    packages = list(rules)
    breaches = []
    for module, targets in sorted(graph.items()):
        room = room_of(module, packages)
        if room not in rules:
            continue
        rule = rules[room]
        for target, line in sorted(targets.items()):
            forbidden = [name for name in rule.must_not if target == name or target.startswith(f"{name}.")]
            if forbidden or not allowed(rule, room, target, packages):
                breaches.append(f"{module}:{line} imports {target}" + (" (must not)" if forbidden else ""))
    return breaches


@pytest.fixture(scope="module")
def graph():
    return import_graph()


@pytest.fixture(scope="module")
def rules():
    return declared_rules()


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


def test_import_graph_every_package_of_app_declares_what_it_may_import(rules):
    assert rules
    assert [package for package, rule in rules.items() if rule is None] == []


def test_import_graph_the_declared_rules_name_what_exists(graph, rules):
    packages = {module for module in graph if (ROOT / Path(*module.split("."))).is_dir()}
    known = set(graph) | packages | {CORE}
    unknown = [f"{package}: {name}" for package, rule in rules.items() if rule
               for name in (*rule.may, *rule.must_not) if name not in known]
    assert unknown == []


def test_import_graph_a_package_never_allows_what_it_forbids(rules):
    packages = list(rules)
    contradictions = [f"{package}: {name}" for package, rule in rules.items() if rule
                      for name in rule.must_not if allowed(rule, package, name, packages)]
    assert contradictions == []


def test_import_graph_each_package_imports_only_what_its_docstring_declares(graph, rules):
    breaches = rule_breaches(graph, {package: rule for package, rule in rules.items() if rule})
    assert breaches == [], "imports the package docstrings do not declare:\n" + "\n".join(breaches)


def test_import_graph_the_rule_check_reads_docstrings_and_finds_breaches(tmp_path):
    _write(tmp_path, {
        "app/__init__.py": "", "app/db.py": "",
        "app/certificates/__init__.py": '"""Issuing.\n\nMay import: core, certificates.statistics.rules\n'
                                        'and certificate_engine.\nMust not import: disasters (they register).\n"""\n',
        "app/certificates/issuance.py": "from app import db\nfrom app.certificates.statistics import rules\n"
                                        "from app.certificates import counter\nimport certificate_engine.pdf\n",
        "app/certificates/fees.py": "from app.disasters import applications\n"
                                    "from app.certificates.statistics import hours\n",
        "app/certificates/counter.py": "",
        "app/certificates/statistics/__init__.py": '"""Statistics.\n\nMay import: core, certificates.\n"""\n',
        "app/certificates/statistics/rules.py": "from app.certificates import counter\n",
        "app/certificates/statistics/hours.py": "",
        "app/disasters/__init__.py": '"""Disasters."""\n', "app/disasters/applications.py": "",
        "certificate_engine/__init__.py": "", "certificate_engine/pdf.py": "",
    })
    rules = declared_rules(tmp_path)
    assert rules["app.certificates"] == Rule(
        ("core", "app.certificates.statistics.rules", "certificate_engine"), ("app.disasters",))
    assert rules["app.disasters"] is None
    graph = import_graph(tmp_path, ["app", "certificate_engine"])
    assert rule_breaches(graph, {p: r for p, r in rules.items() if r}) == [
        "app.certificates.fees:2 imports app.certificates.statistics.hours",
        "app.certificates.fees:1 imports app.disasters.applications (must not)",
    ]
