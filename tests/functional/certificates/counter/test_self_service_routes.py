"""らくらく窓口 and 受付・お渡し: the card authenticates the person at the screen, the menu shows fees,
the request gets a 受付票 and a queue row and issues nothing; staff hand it over exactly once (channel
らくらく窓口, the fee in the issuance log) or cancel it; another municipality never sees the queue."""
import re
import subprocess

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.certificates.issuer import issuer_from_config
from app.certificates.models import CounterQueueEntry, IssuanceLog, IssuedCertificate
from app.residents.models import Resident
from fixtures.demo_disaster import issue_household_certificate
from tests.factories import register, with_seal_and_tax
from tests.helpers.cards import build_jpki, fresh_card, heads, trust_config
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.web import new_browser


@pytest.fixture(scope="module")
def jpki(app, tmp_path_factory):
    return build_jpki(tmp_path_factory.mktemp("jpki-self-service"))


@pytest.fixture()
def screen(as_admin, app, jpki, monkeypatch):
    trust_config(monkeypatch, app, jpki)
    register(jpki)
    return as_admin, {"X-CSRFToken": as_admin.csrf_token("/certificates/self-service")}


def _sign_in(screen, card, pin="1234"):
    browser, headers = screen
    challenge = browser.client.post("/certificates/self-service/card/challenge", headers=headers, json={})
    assert challenge.status_code == 200, challenge.get_data(as_text=True)
    body = challenge.get_json()
    return browser.client.post("/certificates/self-service/card/verify", headers=headers,
                               json=card.respond(body["challenge_id"], body["challenge"], pin))


def _request(screen, jpki, tmp_path, document_type="住民票の写し", **options):
    browser, _ = screen
    signed_in = _sign_in(screen, fresh_card(jpki, "demo-1", tmp_path))
    assert signed_in.get_json()["next"] == "/certificates/self-service/menu"
    response = browser.post("/certificates/self-service/confirm", {"document_type": document_type, **options},
                            form_page=f"/certificates/self-service/confirm?document_type={document_type}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/ticket/(\d+)$", response.headers["Location"]).group(1))


def _holder(system_session):
    return system_session.scalar(select(Resident).where(Resident.lg_code == DEMO_CODE,
                                                        Resident.atena_no == heads(DEMO_CODE, 1)[0][0]))


def _issued_to(system_session, resident):
    system_session.expire_all()
    return list(system_session.scalars(select(IssuedCertificate).where(
        IssuedCertificate.subject_type == "resident", IssuedCertificate.subject_id == resident.id)))


def test_self_service_card_menu_ticket_and_queue_row(screen, jpki, tmp_path, system_session):
    browser, _ = screen
    assert browser.get("/certificates/self-service/menu").status_code == 302  # no card yet
    assert _sign_in(screen, fresh_card(jpki, "demo-1", tmp_path)).status_code == 200
    menu = browser.get("/certificates/self-service/menu").get_data(as_text=True)
    assert 'data-document="住民票の写し"' in menu and "300円" in menu
    entry_id = _request(screen, jpki, tmp_path)
    ticket = browser.get(f"/certificates/self-service/ticket/{entry_id}").get_data(as_text=True)
    entry = system_session.get(CounterQueueEntry, entry_id)
    assert f'<p class="number" id="ticket-no">{entry.ticket_no}</p>' in ticket
    assert "窓口でお支払いください" in ticket and "住民票の写し" in ticket and "300円" in ticket
    holder = _holder(system_session)
    assert (entry.resident_id, entry.status, entry.fee_yen, entry.lg_code) == (holder.id, "受付", 300, DEMO_CODE)
    assert _issued_to(system_session, holder) == []
    assert browser.get("/certificates/self-service/menu").status_code == 302  # the turn ended
    second = _request(screen, jpki, tmp_path, "住民票記載事項証明書")
    system_session.expire_all()
    assert system_session.get(CounterQueueEntry, second).ticket_no == entry.ticket_no + 1


@pytest.mark.parametrize(("label", "code"), [("second-1", "other_municipality"), ("revoked", "certificate_revoked")])
def test_self_service_a_refused_card_opens_no_menu(screen, jpki, tmp_path, label, code):
    browser, _ = screen
    refused = _sign_in(screen, fresh_card(jpki, label, tmp_path))
    assert refused.status_code >= 400 and refused.get_json()["code"] == code
    assert browser.get("/certificates/self-service/menu").status_code == 302


