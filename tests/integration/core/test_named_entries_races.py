"""Two members of staff saving a 提供先 of the 被災者台帳 or an 避難支援等関係者 at the same moment, each
in a transaction of its own (two tablets, two gunicorn workers): the save that loses the race gets
the same clear refusal a later save gets — the name is taken, the record was changed meanwhile —
never a database error (a 500).

A race needs two real transactions, so these tests do not run inside the rolled-back test
transaction: the first save is committed and removed again at the end; the losing save writes
nothing (not even an audit entry)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor
from app.db import SYSTEM, Scope
from app.disasters import recipients
from app.disasters.models import VictimRecipient
from app.errors import Conflict, ValidationError
from app.evac_support import organisations
from app.evac_support.models import SupporterOrg
from app.extensions import db as database
from app.maps.models import AdminArea
from tests.helpers.demo import DEMO_CODE

STAFF = Actor(DEMO_CODE, login_id="bosai")
WAITING_FOR_A_LOCK = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                          "AND wait_event_type = 'Lock'")


@contextmanager
def removed_afterwards(model, name: str) -> Iterator[None]:
    """Whatever the test committed under ``name`` is deleted again, whether it passes or fails."""
    try:
        yield
    finally:
        with database.unit_of_work(SYSTEM) as session:
            session.execute(delete(model).where(model.lg_code == DEMO_CODE, model.name == name))


def race(first: Callable[[Session], None], second: Callable[[Session], object]) -> BaseException | None:
    """``first`` saves in one transaction; ``second`` starts its save in another before ``first``
    commits, and waits on the row ``first`` wrote; then ``first`` commits. What ``second`` raised."""
    first_session = database.new_session(SYSTEM)
    first(first_session)
    first_session.flush()
    outcome: list[BaseException | None] = []

    def run_second():
        session = database.new_session(Scope.tenant(DEMO_CODE))
        try:
            second(session)
            session.commit()
            outcome.append(None)
        except Exception as exc:  # noqa: BLE001 - what the losing save raised is the result
            session.rollback()
            outcome.append(exc)
        finally:
            session.close()

    thread = threading.Thread(target=run_second)
    thread.start()
    _wait_until_waiting_for_a_lock(thread)
    first_session.commit()
    first_session.close()
    thread.join(timeout=30)
    assert outcome, "the second save did not finish"
    return outcome[0]


def _wait_until_waiting_for_a_lock(thread: threading.Thread) -> None:
    """Until the second save waits for the first (or has ended without waiting: the test then
    says what it raised)."""
    with database.engine.connect() as watcher:
        deadline = time.monotonic() + 10
        while thread.is_alive() and not watcher.execute(WAITING_FOR_A_LOCK).scalar():
            assert time.monotonic() < deadline, "the second save neither waited for the first nor ended"
            watcher.rollback()
            time.sleep(0.02)


def test_two_recipients_of_one_name_saved_at_once_the_second_is_told_the_name_is_taken(app):
    name = "同時登録テスト社会福祉協議会"
    with removed_afterwards(VictimRecipient, name):
        lost = race(lambda s: s.add(VictimRecipient(lg_code=DEMO_CODE, name=name, kind="社会福祉協議会", contact="")),
                    lambda s: recipients.save_recipient(s, STAFF, None, name=name, kind="社会福祉協議会"))
        assert isinstance(lost, ValidationError), repr(lost)
        assert lost.code == "recipient_name_taken" and f"「{name}」は既に登録されています" in lost.message
        with database.unit_of_work(SYSTEM) as session:
            assert session.scalars(select(VictimRecipient.contact).where(VictimRecipient.name == name)).all() == [""]


def test_two_organisations_of_one_name_saved_at_once_the_second_is_told_the_name_is_taken(app):
    name = "同時登録テスト自主防災会"
    with database.unit_of_work(SYSTEM) as session:
        area = session.scalar(select(AdminArea.code).where(AdminArea.lg_code == DEMO_CODE).order_by(AdminArea.code))
    with removed_afterwards(SupporterOrg, name):
        lost = race(lambda s: s.add(SupporterOrg(lg_code=DEMO_CODE, name=name, kind="自主防災組織・自治会", contact="",
                                                 area_codes=[area])),
                    lambda s: organisations.save_org(s, STAFF, None, name=name, kind="自主防災組織・自治会",
                                                     contact="会長", area_codes=[area]))
        assert isinstance(lost, ValidationError), repr(lost)
        assert lost.code == "org_name_taken" and f"「{name}」は既に登録されています" in lost.message


@pytest.mark.parametrize("model", [VictimRecipient, SupporterOrg])
def test_two_changes_of_one_entry_from_the_same_version_the_second_sees_the_first(app, model):
    """Both read version 1; the first commits; the second is a conflict showing the first's contact."""
    name = "同時更新テスト提供先"
    with database.unit_of_work(SYSTEM) as session:
        area = session.scalar(select(AdminArea.code).where(AdminArea.lg_code == DEMO_CODE).order_by(AdminArea.code))
        kind = "社会福祉協議会" if model is VictimRecipient else "自主防災組織・自治会"
        extra = {} if model is VictimRecipient else {"area_codes": [area]}
        entry = model(lg_code=DEMO_CODE, name=name, kind=kind, contact="最初", **extra)
        session.add(entry)
        session.flush()
        entry_id = entry.id

    def first(session):
        session.get(model, entry_id).contact = "先に保存した職員"

    def second(session):
        if model is VictimRecipient:
            return recipients.save_recipient(session, STAFF, entry_id, name=name, kind=kind, contact="後の職員",
                                             version=1, confirmed=True)
        return organisations.save_org(session, STAFF, entry_id, name=name, kind=kind, contact="後の職員",
                                      area_codes=[area], version=1, confirmed=True)

    with removed_afterwards(model, name):
        lost = race(first, second)
        assert isinstance(lost, Conflict), repr(lost)
        assert "他の職員が先に更新しました" in lost.message and "先に保存した職員" in lost.current.values()
        with database.unit_of_work(SYSTEM) as session:
            assert session.get(model, entry_id).contact == "先に保存した職員"
