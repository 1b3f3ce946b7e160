"""The discovery rule on rooms written for the test: a new package, sub-package or module named by
the rule is found with no registration anywhere (its views are routed, its API is CSRF-exempt, its
job handler is registered, its command is a flask command or a sub-command of the package above),
and modules the rule does not name are left alone."""
from __future__ import annotations

import sys

import click
import pytest
from flask import Flask

from app import discovery
from app.extensions import csrf
from app.jobs import services as jobs


def _view(blueprint: str, method: str, rule: str, name: str) -> str:
    return (f"from rooms_fixture.alpha import {blueprint}\n\n\n"
            f"@{blueprint}.{method}('{rule}')\ndef {name}():\n    return '{name}'\n")


def _command(kind: str, name: str) -> str:
    return f"import click\n\n\n@click.{kind}('{name}')\ndef cli():\n    \"\"\"{name}\"\"\"\n"


ROOM = {
    "__init__.py": "",
    "alpha/__init__.py": (
        "from flask import Blueprint\n"
        "bp = Blueprint('alpha', __name__)\n"
        "api_bp = Blueprint('alpha_api', __name__, url_prefix='/api/alpha/v1')\n"),
    "alpha/routes.py": _view("bp", "get", "/alpha", "index"),
    "alpha/extra_routes.py": _view("bp", "get", "/alpha/extra", "extra"),
    "alpha/api.py": _view("api_bp", "post", "/things", "things"),
    "alpha/jobs.py": (
        "from app.jobs.services import handler\n\n\n"
        "@handler('rooms_fixture.alpha.count')\ndef count_job(context):\n    return {}\n"),
    "alpha/cli.py": _command("group", "alpha"),
    "alpha/services.py": "raise RuntimeError('not a module the rule names')\n",
    "alpha/beta/__init__.py": "",
    "alpha/beta/desk_routes.py": _view("bp", "get", "/alpha/beta", "beta"),
    "alpha/beta/cli.py": _command("command", "beta"),
    "gamma/__init__.py": "",
    "gamma/cli.py": _command("command", "gamma"),
    "gamma/delta_cli.py": _command("group", "delta"),
}


@pytest.fixture()
def rooms(tmp_path, monkeypatch):
    """The package ``rooms_fixture`` on sys.path; the job registry and CSRF exemptions restored after."""
    for name, text in ROOM.items():
        path = tmp_path / "rooms_fixture" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(jobs, "_KINDS", dict(jobs._KINDS))
    monkeypatch.setattr(csrf, "_exempt_blueprints", set(csrf._exempt_blueprints))
    yield "rooms_fixture"
    for module in [m for m in sys.modules if m == "rooms_fixture" or m.startswith("rooms_fixture.")]:
        del sys.modules[module]


def test_discovery_finds_every_room_and_module_the_rule_names(rooms):
    found = discovery.discover(rooms)
    assert found.packages == ["rooms_fixture.alpha", "rooms_fixture.alpha.beta", "rooms_fixture.gamma"]
    assert found.modules == [
        "rooms_fixture.alpha.extra_routes", "rooms_fixture.alpha.routes", "rooms_fixture.alpha.api",
        "rooms_fixture.alpha.jobs", "rooms_fixture.alpha.cli", "rooms_fixture.alpha.beta.desk_routes",
        "rooms_fixture.alpha.beta.cli", "rooms_fixture.gamma.cli", "rooms_fixture.gamma.delta_cli"]
    assert "rooms_fixture.alpha.services" not in sys.modules


def test_discovery_registers_views_api_jobs_and_commands(rooms):
    app = Flask("rooms")
    discovery.init_app(app, rooms)
    routes = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
    assert routes["/alpha"] == "alpha.index"
    assert routes["/alpha/extra"] == "alpha.extra"
    assert routes["/alpha/beta"] == "alpha.beta"  # a sub-package's views on its package's blueprint
    assert routes["/api/alpha/v1/things"] == "alpha_api.things"
    assert {blueprint.name for blueprint in csrf._exempt_blueprints} & {"alpha", "alpha_api"} == {"alpha_api"}
    assert jobs.registered_kinds()["rooms_fixture.alpha.count"].run.__name__ == "count_job"
    context = click.Context(app.cli)
    alpha = app.cli.get_command(context, "alpha")
    assert isinstance(alpha, click.Group) and alpha.get_command(context, "beta").name == "beta"
    assert app.cli.get_command(context, "gamma").name == "gamma"
    assert app.cli.get_command(context, "delta").name == "delta"  # a package's second command module
    assert app.cli.get_command(context, "beta") is None  # under alpha only


def test_discovery_refuses_a_cli_module_without_its_command(rooms, tmp_path):
    (tmp_path / "rooms_fixture" / "gamma" / "cli.py").write_text("import click\n\n\n@click.command('gamma')\n"
                                                                   "def gamma():\n    pass\n", encoding="utf-8")
    with pytest.raises(TypeError, match=r"rooms_fixture\.gamma\.cli must define its click command or group as `cli`"):
        discovery.discover(rooms)


@pytest.mark.parametrize(("module", "named"), [
    ("routes", True), ("admin_routes", True), ("self_service_routes", True), ("api", True), ("jobs", True),
    ("hooks", True), ("cli", True), ("basemap_cli", True), ("services", False), ("routes_util", False),
    ("api_client", False), ("cli_options", False), ("job", False)])
def test_discovery_rule_names_modules_by_their_name_only(module, named):
    assert discovery.matches_rule(module) is named
