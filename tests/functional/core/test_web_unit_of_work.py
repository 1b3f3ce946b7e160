"""One unit of work per request (house rule 3): a view that returns normally commits its work, an
error (a domain error, caught or not, or any other) leaves nothing of it, and a refusal keeps only
its own records (the audit entry, a failed login counted, a paid kiosk request made refund_due)."""
import pytest
from flask import Response
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.audit.services import Actor, record
from app.auth.models import User
from app.certificates import issuance
from app.certificates.counter import desk as counter
from app.certificates.models import IssuanceLog, IssuedCertificate
from app.db import Scope, set_scope
from app.errors import Conflict, ValidationError
from app.extensions import db as database
from app.residents.models import Resident
from tests.helpers.cards import fresh_card
from tests.helpers.demo import DEMO_CODE
from tests.helpers.kiosk import documented, template_of


@pytest.fixture()
def person(system_session):
    return system_session.scalars(select(Resident).where(
        Resident.lg_code == DEMO_CODE, Resident.status == "住登内", Resident.removed_on.is_(None),
        Resident.is_protected.is_(False), Resident.is_household_head).order_by(Resident.id)).first()


def _count(system_session, model, *where) -> int:
    system_session.expire_all()
    return system_session.scalar(select(func.count()).select_from(model).where(*where))


def _audit_since(system_session, last_id: int) -> list[str]:
    return list(system_session.scalars(select(AuditEntry.action).where(AuditEntry.id > last_id)
                                       .order_by(AuditEntry.id)))


def _last_audit_id(system_session) -> int:
    return system_session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))


def _issue_at_counter(browser, person, system_session, before_post=lambda: None):
    """POST the counter's issue form (its CSRF token fetched first); the audit entries written by
    the POST alone are those after the returned id."""
    token = browser.csrf_token(f"/certificates/counter/{person.atena_no}")
    last = _last_audit_id(system_session)
    before_post()
    response = browser.client.post(f"/certificates/counter/{person.atena_no}/issue",
                                   data={"csrf_token": token, "document_type": "住民票の写し"})
    return response, last


def _then(failure, keep=None):
    """``counter.issue_at_counter`` that issues for real (signed PDF, log row and audit entry flushed)
    and then fails with ``failure``, which keeps ``keep``'s records after the rollback."""
    real = counter.issue_at_counter

    def issue_then_fail(session, actor, *args, **kwargs):
        real(session, actor, *args, **kwargs)
        raise failure.keeping(lambda rolled_back: keep(rolled_back, actor)) if keep else failure

    return issue_then_fail


def test_a_view_that_returns_normally_commits_its_work(as_admin, person, system_session):
    before = _count(system_session, IssuedCertificate)
    response, last = _issue_at_counter(as_admin, person, system_session)
    assert response.status_code == 302, response.get_data(as_text=True)
    # The session of the test ends with the request: what it did not commit would be gone by now.
    assert _count(system_session, IssuedCertificate) == before + 1
    assert "certificate_pdf_issue" in _audit_since(system_session, last)


@pytest.mark.parametrize(("failure", "status"), [(RuntimeError("a defect after the write"), 500),
                                                 (Conflict("他の利用者が先に更新しました。"), 409)])
def test_a_view_that_fails_after_a_service_wrote_leaves_nothing(as_admin, person, system_session, monkeypatch,
                                                                failure, status):
    monkeypatch.setattr(counter, "issue_at_counter", _then(failure))
    before = (_count(system_session, IssuedCertificate), _count(system_session, IssuanceLog))
    response, last = _issue_at_counter(as_admin, person, system_session)
    assert response.status_code == status
    assert (_count(system_session, IssuedCertificate), _count(system_session, IssuanceLog)) == before
    assert "certificate_pdf_issue" not in _audit_since(system_session, last)


