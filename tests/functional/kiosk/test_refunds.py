"""Money at the kiosk: the store and its municipality are the session's, never a later header's; a
paid request that ends without a certificate is ``refund_due`` with its reason until the store
confirms the refund, and the settlement counts it; the PDF re-checks the opening hours."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError

from app.audit.models import AuditEntry
from app.audit.services import Actor
from app.certificates.models import IssuanceLog, IssuedCertificate
from app.db import SYSTEM
from app.extensions import db as database
from app.kiosk import contracts
from certificate_engine import render
from tests.helpers.cards import fresh_card
from tests.helpers.demo import DEMO_CODE
from tests.helpers.kiosk import STORE, documented, template_of
from tests.helpers.web import new_browser

ELSEWHERE = {**STORE, "X-Kiosk-Store-Lg-Code": "011002"}  # 札幌市: a valid code, not the session's




@pytest.fixture()
def card(jpki, tmp_path):
    return fresh_card(jpki, "demo-1", tmp_path)


def _answer(document, method, path, response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    documented(document, method, template_of(path), response)
    body = response.get_json() if response.is_json else None
    if code is not None:
        assert body["code"] == code and body["detail"], body
    return body


def _paid(kiosk, card, document_type="住民票の写し", fee=200):
    session_id, verified = kiosk.login(card)
    assert verified.status_code == 200, verified.get_data(as_text=True)
    request_id = kiosk.request(session_id, document_type).get_json()["request_id"]
    assert kiosk.pay(request_id, fee).get_json()["status"] == "paid"
    return session_id, request_id


def _issues(system_session):
    return (system_session.scalar(select(func.count()).select_from(IssuedCertificate)),
            system_session.scalar(select(func.count()).select_from(IssuanceLog)))


def _clock(app, monkeypatch, moment):
    monkeypatch.setitem(app.config, "KIOSK_FIXED_NOW", moment)


def test_the_session_keeps_the_store_and_municipality_it_was_opened_with(kiosk, card, system_session, document):
    session_id, verified = kiosk.login(card)
    assert verified.status_code == 200
    kiosk.store = ELSEWHERE
    path = f"/sessions/{session_id}/requests"
    _answer(document, "POST", path, kiosk.request(session_id, "住民票の写し"), 409, "store_mismatch")
    _answer(document, "GET", f"/sessions/{session_id}/menu", kiosk.get(f"/sessions/{session_id}/menu"), 409,
            "store_mismatch")
    kiosk.store = dict(STORE)
    request_id = kiosk.request(session_id, "住民票の写し").get_json()["request_id"]
    kiosk.store = ELSEWHERE
    _answer(document, "POST", f"/requests/{request_id}/payment", kiosk.pay(request_id, 200), 409, "store_mismatch")
    kiosk.store = dict(STORE)
    assert kiosk.pay(request_id, 200).status_code == 200
    kiosk.store = ELSEWHERE
    before = _issues(system_session)
    _answer(document, "POST", f"/requests/{request_id}/issue", kiosk.issue(request_id), 409, "store_mismatch")
    assert _issues(system_session) == before
    kiosk.store = dict(STORE)
    assert kiosk.issue(request_id).status_code == 201
    log = system_session.scalar(select(IssuanceLog).order_by(IssuanceLog.id.desc()))
    assert (log.store_operator, log.store_lg_code) == ("demo-mart", STORE["X-Kiosk-Store-Lg-Code"])


def test_a_paid_request_refused_at_the_pdf_is_refund_due_until_the_store_confirms_the_refund(
        kiosk, card, app, system_session, document):
    _, request_id = _paid(kiosk, card)
    with database.unit_of_work(SYSTEM) as session:  # the contract ended yesterday
        contracts.set_contract(session, Actor.system(DEMO_CODE), DEMO_CODE, "demo-mart", date(2020, 4, 1),
                               date(2026, 11, 25))
    before = _issues(system_session)
    pdf = f"/requests/{request_id}/issue"
    refused = _answer(document, "POST", pdf, kiosk.issue(request_id), 403, "no_contract")
    assert refused["details"]["request_status"] == "refund_due"
    state = _answer(document, "GET", f"/requests/{request_id}", kiosk.get(f"/requests/{request_id}"), 200)
    assert state["status"] == "refund_due" and state["refund"]["reason"] == "no_contract"
    assert state["refund"]["amount_yen"] == 200 and state["refund"]["refunded_at"] is None
    _answer(document, "POST", pdf, kiosk.issue(request_id), 409, "refund_due")
    refund = f"/requests/{request_id}/refund"
    _answer(document, "POST", refund, kiosk.post(refund, {"amount_yen": 100}), 422, "refund_mismatch")
    done = _answer(document, "POST", refund, kiosk.post(refund, {"amount_yen": 200}), 200)
    assert done["status"] == "refunded" and done["refund"]["refunded_at"]
    _answer(document, "POST", refund, kiosk.post(refund, {"amount_yen": 200}), 409, "refund_not_due")
    assert _issues(system_session) == before
    audited = system_session.scalars(select(AuditEntry.detail["state"].astext).where(
        AuditEntry.action == "kiosk_refund", AuditEntry.lg_code == DEMO_CODE).order_by(AuditEntry.id)).all()
    assert audited == ["refund_due", "refunded"]
    _settlement_shows(app, due=(0, 0), refunded=(1, 200))


@pytest.mark.parametrize("failure", [RuntimeError("renderer bug"),
                                     DataError("INSERT …", {}, Exception("value too long for type"))])
def test_a_paid_request_whose_issue_fails_unexpectedly_is_refund_due(kiosk, card, monkeypatch, system_session,
                                                                     document, caplog, failure):
    """Not only a refusal: any failure of the issue (a defect in the engine, a value the database
    refuses) stores nothing of the issue, and the paid request is refund_due all the same."""
    _, request_id = _paid(kiosk, card)
    before = _issues(system_session)

    def broken_renderer(*args, **kwargs):
        raise failure

    monkeypatch.setattr(render, "render_pdf", broken_renderer)
    failed = _answer(document, "POST", f"/requests/{request_id}/issue", kiosk.issue(request_id), 500, "issue_failed")
    assert failed["details"]["request_status"] == "refund_due"
    state = kiosk.get(f"/requests/{request_id}").get_json()
    assert (state["status"], state["refund"]["reason"], state["refund"]["amount_yen"]) == ("refund_due",
                                                                                           "issue_failed", 200)
    assert _issues(system_session) == before
    assert any(record.exc_info and record.exc_info[1] is failure for record in caplog.records)


def test_the_issue_rechecks_the_opening_hours(kiosk, card, app, monkeypatch, system_session, document):
    _clock(app, monkeypatch, "2026-11-26T22:58:00+09:00")
    session_id, late = _paid(kiosk, card)
    issued_id = kiosk.request(session_id, "住民票の写し").get_json()["request_id"]
    kiosk.pay(issued_id, 200)
    assert kiosk.issue(issued_id).status_code == 201
    unpaid = kiosk.request(session_id, "住民票の写し").get_json()["request_id"]
    _clock(app, monkeypatch, "2026-11-26T23:00:00+09:00")
    _answer(document, "POST", f"/sessions/{session_id}/requests", kiosk.request(session_id, "住民票の写し"), 503,
            "closed_hours")
    # The store took the money before closing and says so after 23:00: the payment is recorded.
    assert kiosk.pay(unpaid, 200).get_json()["status"] == "paid"
    _clock(app, monkeypatch, "2026-11-26T23:05:00+09:00")
    before = _issues(system_session)
    for request_id in (late, unpaid):
        refused = _answer(document, "POST", f"/requests/{request_id}/issue", kiosk.issue(request_id), 503,
                          "closed_hours")
        assert refused["details"]["request_status"] == "refund_due"
        assert kiosk.get(f"/requests/{request_id}").get_json()["refund"]["reason"] == "closed_hours"
    assert _issues(system_session) == before
    assert kiosk.pdf(issued_id).status_code == 200  # the issued document is served again after closing


def test_a_paid_request_not_collected_in_time_is_refund_due(kiosk, card, app, monkeypatch, system_session, document):
    _, late = _paid(kiosk, card)
    _, forgotten = _paid(kiosk, card)
    _, cancelled = _paid(kiosk, card)
    done = kiosk.post(f"/requests/{cancelled}/refund", {"amount_yen": 200}).get_json()
    assert done["status"] == "refunded" and done["refund"]["reason"] == "store_cancelled"
    _clock(app, monkeypatch, "2026-11-26T10:11:00+09:00")
    refused = _answer(document, "POST", f"/requests/{late}/issue", kiosk.issue(late), 410, "request_expired")
    assert refused["details"]["request_status"] == "refund_due"
    state = kiosk.get(f"/requests/{late}").get_json()
    assert (state["status"], state["refund"]["reason"]) == ("refund_due", "request_expired")
    assert kiosk.get(f"/requests/{forgotten}").get_json()["status"] == "paid"
    # Another resident's request of the town settles the forgotten one as well.
    session_id, _ = kiosk.login(card)
    assert kiosk.request(session_id, "住民票の写し").status_code == 201
    state = kiosk.get(f"/requests/{forgotten}").get_json()
    assert (state["status"], state["refund"]["reason"]) == ("refund_due", "request_expired")
    _settlement_shows(app, due=(2, 400), refunded=(1, 200))


def _settlement_shows(app, due: tuple[int, int], refunded: tuple[int, int]) -> None:
    """The staff's and the operator's settlement pages of 2026-11 show the kiosk refunds of demo-mart."""
    staff = new_browser(app)
    assert staff.login(DEMO_CODE, "admin").status_code == 302
    operator = new_browser(app)
    assert operator.login(None, "jlis").status_code == 302
    pages = (staff.get("/certificates/statistics?month=2026-11"), operator.get("/operator/settlement?month=2026-11"))
    expected = (f'data-store-operator="demo-mart" data-due="{due[0]}" data-due-yen="{due[1]}" '
                f'data-refunded="{refunded[0]}" data-refunded-yen="{refunded[1]}"')
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and 'id="kiosk-refunds"' in html
        rows = re.findall(r"<tr [^>]*data-store-operator=[^>]*>", html)
        assert any(expected in row for row in rows), rows
        assert "refunds.csv" in html and "refunds.xlsx" in html  # the same rows as a download
    # The downloads, read back: the store operator's line and the totals row.
    staff_csv = staff.get("/certificates/statistics/refunds.csv?month=2026-11").data.decode("utf-8-sig")
    operator_csv = operator.get("/operator/statistics/refunds.csv?month=2026-11&encoding=cp932").data.decode("cp932")
    amounts = [str(due[0]), str(due[1]), str(refunded[0]), str(refunded[1])]
    assert [["2026-11", "demo-mart", *amounts], ["2026-11", "合計", *amounts]] == _csv_rows(staff_csv)[1:]
    assert ["2026-11", DEMO_CODE, "宮城県桜ヶ丘町", "demo-mart", *amounts] in _csv_rows(operator_csv)


def _csv_rows(text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text)))
