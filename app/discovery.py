"""How the application finds its domain packages' views, APIs, jobs and commands: one naming rule.

Every package under ``app/`` and each of its sub-packages (``app.certificates.counter``) is a room.
When the application is built, each room's modules named by the rule are imported, so a new room
or a new module of a room needs no registration anywhere:

=================  ===============================================================================
``*routes.py``     views; they attach themselves to a blueprint (usually their package's ``bp``)
``api.py``         the views of the package's token-authenticated API (its ``api_bp``)
``jobs.py``        job handlers (``app.jobs.services.handler``) and what they hook into other jobs
``hooks.py``       what the package registers with another package: a certificate document source
``*cli.py``        the package's commands, each module's a click command or group named ``cli``
=================  ===============================================================================

Blueprints: a package's ``bp`` and ``api_bp`` (an API is token-authenticated, so it carries no
session cookie and is exempt from CSRF). Commands: the ``cli`` of ``app/<room>/cli.py`` (or of
another ``*cli.py`` of the room, ``app/maps/basemap_cli.py``) is a ``flask --app wsgi <name>``
command; that of a sub-package is added to the ``cli`` group of the ``cli.py`` of the nearest
package above it that has one (``flask --app wsgi certificates statistics``).

Importing happens here, by name, so no module imports the modules that attach to it: a view module
imports its package for ``bp``, never the other way round.
"""
from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType

import click
from flask import Blueprint, Flask

ROOT = "app"
# The rule, in the order the modules of one package are imported.
MODULE_PATTERNS = ("*routes", "api", "jobs", "hooks", "*cli")
BLUEPRINT_NAMES = ("bp", "api_bp")
API_BLUEPRINT = "api_bp"
COMMAND_NAME = "cli"


@dataclass
class Rooms:
    """What discovery found: the packages, the modules it imported, blueprints and commands."""

    packages: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    blueprints: list[tuple[Blueprint, bool]] = field(default_factory=list)  # (blueprint, is an API)
    commands: list[tuple[str | None, click.Command]] = field(default_factory=list)  # (parent group's module, command)


def matches_rule(module_name: str) -> bool:
    """Whether a module (its last name, e.g. ``self_service_routes``) is one the rule imports."""
    return any(fnmatch.fnmatchcase(module_name, pattern) for pattern in MODULE_PATTERNS)


def domain_packages(root: str = ROOT) -> list[str]:
    """Every package below ``root`` (not ``root`` itself), parents before their sub-packages, in
    alphabetical order."""
    found = []

    def walk(package: ModuleType) -> None:
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if info.ispkg:
                name = f"{package.__name__}.{info.name}"
                found.append(name)
                walk(importlib.import_module(name))

    walk(importlib.import_module(root))
    return found


def rule_modules(package: str) -> list[str]:
    """The modules of ``package`` (not of its sub-packages) that the rule imports, in rule order."""
    names = [info.name for info in pkgutil.iter_modules(importlib.import_module(package).__path__)
             if not info.ispkg and matches_rule(info.name)]
    order = {pattern: index for index, pattern in enumerate(MODULE_PATTERNS)}
    return [f"{package}.{name}" for name in sorted(
        names, key=lambda n: (min(order[p] for p in MODULE_PATTERNS if fnmatch.fnmatchcase(n, p)), n))]


def discover(root: str = ROOT) -> Rooms:
    """Import every module the rule names in every package below ``root``; collect the packages'
    blueprints and the ``cli`` commands of their ``cli.py`` modules."""
    rooms = Rooms()
    seen: set[int] = set()
    for package in domain_packages(root):
        rooms.packages.append(package)
        for module_name in rule_modules(package):
            module = importlib.import_module(module_name)
            rooms.modules.append(module_name)
            if fnmatch.fnmatchcase(module_name.rsplit(".", 1)[1], f"*{COMMAND_NAME}"):
                rooms.commands.append((_parent_command_module(module_name, rooms), _command_of(module)))
        for blueprint, is_api in _blueprints_of(importlib.import_module(package)):
            if id(blueprint) not in seen:
                seen.add(id(blueprint))
                rooms.blueprints.append((blueprint, is_api))
    return rooms


def _blueprints_of(package: ModuleType):
    for name in BLUEPRINT_NAMES:
        blueprint = getattr(package, name, None)
        if isinstance(blueprint, Blueprint):
            yield blueprint, name == API_BLUEPRINT


def _command_of(module: ModuleType) -> click.Command:
    command = getattr(module, COMMAND_NAME, None)
    if not isinstance(command, click.Command):
        raise TypeError(f"{module.__name__} must define its click command or group as `{COMMAND_NAME}`")
    return command


def _parent_command_module(module_name: str, rooms: Rooms) -> str | None:
    """The command module of the nearest package above this module's package that has one (None:
    the command is one of flask's own). Parents are discovered first, so theirs is already known."""
    known = {name for name in rooms.modules if name.endswith(f".{COMMAND_NAME}")}
    parts = module_name.split(".")[:-2]
    while len(parts) > 1:
        candidate = ".".join((*parts, COMMAND_NAME))
        if candidate in known:
            return candidate
        parts.pop()
    return None


def init_app(app: Flask, root: str = ROOT) -> Rooms:
    """Discover the rooms below ``root`` and register their blueprints and commands with ``app``."""
    from app.extensions import csrf

    rooms = discover(root)
    for blueprint, is_api in rooms.blueprints:
        if is_api:
            csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
    for parent, command in rooms.commands:
        group = app.cli if parent is None else _command_of(importlib.import_module(parent))
        if not isinstance(group, click.Group):
            raise TypeError(f"{parent}.{COMMAND_NAME} must be a click group to hold {command.name}")
        group.add_command(command)
    return rooms
