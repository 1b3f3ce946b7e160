"""The kiosk API end to end: card → menu → request → payment → signed PDF (read back by pdftotext,
signature checked), issued exactly once with its log row; and every refusal precisely, with
nothing half-issued."""
import subprocess

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.certificates.issuer import issuer_from_config, signing_paths
from app.certificates.models import IssuanceLog, IssuedCertificate
from app.kiosk.models import KioskMaintenanceDay
from certificate_engine.signing import signature_status
from fixtures.demo_disaster import issue_household_certificate
from tests.factories import store_operator
from tests.helpers.cards import fresh_card, heads
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.kiosk import OPEN_NOW, STORE, KioskClient, resident


def _refused(response, code, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == code and body["detail"], body
    return body


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "issued.pdf"
    path.write_bytes(pdf)
    return "".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                  check=True).stdout.split())


def _counts(system_session):
    return (system_session.scalar(select(func.count()).select_from(IssuedCertificate)),
            system_session.scalar(select(func.count()).select_from(IssuanceLog)))


@pytest.mark.parametrize(("document_type", "expected"), [
    ("住民票の写し", ["住民票の写し"]), ("印鑑登録証明書", ["印鑑登録証明書"]),
    ("所得証明書", ["所得証明書", "令和8年度"]), ("納税証明書", ["納税証明書"])])
def test_kiosk_issues_a_signed_pdf_once_with_its_log_row(kiosk, jpki, tmp_path, system_session, app,
                                                         document_type, expected):
    session_id, verified = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
    assert verified.status_code == 200, verified.get_data(as_text=True)
    assert verified.get_json()["eligible"] and verified.get_json()["lg_code"] == DEMO_CODE
    menu = {d["document_type"]: d for d in kiosk.get(f"/sessions/{session_id}/menu").get_json()["documents"]}
    assert menu[document_type]["available"] and menu[document_type]["fee_yen"] == 200
    quoted = kiosk.request(session_id, document_type)
    assert quoted.status_code == 201, quoted.get_data(as_text=True)
    request_id = quoted.get_json()["request_id"]
    assert kiosk.pay(request_id, 200).get_json()["status"] == "paid"
    before = _counts(system_session)
    first = kiosk.issue(request_id)
    assert first.status_code == 201 and first.mimetype == "application/pdf", first.get_data(as_text=True)
    text = _pdf_text(first.data, tmp_path)
    person = resident(system_session, DEMO_CODE, heads(DEMO_CODE, 1)[0][0])
    assert all(word in text for word in expected) and "".join(person.name.split()) in text
    status = signature_status(first.data, signing_paths(app.config)[2])
    assert status.intact and status.valid and status.trusted
    again, reread = kiosk.issue(request_id), kiosk.pdf(request_id)  # a retried issue, a reprint: no second issue
    assert (again.status_code, reread.status_code) == (200, 200)
    assert again.data == reread.data == first.data and _counts(system_session) == (before[0] + 1, before[1] + 1)
    issued = system_session.scalar(select(IssuedCertificate).order_by(IssuedCertificate.id.desc()))
    assert (issued.lg_code, issued.channel, issued.document_type) == (DEMO_CODE, "コンビニ", document_type)
    log = system_session.scalar(select(IssuanceLog).where(IssuanceLog.issued_certificate_id == issued.id))
    assert (log.fee_yen, log.commission_yen, log.bcl_fee_yen) == (200, 117, 180)
    assert (log.store_operator, log.store_lg_code, log.channel) == ("demo-mart", "041009", "コンビニ")
    audited = [action for action, ids in system_session.execute(select(AuditEntry.action, AuditEntry.target_ids).where(
        AuditEntry.lg_code == DEMO_CODE, AuditEntry.target_type == "issued_certificate")) if str(issued.id) in ids]
    assert "certificate_pdf_issue" in audited and "certificate_download" in audited


def test_kiosk_serials_are_consecutive_per_type(kiosk, jpki, tmp_path, system_session):
    serials = []
    for _ in range(2):
        session_id, _ = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
        request_id = kiosk.request(session_id, "住民票の写し").get_json()["request_id"]
        kiosk.pay(request_id, 200)
        assert kiosk.issue(request_id).status_code == 201
        serials.append(system_session.scalar(select(IssuedCertificate.serial).order_by(IssuedCertificate.id.desc())))
    assert serials[0].startswith("住2026-") and int(serials[1][-6:]) == int(serials[0][-6:]) + 1


def test_kiosk_unpaid_request_gives_no_pdf(kiosk, jpki, tmp_path, system_session):
    session_id, _ = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
    request_id = kiosk.request(session_id, "住民票の写し").get_json()["request_id"]
    before = _counts(system_session)
    _refused(kiosk.issue(request_id), "payment_not_confirmed", 402)
    _refused(kiosk.pay(request_id, 100), "payment_mismatch", 422)
    _refused(kiosk.issue(request_id), "payment_not_confirmed", 402)
    assert _counts(system_session) == before