def test_self_service_hand_over_issues_exactly_once(screen, jpki, tmp_path, system_session):
    browser, _ = screen
    entry_id = _request(screen, jpki, tmp_path)
    page = browser.get("/certificates/queue").get_data(as_text=True)
    assert f'data-ticket="{system_session.get(CounterQueueEntry, entry_id).ticket_no}"' in page
    response = browser.post(f"/certificates/queue/{entry_id}/hand-over", {"version": "1"},
                            form_page="/certificates/queue")
    assert response.status_code == 302 and response.headers["Location"] == "/certificates/queue"
    assert "カウンターのプリンタ（印刷端末）で印刷されます" in browser.get("/certificates/queue").get_data(as_text=True)
    assert browser.get(f"/certificates/queue/{entry_id}/certificate.pdf").mimetype == "application/pdf"
    system_session.expire_all()
    entry = system_session.get(CounterQueueEntry, entry_id)
    assert (entry.status, entry.handed_over_by) == ("交付済", "admin") and entry.handed_over_at is not None
    issued = system_session.get(IssuedCertificate, entry.issued_certificate_id)
    log = system_session.scalar(select(IssuanceLog).where(IssuanceLog.issued_certificate_id == issued.id))
    assert (issued.channel, log.channel, log.fee_yen) == ("らくらく窓口", "らくらく窓口", 300)
    for version in ("1", str(entry.version)):
        again = browser.post(f"/certificates/queue/{entry_id}/hand-over", {"version": version},
                             form_page="/certificates/queue")
        assert again.status_code == 409
    assert len(_issued_to(system_session, _holder(system_session))) == 1


def test_self_service_cancel_needs_a_reason_and_issues_nothing(screen, jpki, tmp_path, system_session):
    browser, _ = screen
    entry_id = _request(screen, jpki, tmp_path)
    assert browser.post(f"/certificates/queue/{entry_id}/cancel", {"version": "1", "reason": " "},
                        form_page="/certificates/queue").status_code == 422
    assert browser.post(f"/certificates/queue/{entry_id}/cancel", {"version": "1", "reason": "本人が辞退"},
                        form_page="/certificates/queue").status_code == 302
    system_session.expire_all()
    entry = system_session.get(CounterQueueEntry, entry_id)
    assert (entry.status, entry.cancel_reason) == ("取消", "本人が辞退")
    assert browser.post(f"/certificates/queue/{entry_id}/hand-over", {"version": str(entry.version)},
                        form_page="/certificates/queue").status_code == 409
    assert _issued_to(system_session, _holder(system_session)) == []


def test_self_service_other_municipality_never_sees_the_queue(app, screen, jpki, tmp_path, system_session):
    entry_id = _request(screen, jpki, tmp_path)
    ticket_no = system_session.get(CounterQueueEntry, entry_id).ticket_no
    other = new_browser(app)
    assert other.login(SECOND_CODE, "admin").status_code == 302
    page = other.get("/certificates/queue").get_data(as_text=True)
    assert f'data-ticket="{ticket_no}"' not in page and "本日の受付はありません" in page
    assert other.post(f"/certificates/queue/{entry_id}/hand-over", {"version": "1"},
                      form_page="/certificates/queue").status_code == 404
    assert other.get(f"/certificates/self-service/ticket/{entry_id}").status_code == 404


def _pdf_text(pdf: bytes) -> str:
    return "".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                                  check=True).stdout.decode().split())


def _hand_over(browser, entry_id):
    response = browser.post(f"/certificates/queue/{entry_id}/hand-over", {"version": "1"},
                            form_page="/certificates/queue")
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser.get(f"/certificates/queue/{entry_id}/certificate.pdf").data


