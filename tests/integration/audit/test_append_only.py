"""The audit log is append-only in the database itself."""
import pytest
from sqlalchemy import text

from app.audit.services import Actor, record
from app.db import Scope, set_scope
from tests.helpers.demo import DEMO_CODE


def _entry(db):
    session = db.session_factory()
    set_scope(session, Scope.tenant(DEMO_CODE))
    entry = record(session, Actor(DEMO_CODE, 1, "admin", "127.0.0.1", "/x"), "record_view", "resident", [42],
                   reason="test")
    session.commit()
    return session, entry


def test_record_writes_who_when_what_and_which(db):
    session, entry = _entry(db)
    row = session.execute(text("SELECT lg_code, login_id, action, target_type, target_ids, detail, occurred_at "
                               "FROM audit_log WHERE id = :id"), {"id": entry.id}).one()
    assert row.lg_code == DEMO_CODE and row.login_id == "admin" and row.action == "record_view"
    assert row.target_type == "resident" and row.target_ids == ["42"] and row.detail == {"reason": "test"}
    assert row.occurred_at is not None
    session.close()


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'login'", "DELETE FROM audit_log"])
def test_app_role_cannot_change_entries(db, statement):
    session, _ = _entry(db)
    with pytest.raises(Exception, match="permission denied"):
        session.execute(text(statement))
    session.rollback()
    session.close()


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'login'", "DELETE FROM audit_log",
                                       "TRUNCATE audit_log"])
def test_even_the_owner_cannot_change_entries(db, system_session, statement):
    _entry(db)[0].close()
    with pytest.raises(Exception, match="append-only"):
        system_session.execute(text(statement))
    system_session.rollback()


def test_unknown_action_is_a_programming_error(db):
    session = db.session_factory()
    with pytest.raises(ValueError):
        record(session, Actor(DEMO_CODE), "no_such_action")
    session.close()