def test_a_commit_that_fails_answers_with_the_error_page_and_keeps_nothing(app, as_admin, person, system_session,
                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # answered as in production
    failed = []

    def fail_the_first_commit(session):
        if not failed:
            failed.append(session)
            raise RuntimeError("the database refused the commit")

    before = _count(system_session, IssuedCertificate)
    response, last = _issue_at_counter(as_admin, person, system_session,
                                       lambda: event.listen(Session, "before_commit", fail_the_first_commit))
    event.remove(Session, "before_commit", fail_the_first_commit)
    assert failed and response.status_code == 500
    assert "システムエラーが発生しました" in response.get_data(as_text=True)
    assert _count(system_session, IssuedCertificate) == before
    assert "certificate_pdf_issue" not in _audit_since(system_session, last)


def test_a_refused_form_leaves_only_its_refusal_and_the_page_shown_again(as_admin, person, system_session,
                                                                         monkeypatch):
    def refusal_entry(session, actor):
        record(session, actor, "certificate_refused", "resident", [person.atena_no], code="late_refusal")

    refusal = ValidationError("この証明書は発行できません（確認のための拒否）。", code="late_refusal")
    monkeypatch.setattr(counter, "issue_at_counter", _then(refusal, refusal_entry))
    before = (_count(system_session, IssuedCertificate), _count(system_session, IssuanceLog))
    response, last = _issue_at_counter(as_admin, person, system_session)
    assert response.status_code == 422
    assert "確認のための拒否" in response.get_data(as_text=True)
    assert (_count(system_session, IssuedCertificate), _count(system_session, IssuanceLog)) == before
    # The refusal's own entry, then the person page shown again (read, and audited, after the rollback).
    assert _audit_since(system_session, last) == ["certificate_refused", "record_view"]


def test_a_refused_login_keeps_the_failure_it_counts(web, system_session):
    user = system_session.scalar(select(User).where(User.lg_code == DEMO_CODE, User.login_id == "admin"))
    failures, last = user.failed_logins, _last_audit_id(system_session)
    response = web.login(DEMO_CODE, "admin", "not-the-password")
    assert response.status_code == 401
    system_session.expire_all()
    assert system_session.get(User, user.id).failed_logins == failures + 1
    assert _audit_since(system_session, last) == ["login_failed"]


@pytest.mark.parametrize(("status", "kept"), [(200, True), (303, True), (422, False), (500, False)])
def test_an_answer_the_view_built_commits_only_when_it_is_not_an_error(app, db, system_session, status, kept):
    with app.test_request_context("/"):
        set_scope(database.session, Scope.tenant(DEMO_CODE))
        record(database.session, Actor.system(DEMO_CODE), "record_view", "resident", [], marker=status)
        app.process_response(Response(status=status))
    database.session.remove()
    assert _count(system_session, AuditEntry, AuditEntry.detail["marker"].astext == str(status)) == int(kept)


def test_a_kiosk_issue_refused_after_the_certificate_was_written_is_refund_due_and_issues_nothing(
        kiosk, jpki, tmp_path, document, system_session, monkeypatch):
    session_id, verified = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
    assert verified.status_code == 200, verified.get_data(as_text=True)
    request_id = kiosk.request(session_id, "住民票の写し").get_json()["request_id"]
    assert kiosk.pay(request_id, 200).get_json()["status"] == "paid"
    real = issuance.issue

    def issue_then_refuse(*args, **kwargs):
        real(*args, **kwargs)
        raise ValidationError("証明書に印字できない文字が含まれています。", code="unsupported_characters")

    monkeypatch.setattr(issuance, "issue", issue_then_refuse)
    before = (_count(system_session, IssuedCertificate), _count(system_session, IssuanceLog))
    last = _last_audit_id(system_session)
    refused = kiosk.issue(request_id)
    assert refused.status_code == 422, refused.get_data(as_text=True)
    documented(document, "POST", template_of(f"/requests/{request_id}/issue"), refused)
    body = refused.get_json()
    assert (body["code"], body["details"]["request_status"]) == ("unsupported_characters", "refund_due")
    state = kiosk.get(f"/requests/{request_id}").get_json()
    assert (state["status"], state["refund"]["reason"]) == ("refund_due", "unsupported_characters")
    assert (_count(system_session, IssuedCertificate), _count(system_session, IssuanceLog)) == before
    assert _audit_since(system_session, last)[:1] == ["kiosk_refund"]
    assert "certificate_pdf_issue" not in _audit_since(system_session, last)