def test_kiosk_reading_a_pdf_never_issues_one(kiosk, jpki, tmp_path, system_session):
    """GET has no legal effect: a paid request is issued only by its POST …/issue."""
    session_id, _ = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
    request_id = kiosk.request(session_id, "住民票の写し").get_json()["request_id"]
    kiosk.pay(request_id, 200)
    before = _counts(system_session)
    _refused(kiosk.pdf(request_id), "not_issued", 409)
    assert kiosk.get(f"/requests/{request_id}").get_json()["status"] == "paid"
    assert _counts(system_session) == before
    assert kiosk.issue(request_id).status_code == 201
    assert kiosk.pdf(request_id).status_code == 200 and _counts(system_session) == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize(("label", "code"), [("expired", "certificate_expired"), ("revoked", "certificate_revoked"),
                                             ("forged", "untrusted_issuer")])
def test_kiosk_refuses_bad_cards(kiosk, jpki, tmp_path, label, code):
    session_id, verified = kiosk.login(fresh_card(jpki, label, tmp_path))
    _refused(verified, code, 401)
    _refused(kiosk.get(f"/sessions/{session_id}/menu"), "session_not_verified", 409)


def test_kiosk_refuses_a_replayed_challenge_and_a_signature_over_something_else(kiosk, jpki, tmp_path):
    card = fresh_card(jpki, "demo-1", tmp_path)
    opened = kiosk.post("/sessions").get_json()
    answer = card.respond(opened["challenge_id"], opened["challenge"], "1234")
    assert kiosk.post(f"/sessions/{opened['session_id']}/verify", answer).status_code == 200
    _refused(kiosk.post(f"/sessions/{opened['session_id']}/verify", answer), "session_verified", 409)
    other = kiosk.post("/sessions").get_json()
    _refused(kiosk.post(f"/sessions/{other['session_id']}/verify", {**answer, "challenge_id": other["challenge_id"]}),
             "bad_signature", 401)
    third = kiosk.post("/sessions").get_json()
    replay = kiosk.post(f"/sessions/{third['session_id']}/verify", answer)
    _refused(replay, "challenge_unknown", 401)


def test_kiosk_refuses_outside_hours_and_on_maintenance_days(kiosk, app, monkeypatch, system_session):
    for moment, code in (("2026-11-26T06:29:00+09:00", "closed_hours"), ("2026-11-26T23:00:00+09:00", "closed_hours"),
                         ("2026-12-30T10:00:00+09:00", "closed_year_end")):
        monkeypatch.setitem(app.config, "KIOSK_FIXED_NOW", moment)
        _refused(kiosk.post("/sessions"), code, 503)
    monkeypatch.setitem(app.config, "KIOSK_FIXED_NOW", OPEN_NOW)
    from datetime import date

    system_session.add(KioskMaintenanceDay(day=date(2026, 11, 26), note="定期保守"))
    system_session.commit()
    _refused(kiosk.post("/sessions"), "closed_maintenance", 503)


def test_kiosk_refuses_ineligible_people_and_unknown_documents(kiosk, jpki, tmp_path, system_session):
    session_id, _ = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
    _refused(kiosk.request(session_id, "戸籍謄本"), "document_unknown", 422)
    _refused(kiosk.request(session_id, "罹災証明書"), "no_final_grade", 422)
    _refused(kiosk.request(session_id, "被災証明書"), "document_unknown", 422)
    _refused(kiosk.request(session_id, "所得証明書", {"fiscal_year": 2024}), "tax_year_not_current", 422)
    person = resident(system_session, DEMO_CODE, heads(DEMO_CODE, 1)[0][0])
    person.is_protected = True
    system_session.commit()
    session_id, verified = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
    assert verified.status_code == 200 and verified.get_json()["refusal"]["code"] == "protected"
    menu = kiosk.get(f"/sessions/{session_id}/menu").get_json()["documents"]
    assert menu and all(d["refusal"]["code"] == "protected" for d in menu)
    _refused(kiosk.request(session_id, "住民票の写し"), "protected", 403)
    person.is_protected, person.birth_date = False, person.birth_date.replace(year=2012)
    system_session.commit()
    session_id, _ = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
    _refused(kiosk.request(session_id, "住民票の写し"), "under_age", 403)
    person.birth_date, person.status = person.birth_date.replace(year=1970), "転出"
    person.removed_on = person.birth_date.replace(year=2026, month=12, day=1)
    system_session.commit()
    session_id, verified = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
    assert verified.get_json()["refusal"]["code"] == "moved_out"
    _refused(kiosk.request(session_id, "住民票の写し"), "moved_out", 403)
    # Each refusal about the person is audited under the person's municipality (after the rollback).
    refusals = [(entry.detail["code"], entry.detail["document_type"]) for entry in system_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "certificate_refused", AuditEntry.lg_code == DEMO_CODE)
        .order_by(AuditEntry.id)) if entry.target_ids == [person.atena_no]]
    assert refusals == [("document_unknown", "戸籍謄本"), ("no_final_grade", "罹災証明書"),
                        ("document_unknown", "被災証明書"), ("tax_year_not_current", "所得証明書"),
                        ("protected", ""), ("protected", "住民票の写し"),
                        ("under_age", ""), ("under_age", "住民票の写し"),
                        ("moved_out", ""), ("moved_out", "住民票の写し")]


