"""gis/, layers/ and certificate_engine/ must never import Flask or the app (house rule 4)."""
import ast
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

FORBIDDEN = {"flask", "app", "flask_login", "flask_wtf", "werkzeug"}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


@pytest.mark.parametrize("package", ["gis", "layers", "certificate_engine"])
def test_package_never_imports_flask_or_app(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    offending = [f"{f.relative_to(ROOT)}:{line} imports {name}"
                 for f in files for line, name in _imports(f) if name.split(".")[0] in FORBIDDEN]
    assert offending == []


def test_the_check_itself_detects_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from flask import Flask\nimport app.db\n")
    assert [name for _, name in _imports(bad)] == ["flask", "app.db"]
