"""Request bodies the kiosk API refuses before any service runs: JSON of the wrong type, nested too
deep, strings with control characters, integers out of range, undeclared options and bodies over
each endpoint's size limit. Each is a 4xx problem document with a precise code that the OpenAPI
document declares for the operation; nothing is stored, and a refused request body is audited."""
import io
import json

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.audit.models import AuditEntry
from app.kiosk.models import KioskRequest, KioskSession
from tests.helpers.cards import fresh_card, heads
from tests.helpers.demo import DEMO_CODE
from tests.helpers.kiosk import documented, template_of


@pytest.fixture()
def verified(kiosk, jpki, tmp_path):
    session_id, answer = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return session_id


def _refused(document, method, path, response, code, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == code and body["detail"], body
    documented(document, method, template_of(path), response)
    return body


def _requests(system_session):
    return system_session.scalar(select(func.count()).select_from(KioskRequest))


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_kiosk_refuses_json_of_the_wrong_type(kiosk, verified, document, system_session):
    path = f"/sessions/{verified}/requests"
    _refused(document, "POST", path, kiosk.post_raw(path, "[1, 2]"), "body_invalid", 400)
    quoted = kiosk.request(verified, "住民票の写し").get_json()
    payment = f"/requests/{quoted['request_id']}/payment"
    _refused(document, "POST", payment, kiosk.post_raw(payment, '"200"'), "body_invalid", 400)
    _refused(document, "POST", payment, kiosk.post(payment, {"amount_yen": "200"}), "body_invalid", 400)
    verify = f"/sessions/{verified}/verify"
    _refused(document, "POST", verify, kiosk.post_raw(verify, "42"), "body_invalid", 400)
    for not_json in (b"{", b"\xff\xfe{}", b'{"document_type": NaN}', b""):
        _refused(document, "POST", path, kiosk.post_raw(path, not_json), "body_invalid", 400)
    assert _requests(system_session) == 1


def test_kiosk_refuses_json_nested_too_deep(kiosk, verified, document):
    path = f"/sessions/{verified}/requests"
    body = '{"document_type": "住民票の写し", "options": {"honseki": ' + _nested(1500) + "}}"
    _refused(document, "POST", path, kiosk.post_raw(path, body), "body_too_deep", 400)
    verify = f"/sessions/{verified}/verify"
    _refused(document, "POST", verify, kiosk.post_raw(verify, _nested(5000)), "body_too_deep", 400)
    _refused(document, "POST", path, kiosk.post_raw(path, _nested(100_000)), "body_too_large", 413)


def test_kiosk_refuses_control_characters_and_audits_the_refused_request(kiosk, verified, document, system_session):
    path = f"/sessions/{verified}/requests"
    refused = _refused(document, "POST", path, kiosk.request(verified, "住民票\u0000の写し"), "body_invalid", 400)
    assert refused["details"]["field"] == "/document_type"
    nul_option = kiosk.request(verified, "住民票記載事項証明書", {"submitted_to": "銀行\u0000"})
    option = _refused(document, "POST", path, nul_option, "option_invalid", 400)
    assert option["details"]["option"] == "submitted_to" and "submitted_to" in option["detail"]
    surrogate = '{"document_type": "\\ud800"}'
    _refused(document, "POST", path, kiosk.post_raw(path, surrogate), "body_invalid", 400)
    assert _requests(system_session) == 0
    atena_no = heads(DEMO_CODE, 1)[0][0]
    audited = [(e.detail["code"], e.detail["document_type"]) for e in system_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "certificate_refused", AuditEntry.lg_code == DEMO_CODE)
        .order_by(AuditEntry.id)) if e.target_ids == [atena_no]]
    assert audited == [("body_invalid", "住民票\ufffdの写し"), ("option_invalid", "住民票記載事項証明書"),
                       ("body_invalid", "\ufffd")]