def test_self_service_options_reach_the_ticket_the_queue_and_the_certificate(screen, jpki, tmp_path,
                                                                            system_session):
    browser, _ = screen
    _sign_in(screen, fresh_card(jpki, "demo-1", tmp_path))
    page = browser.get("/certificates/self-service/confirm?document_type=住民票の写し").get_data(as_text=True)
    assert 'name="head_and_relationship"' in page and 'name="honseki"' in page and 'name="household"' not in page
    entry_id = _request(screen, jpki, tmp_path, head_and_relationship="y", honseki="y")
    entry = system_session.get(CounterQueueEntry, entry_id)
    assert entry.options == {"head_and_relationship": True, "honseki": True}
    ticket = browser.get(f"/certificates/self-service/ticket/{entry_id}").get_data(as_text=True)
    assert "住民票の写し 1通（世帯主・続柄、本籍・筆頭者）" in ticket
    assert "世帯主・続柄、本籍・筆頭者" in browser.get("/certificates/queue").get_data(as_text=True)
    printed = _pdf_text(_hand_over(browser, entry_id))
    holder = _holder(system_session)
    assert "本籍" in printed and "".join(holder.honseki.split()) in printed
    # Tax documents: the person chooses the 年度 (the latest five are offered); one without a record is refused.
    with_seal_and_tax(system_session, DEMO_CODE, holder.atena_no, fiscal_year=2025)
    _sign_in(screen, fresh_card(jpki, "demo-1", tmp_path))
    page = browser.get("/certificates/self-service/confirm?document_type=所得証明書").get_data(as_text=True)
    assert '<option value="2026">令和8年度</option>' in page and '<option value="2022">令和4年度</option>' in page
    tax_entry = _request(screen, jpki, tmp_path, "所得証明書", fiscal_year="2025")
    assert "令和7年度" in _pdf_text(_hand_over(browser, tax_entry))
    _sign_in(screen, fresh_card(jpki, "demo-1", tmp_path))
    refused = browser.post("/certificates/self-service/confirm", {"document_type": "所得証明書", "fiscal_year": "2023"},
                           form_page="/certificates/self-service/confirm?document_type=所得証明書")
    assert refused.status_code == 422 and "請求された年度の税情報がない" in refused.get_data(as_text=True)


def test_self_service_prints_a_copy_of_the_households_disaster_certificate(app, screen, jpki, tmp_path,
                                                                          system_session):
    browser, _ = screen
    _sign_in(screen, fresh_card(jpki, "demo-1", tmp_path))
    assert 'data-document="罹災証明書"' not in browser.get("/certificates/self-service/menu").get_data(as_text=True)
    application = issue_household_certificate(system_session, issuer_from_config(app.config, "http://localhost/verify"),
                                              DEMO_CODE, _holder(system_session).atena_no, grade="全壊")
    system_session.commit()
    _sign_in(screen, fresh_card(jpki, "demo-1", tmp_path))
    menu = browser.get("/certificates/self-service/menu").get_data(as_text=True)
    assert 'data-document="罹災証明書"' in menu
    entry_id = _request(screen, jpki, tmp_path, "罹災証明書")
    printed = _pdf_text(_hand_over(browser, entry_id))
    assert "罹災証明書" in printed and "■全壊" in printed and f"{application.certificate_no}-2" in printed
    system_session.expire_all()
    entry = system_session.get(CounterQueueEntry, entry_id)
    issued = system_session.get(IssuedCertificate, entry.issued_certificate_id)
    assert (issued.subject_type, issued.subject_id, issued.channel) == ("certificate_application", application.id,
                                                                        "らくらく窓口")


def test_self_service_handed_over_certificates_wait_for_the_counter_printer(screen, jpki, tmp_path, system_session):
    browser, headers = screen
    waiting, other = _request(screen, jpki, tmp_path), _request(screen, jpki, tmp_path, "住民票記載事項証明書")
    assert browser.client.get("/certificates/queue/print-jobs").get_json() == {"jobs": []}  # nothing paid yet
    _hand_over(browser, waiting)
    jobs = browser.client.get("/certificates/queue/print-jobs").get_json()["jobs"]
    assert [(job["id"], job["document_type"]) for job in jobs] == [(waiting, "住民票の写し")]
    assert browser.client.get(jobs[0]["pdf_url"]).mimetype == "application/pdf"
    assert 'class="badge warning">印刷待ち' in browser.get("/certificates/queue").get_data(as_text=True)
    assert browser.client.post(f"/certificates/queue/{other}/printed", headers=headers, json={}).status_code == 409
    printed = browser.client.post(jobs[0]["printed_url"], headers=headers, json={})
    assert printed.status_code == 200 and printed.get_json()["printed"] is True
    assert browser.client.get("/certificates/queue/print-jobs").get_json() == {"jobs": []}
    system_session.expire_all()
    entry = system_session.get(CounterQueueEntry, waiting)
    first_print = entry.printed_at
    assert first_print is not None and entry.printed_by == "admin"
    assert "印刷済" in browser.get("/certificates/queue").get_data(as_text=True)
    assert browser.client.post(jobs[0]["printed_url"], headers=headers, json={}).status_code == 200  # a reprint
    system_session.expire_all()
    assert system_session.get(CounterQueueEntry, waiting).printed_at == first_print
    prints = system_session.scalars(select(AuditEntry.target_ids).where(AuditEntry.action == "counter_queue_print"))
    assert [ids for ids in prints] == [[str(waiting)], [str(waiting)]]
