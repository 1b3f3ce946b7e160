"""One unit of work per request (house rule 3), read from the code: only the web layer commits or
rolls back the request's session, and a view that catches a domain error refuses the request's
work (``app.web.refuse``) before it does anything else."""
import ast
import importlib

from app.errors import Conflict, DomainError, ValidationError
from tests.helpers.paths import ROOT

APP = ROOT / "app"
# The request's unit of work (app/web.py) and the CLI/job units of work (app/db.py: unit_of_work).
UNIT_OF_WORK_MODULES = {"app/web.py", "app/db.py"}
# A job handler's session belongs to the queue's unit of work (app/jobs), not to a request.
JOB_SESSIONS = {"context.session"}
# Handlers that catch a domain error without refusing any work, with why.
NOT_REFUSALS = {
    # The format check's InvalidParameter only means "not HTML" here; the view raises it itself.
    ("app/ogc/api.py", "_wants_html"),
}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{_dotted(node.func)}()"
    return "?"


def session_transaction_calls(source: str) -> list[tuple[int, str]]:
    """``(line, call)`` of every ``….commit()`` / ``….rollback()`` on a session (``db.session``, a
    service's ``session`` argument, ``db.session()``); savepoints (``begin_nested``) are not sessions."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback")):
            receiver = _dotted(node.func.value)
            if receiver.removesuffix("()").split(".")[-1].endswith("session") and receiver not in JOB_SESSIONS:
                found.append((node.lineno, f"{receiver}.{node.func.attr}()"))
    return found


def _app_modules():
    for path in sorted(APP.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def test_only_the_units_of_work_commit_or_roll_back_a_session():
    offending = [f"{name}:{line} {call}" for name, source in _app_modules() if name not in UNIT_OF_WORK_MODULES
                 for line, call in session_transaction_calls(source)]
    assert offending == []


def test_the_session_check_sees_every_spelling_of_the_request_session():
    source = ("db.session.rollback()\nsession.commit()\ndb.session().commit()\nexport_session.rollback()\n"
              "savepoint.rollback()\nsession.begin_nested().commit()\ncontext.session.rollback()\n")
    assert [call for _, call in session_transaction_calls(source)] == [
        "db.session.rollback()", "session.commit()", "db.session().commit()", "export_session.rollback()"]


def _is_web_module(name: str, source: str) -> bool:
    """Views and their adapters: modules that use Flask, the app factory and CLI commands aside."""
    return (name not in UNIT_OF_WORK_MODULES and name != "app/__init__.py" and not name.endswith("cli.py")
            and ("from flask import" in source or "from app.web import" in source))


def _catches_domain_error(handler: ast.ExceptHandler, namespace: dict) -> bool:
    if handler.type is None:
        return False
    # The names a handler catches, as the module sees them (CARD_REFUSALS is a tuple of classes).
    caught = eval(compile(ast.Expression(handler.type), "<except>", "eval"), namespace)
    return any(isinstance(kind, type) and issubclass(kind, DomainError)
               for kind in (caught if isinstance(caught, tuple) else (caught,)))


def _refuses_first(handler: ast.ExceptHandler) -> bool:
    """The handler refuses first (``refuse(error)``, ``x = refuse(error).message``…), or passes the
    error on (ends in ``raise``) to whoever answers it."""
    return isinstance(handler.body[-1], ast.Raise) or any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "refuse"
        for node in ast.walk(handler.body[0]))


def unrefused_handlers(name: str, source: str, namespace: dict) -> list[str]:
    """Handlers of ``source`` that catch a domain error without refusing the request's work first."""
    found = []
    for function in ast.walk(ast.parse(source)):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and (name, function.name) not in NOT_REFUSALS:
            found += [node.lineno for node in ast.walk(function)
                      if isinstance(node, ast.ExceptHandler) and _catches_domain_error(node, namespace)
                      and not _refuses_first(node)]
    return [f"{name}:{line}" for line in sorted(set(found))]


def test_a_view_that_catches_a_domain_error_refuses_the_work_first():
    offending = []
    for name, source in _app_modules():
        if _is_web_module(name, source):
            module = importlib.import_module(name.removesuffix(".py").replace("/", "."))
            offending += unrefused_handlers(name, source, vars(module))
    assert offending == []


def test_the_handler_check_tells_a_refusing_handler_from_one_that_is_not():
    source = ("def view():\n"
              "    try:\n        pass\n    except ValidationError as exc:\n        flash(exc.message)\n"
              "    try:\n        pass\n    except ValidationError as exc:\n        error = refuse(exc).message\n"
              "    try:\n        pass\n    except (KeyError, Conflict) as exc:\n        exc.body = 1\n        raise\n"
              "    try:\n        pass\n    except KeyError as exc:\n        flash(str(exc))\n"
              "    try:\n        pass\n    except ValidationError as exc:\n        flash(exc.message)\n"
              "        refuse(exc)\n")
    namespace = {"ValidationError": ValidationError, "Conflict": Conflict}
    assert unrefused_handlers("m.py", source, namespace) == ["m.py:4", "m.py:21"]