def test_kiosk_bad_store_credentials_are_refused(kiosk):
    kiosk.token = kiosk.token[:-2] + "xx"
    _refused(kiosk.post("/sessions"), "unauthorized", 401)


def test_kiosk_never_serves_another_store_or_municipality(kiosk, jpki, tmp_path, web, system_session):
    session_id, verified = kiosk.login(fresh_card(jpki, "second-1", tmp_path))
    assert verified.get_json()["lg_code"] == SECOND_CODE
    request_id = kiosk.request(session_id, "住民票の写し").get_json()["request_id"]
    other = KioskClient(web.client, store_operator("other-mart"), dict(STORE))
    _refused(other.get(f"/sessions/{session_id}/menu"), "session_unknown", 404)
    _refused(other.pay(request_id, 200), "request_unknown", 404)
    assert kiosk.pay(request_id, 200).status_code == 200
    _refused(other.issue(request_id), "request_unknown", 404)
    served = kiosk.issue(request_id)
    assert served.status_code == 201 and "北山村" in _pdf_text(served.data, tmp_path)
    issued = system_session.scalar(select(IssuedCertificate).order_by(IssuedCertificate.id.desc()))
    log = system_session.scalar(select(IssuanceLog).where(IssuanceLog.issued_certificate_id == issued.id))
    assert (issued.lg_code, log.lg_code, log.store_lg_code) == (SECOND_CODE, SECOND_CODE, "041009")


def test_kiosk_openapi_is_public(web):
    document = web.client.get("/api/kiosk/v1/openapi.json").get_json()
    assert "/sessions/{session_id}/verify" in document["paths"]
    refused = document["paths"]["/requests/{request_id}/issue"]["post"]["responses"]["402"]
    assert refused["content"]["application/problem+json"]["schema"]["properties"]["code"]["enum"] == [
        "payment_not_confirmed"]


def test_kiosk_rotated_or_inactive_store_tokens_stop_working(kiosk):
    from app.db import SYSTEM
    from app.extensions import db as database
    from app.kiosk import stores

    assert kiosk.post("/sessions").status_code == 201
    with database.unit_of_work(SYSTEM) as session:
        fresh = stores.rotate_token(session, "demo-mart")
    _refused(kiosk.post("/sessions"), "unauthorized", 401)
    kiosk.token = fresh
    assert kiosk.post("/sessions").status_code == 201
    with database.unit_of_work(SYSTEM) as session:
        stores.set_active(session, "demo-mart", False)
        assert [o.token_hint for o in stores.list_operators(session)] == [fresh[-6:]]
    _refused(kiosk.post("/sessions"), "unauthorized", 401)


def test_kiosk_prints_the_individual_number_only_when_asked(kiosk, jpki, tmp_path, system_session):
    from app.certificates.builders import my_number

    person = resident(system_session, DEMO_CODE, heads(DEMO_CODE, 1)[0][0])
    number = my_number(system_session, person)
    assert len(number) == 12 and number.isdigit()
    texts = {}
    for asked in (True, False):
        session_id, _ = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
        quoted = kiosk.request(session_id, "住民票の写し", {"my_number": asked, "head_and_relationship": True})
        request_id = quoted.get_json()["request_id"]
        kiosk.pay(request_id, 200)
        texts[asked] = _pdf_text(kiosk.issue(request_id).data, tmp_path)
    assert number in texts[True] and "個人番号" in texts[True]
    assert number not in texts[False] and "世帯主" in texts[False]


