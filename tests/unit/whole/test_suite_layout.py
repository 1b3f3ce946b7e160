"""The test suite's own rules, read from its code: no module of it imports a test module, a conftest
or another module's private name, and a test module takes what it shares with others from
tests/factories.py and tests/helpers/ only (fixtures come by name, from the conftests and the
tests/fixtures_*.py plugins). Every folder of the suite is a package under one of the kinds, so two
packages may each have a test_rules.py."""
import ast
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

TESTS = ROOT / "tests"
KINDS = {"unit", "functional", "integration", "browser", "fuzz"}
SHARED = ("tests.factories", "tests.helpers")  # the modules a test module may import from the suite


def _suite_modules() -> list[Path]:
    return sorted(path for path in TESTS.rglob("*.py") if "__pycache__" not in path.parts)


def _imports_from_the_suite(tree: ast.Module) -> list[tuple[str, str]]:
    """(module, name) of every name imported from the suite; (module, "") for ``import tests.…``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            found += [("." * node.level + (node.module or ""), alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "tests":
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names if alias.name.split(".")[0] == "tests"]
    return found


def problems(source: str, is_test_module: bool) -> list[str]:
    """What a module of the suite does against the rules, one line per import."""
    found = []
    for module, name in _imports_from_the_suite(ast.parse(source)):
        parts = [*module.split("."), name]
        imported = f"{module}.{name}" if name else module
        if module.startswith("."):
            found.append(f"{imported}: a relative import")
        elif any(part.startswith("test_") for part in parts):
            found.append(f"{imported}: a test module")
        elif "conftest" in parts:
            found.append(f"{imported}: a conftest (fixtures come by name)")
        elif name.startswith("_"):
            found.append(f"{imported}: a private name")
        elif is_test_module and not any(module == shared or module.startswith(shared + ".") for shared in SHARED):
            found.append(f"{imported}: not from tests/factories.py or tests/helpers/")
    return found


def test_no_module_of_the_suite_leans_on_a_test_module_a_conftest_or_a_private_name():
    found = {str(path.relative_to(ROOT)): problems(path.read_text(encoding="utf-8"), path.name.startswith("test_"))
             for path in _suite_modules()}
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_every_folder_of_the_suite_is_a_package_and_every_test_under_a_kind():
    folders = {path.parent for path in _suite_modules()}
    assert sorted(str(folder.relative_to(ROOT)) for folder in folders if not (folder / "__init__.py").exists()) == []
    test_modules = [path.relative_to(TESTS) for path in _suite_modules() if path.name.startswith("test_")]
    assert sorted(str(path) for path in test_modules if len(path.parts) < 2 or path.parts[0] not in KINDS) == []


@pytest.mark.parametrize(("source", "is_test_module", "expected"), [
    ("from tests.functional.damage.test_surveys import record_survey", True, "a test module"),
    ("from tests.functional import test_kiosk_api", False, "a test module"),
    ("import tests.unit.core.test_inputs", False, "a test module"),
    ("from tests.conftest import DEMO_CODE", True, "a conftest"),
    ("from tests.helpers.shelters import _open", False, "a private name"),
    ("from .test_api import jpki", True, "a relative import"),
    ("from tests.fixtures_kiosk import kiosk", True, "not from tests/factories.py or tests/helpers/"),
])
def test_the_rules_name_each_kind_of_import_they_refuse(source, is_test_module, expected):
    assert [line.split(": ", 1)[1].split(" (")[0] for line in problems(source, is_test_module)] == [expected]


def test_the_rules_let_shared_code_and_the_app_be_imported():
    source = ("from app.errors import NotFound\nfrom tests.factories import make_municipality\n"
              "from tests.helpers.web import new_browser\nimport tests.helpers.mvt_reader\n")
    assert problems(source, is_test_module=True) == []