@pytest.mark.parametrize(("document_type", "options", "code", "option"), [
    ("所得証明書", {"fiscal_year": 2**31}, "option_invalid", "fiscal_year"),
    ("罹災証明書", {"disaster_id": 2**31}, "option_invalid", "disaster_id"),
    ("罹災証明書", {"disaster_id": 0}, "option_invalid", "disaster_id"),
    ("住民票の写し", {"household": True}, "option_unknown", "household"),
    ("住民票の写し", {"honseki": {"nested": True}}, "option_invalid", "honseki"),
    ("住民票の写し", {"my_number": "yes"}, "option_invalid", "my_number"),
    ("印鑑登録証明書", {"fiscal_year": 2026}, "option_unknown", "fiscal_year"),
    ("住民票記載事項証明書", {"submitted_to": "あ" * 61}, "option_invalid", "submitted_to"),
])
def test_kiosk_checks_options_against_each_documents_declared_options(kiosk, verified, document, system_session,
                                                                     document_type, options, code, option):
    path = f"/sessions/{verified}/requests"
    refused = _refused(document, "POST", path, kiosk.request(verified, document_type, options), code, 400)
    assert refused["details"]["option"] == option and option in refused["detail"]
    assert _requests(system_session) == 0


def test_kiosk_refuses_an_amount_beyond_its_range(kiosk, verified, document):
    request_id = kiosk.request(verified, "住民票の写し").get_json()["request_id"]
    path = f"/requests/{request_id}/payment"
    for amount in (2**63, -200):
        _refused(document, "POST", path, kiosk.pay(request_id, amount), "body_invalid", 400)
    assert kiosk.pay(request_id, 200).get_json()["status"] == "paid"


def test_kiosk_limits_the_size_of_each_body(kiosk, jpki, tmp_path, document, system_session):
    sessions = system_session.scalar(select(func.count()).select_from(KioskSession))
    _refused(document, "POST", "/sessions", kiosk.post_raw("/sessions", b" " * 1_000_000), "body_too_large", 413)
    assert system_session.scalar(select(func.count()).select_from(KioskSession)) == sessions
    opened = kiosk.post("/sessions").get_json()
    answer = fresh_card(jpki, "demo-1", tmp_path).respond(opened["challenge_id"], opened["challenge"], "1234")
    verify = f"/sessions/{opened['session_id']}/verify"
    huge = {**answer, "certificate": answer["certificate"] + "A" * 1_000_000}
    _refused(document, "POST", verify, kiosk.post(verify, huge), "body_too_large", 413)
    long_certificate = {**answer, "certificate": "A" * 9000}
    _refused(document, "POST", verify, kiosk.post(verify, long_certificate), "body_invalid", 400)
    path = f"/sessions/{opened['session_id']}/requests"
    big_option = json.dumps({"document_type": "住民票記載事項証明書", "options": {"submitted_to": "x" * 1_000_000}})
    _refused(document, "POST", path, kiosk.post_raw(path, big_option), "body_too_large", 413)
    _refused(document, "POST", "/sessions", kiosk.post("/sessions", {"store": "x"}), "body_invalid", 400)


def test_kiosk_leaves_form_bodies_to_its_own_reader_and_limit(kiosk, document, system_session):
    """Nothing parses a form body sent to the kiosk API before the endpoint's own limit refuses it: a
    multipart upload, a form field past Werkzeug's form limit and a large urlencoded body are 413
    body_too_large, a small form (not JSON) is 400 body_invalid — whatever fields, file names or NUL
    characters they hold."""
    sessions = system_session.scalar(select(func.count()).select_from(KioskSession))
    csv = FileStorage(io.BytesIO(b"x" * 3_000_000), "a\x00.csv")
    for fields in ({"shelter_id": "x", "file": csv}, {"note": "x" * 600_000}):  # a file; a field past 500 KB
        boundary, body = encode_multipart(MultiDict(fields))
        multipart = kiosk.post_raw("/sessions", body, f"multipart/form-data; boundary={boundary}")
        _refused(document, "POST", "/sessions", multipart, "body_too_large", 413)
    large = kiosk.post_raw("/sessions", "note=" + "x" * 600_000, "application/x-www-form-urlencoded")
    _refused(document, "POST", "/sessions", large, "body_too_large", 413)
    small = kiosk.post_raw("/sessions", "note=%00&shelter_id=x", "application/x-www-form-urlencoded")
    _refused(document, "POST", "/sessions", small, "body_invalid", 400)
    assert system_session.scalar(select(func.count()).select_from(KioskSession)) == sessions