def test_kiosk_prints_a_copy_of_the_households_issued_disaster_certificate(kiosk, jpki, tmp_path, system_session,
                                                                          app):
    card = fresh_card(jpki, "demo-1", tmp_path)
    session_id, _ = kiosk.login(card)
    menu = [d["document_type"] for d in kiosk.get(f"/sessions/{session_id}/menu").get_json()["documents"]]
    assert "罹災証明書" not in menu  # no issued 罹災証明書 in the household: not offered to this person
    application = issue_household_certificate(system_session, issuer_from_config(app.config, "http://localhost/verify"),
                                              DEMO_CODE, heads(DEMO_CODE, 1)[0][0], grade="中規模半壊")
    system_session.commit()
    session_id, _ = kiosk.login(card)
    menu = {d["document_type"]: d for d in kiosk.get(f"/sessions/{session_id}/menu").get_json()["documents"]}
    assert menu["罹災証明書"]["available"] and menu["罹災証明書"]["fee_yen"] == 10  # free at the counter: 10 円 here
    quoted = kiosk.request(session_id, "罹災証明書")
    assert quoted.status_code == 201, quoted.get_data(as_text=True)
    request_id = quoted.get_json()["request_id"]
    kiosk.pay(request_id, 10)
    issued = kiosk.issue(request_id)
    assert issued.status_code == 201, issued.get_data(as_text=True)
    text = _pdf_text(issued.data, tmp_path)
    assert "罹災証明書" in text and "■中規模半壊" in text and f"{application.certificate_no}-2" in text
    assert signature_status(issued.data, signing_paths(app.config)[2]).valid
    copy = system_session.scalar(select(IssuedCertificate).order_by(IssuedCertificate.id.desc()))
    assert (copy.subject_type, copy.subject_id, copy.channel) == ("certificate_application", application.id, "コンビニ")
    log = system_session.scalar(select(IssuanceLog).where(IssuanceLog.issued_certificate_id == copy.id))
    assert (log.fee_yen, log.commission_yen, log.bcl_fee_yen) == (10, 117, 0)  # the municipality pays 107 円
    # A 再調査 requested: the grade is no longer final, so no copy until the new certificate is issued.
    application.status = "再調査依頼"
    system_session.commit()
    session_id, _ = kiosk.login(card)
    before = _counts(system_session)
    _refused(kiosk.request(session_id, "罹災証明書"), "no_final_grade", 422)
    assert _counts(system_session) == before


def test_kiosk_serves_only_residents_of_municipalities_with_a_contract(kiosk, jpki, tmp_path, system_session):
    from datetime import date

    from app.audit.services import Actor
    from app.db import SYSTEM
    from app.extensions import db as database
    from app.kiosk import contracts
    from app.kiosk.models import KioskContract

    def contract(lg_code, started, ended=None):
        with database.unit_of_work(SYSTEM) as session:
            contracts.set_contract(session, Actor.system(lg_code), lg_code, "lonely-mart", started, ended)

    lonely = KioskClient(kiosk.client, store_operator("lonely-mart", contracted=False), dict(STORE))
    session_id, verified = lonely.login(fresh_card(jpki, "demo-1", tmp_path))
    assert verified.status_code == 200 and verified.get_json()["refusal"]["code"] == "no_contract"
    assert "契約をしていません" in verified.get_json()["refusal"]["message"]
    before = _counts(system_session)
    _refused(lonely.get(f"/sessions/{session_id}/menu"), "no_contract", 403)
    _refused(lonely.request(session_id, "住民票の写し"), "no_contract", 403)
    # A contract of 北山村 only: 桜ヶ丘町's residents are still refused, 北山村's are served.
    contract(SECOND_CODE, date(2026, 4, 1))
    _refused(lonely.request(session_id, "住民票の写し"), "no_contract", 403)
    second_id, second = lonely.login(fresh_card(jpki, "second-1", tmp_path))
    assert second.get_json()["eligible"] and lonely.request(second_id, "住民票の写し").status_code == 201
    # A contract that ended yesterday (2026-11-25) or starts tomorrow does not serve today.
    for started, ended in ((date(2025, 4, 1), date(2026, 11, 25)), (date(2026, 11, 27), None)):
        contract(DEMO_CODE, started, ended)
        _refused(lonely.request(session_id, "住民票の写し"), "no_contract", 403)
    contract(DEMO_CODE, date(2026, 11, 26), date(2026, 11, 26))
    assert lonely.request(session_id, "住民票の写し").status_code == 201
    assert _counts(system_session) == before  # quotes only: nothing issued, nothing charged
    with database.unit_of_work(SYSTEM) as session:  # one row per municipality and operator, its period changed
        periods = {(c.lg_code, c.started_on, c.ended_on) for c in session.scalars(
            select(KioskContract).where(KioskContract.store_operator == "lonely-mart"))}
    assert periods == {(SECOND_CODE, date(2026, 4, 1), None), (DEMO_CODE, date(2026, 11, 26), date(2026, 11, 26))}
    refused = system_session.scalars(select(AuditEntry.detail).where(
        AuditEntry.action == "certificate_refused", AuditEntry.lg_code == DEMO_CODE)).all()
    assert sum(1 for detail in refused if detail["code"] == "no_contract") == 6
