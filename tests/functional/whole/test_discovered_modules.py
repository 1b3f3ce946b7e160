"""Every module of app/ that the discovery rule names is part of the application, found by reading
the files (not through the rule's own code): each view a ``*routes.py`` or ``api.py`` declares is
routed, each handler a ``jobs.py`` declares is registered, each ``*cli.py``'s command is reachable
from ``flask``, each ``hooks.py`` is imported. So adding a room, or a module to one, needs no
registration edit.

Job handlers and hooks register themselves when imported, so whether building the application
imported them is asked of a fresh interpreter: this one has imported whatever the test modules did."""
from __future__ import annotations

import ast
import fnmatch
import importlib
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from tests.helpers.paths import ROOT

ROUTE_METHODS = {"route", "get", "post", "put", "patch", "delete"}
# What create_app() imports and registers, in a new interpreter.
BUILT = """
import json, sys
from app import create_app
from app.config import TestConfig
from app.jobs.services import registered_kinds
create_app(TestConfig())
print(json.dumps({"modules": sorted(sys.modules),
                  "handlers": sorted(f"{k.run.__module__}.{k.run.__name__}" for k in registered_kinds().values())}))
"""


def _rule_files(*patterns: str) -> list[str]:
    """Dotted names of the modules below app/'s packages whose file name matches a pattern."""
    found = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        package = path.parent
        if package == ROOT / "app" or not (package / "__init__.py").exists():
            continue
        if any(fnmatch.fnmatchcase(path.stem, pattern) for pattern in patterns):
            found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


def _decorated(module_name: str, wanted) -> list[str]:
    """Names of the module-level functions of a module with a decorator for which ``wanted`` holds."""
    path = ROOT / Path(*module_name.split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
            and any(isinstance(d, ast.Call) and wanted(d.func) for d in node.decorator_list)]


def _is_view_decorator(func: ast.expr) -> bool:
    return isinstance(func, ast.Attribute) and func.attr in ROUTE_METHODS and isinstance(func.value, ast.Name)


def _is_handler_decorator(func: ast.expr) -> bool:
    return isinstance(func, ast.Name) and func.id == "handler"


def _commands(group: click.Group):
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        yield command
        if isinstance(command, click.Group):
            yield from _commands(command)


@pytest.mark.parametrize("module_name", _rule_files("*routes", "api"))
def test_discovered_every_declared_view_is_routed(app, module_name):
    module = importlib.import_module(module_name)
    views = _decorated(module_name, _is_view_decorator)
    assert views, f"{module_name} declares no view"
    routed = set(app.view_functions.values())
    assert [name for name in views if getattr(module, name) not in routed] == []


@pytest.fixture(scope="module")
def built():
    done = subprocess.run([sys.executable, "-c", BUILT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("module_name", _rule_files("jobs"))
def test_discovered_every_declared_job_handler_is_registered(built, module_name):
    handlers = _decorated(module_name, _is_handler_decorator)
    assert handlers, f"{module_name} declares no handler"
    assert [name for name in handlers if f"{module_name}.{name}" not in built["handlers"]] == []


@pytest.mark.parametrize("module_name", _rule_files("hooks"))
def test_discovered_every_hooks_module_is_imported(built, module_name):
    assert module_name in built["modules"]


@pytest.mark.parametrize("module_name", _rule_files("*cli"))
def test_discovered_every_command_module_is_a_flask_command(app, module_name):
    command = importlib.import_module(module_name).cli
    assert any(found is command for found in _commands(app.cli))
