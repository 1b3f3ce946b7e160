"""住民票の写し of a household with a member under 支援措置: the counter warns on every member's page,
a 世帯全員 copy needs a decision for each protected member (省略 preselected; 記載 only with a
reason), the decision is kept with the issued certificate and audited, and the PDF (read back by
pdftotext) follows it. Kiosks keep refusing the protected person and print one person a sheet."""
import subprocess

import pytest
from lxml import html
from sqlalchemy import func, select, text

from app.certificates.models import IssuedCertificate
from app.residents.models import Resident
from certificate_engine.wareki import format_date
from tests.factories import register, store_operator
from tests.helpers.cards import build_jpki, fresh_card, heads, trust_config
from tests.helpers.demo import DEMO_CODE
from tests.helpers.kiosk import OPEN_NOW, STORE, KioskClient


def _text(pdf: bytes) -> str:
    return "".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                                  check=True).stdout.decode().split())


def _flat(name: str) -> str:
    """A name as pdftotext gives it back here (the spaces dropped)."""
    return name.replace("\u3000", "").replace(" ", "")


def _household_of(system_session, head: Resident) -> list[Resident]:
    return system_session.scalars(select(Resident).where(
        Resident.lg_code == DEMO_CODE, Resident.household_no == head.household_no,
        Resident.status == "住登内").order_by(Resident.id)).all()


@pytest.fixture()
def household(system_session):
    """A household of several people (nobody protected, nobody moving out) whose youngest other
    member is placed under 支援措置: (head, the protected member)."""
    number = system_session.scalar(text("""
        SELECT household_no FROM residents WHERE lg_code = :lg AND status = '住登内'
        GROUP BY household_no
        HAVING count(*) >= 2 AND NOT bool_or(is_protected) AND bool_and(removed_on IS NULL)
           AND bool_or(is_household_head)
        ORDER BY household_no LIMIT 1"""), {"lg": DEMO_CODE})
    members = system_session.scalars(select(Resident).where(Resident.household_no == number,
                                                            Resident.status == "住登内")).all()
    head = next(m for m in members if m.is_household_head)
    protected = max((m for m in members if not m.is_household_head), key=lambda m: m.birth_date)
    protected.is_protected = True
    system_session.commit()
    return head, protected


def _issue(browser, atena_no: str, **form):
    return browser.post(f"/certificates/counter/{atena_no}/issue", {"document_type": "住民票の写し"} | form,
                        form_page=f"/certificates/counter/{atena_no}")


def _issued(system_session) -> int:
    return system_session.scalar(select(func.count()).select_from(IssuedCertificate))


def test_every_members_page_warns_and_the_form_preselects_omission(as_admin, household):
    head, protected = household
    for member, banner in ((head, "household-protection-warning"), (protected, "protection-warning")):
        page = as_admin.get(f"/certificates/counter/{member.atena_no}").get_data(as_text=True)
        assert f'id="{banner}"' in page, member.name
    page = as_admin.get(f"/certificates/counter/{head.atena_no}").get_data(as_text=True)
    form = html.fromstring(page).get_element_by_id("issue-住民票の写し")
    name = f"decision_{protected.atena_no}"
    chosen = {box.get("value"): box.checked for box in form.inputs if box.get("name") == name}
    assert chosen == {"省略": True, "記載": False}


def test_a_household_copy_without_a_decision_issues_nothing(as_admin, household, system_session):
    head, protected = household
    before = _issued(system_session)
    refused = _issue(as_admin, head.atena_no, household="y")
    assert refused.status_code == 422 and "記載するか省略するか" in refused.get_data(as_text=True)
    unreasoned = _issue(as_admin, head.atena_no, household="y", **{f"decision_{protected.atena_no}": "記載"})
    assert unreasoned.status_code == 422 and "理由" in unreasoned.get_data(as_text=True)
    assert _issued(system_session) == before


def test_omitting_the_protected_member_is_printed_kept_and_audited(as_admin, household, system_session):
    head, protected = household
    response = _issue(as_admin, head.atena_no, household="y", **{f"decision_{protected.atena_no}": "省略"})
    assert response.status_code == 302, response.get_data(as_text=True)
    printed = _text(as_admin.get(response.headers["Location"]).data)
    others = [m for m in _household_of(system_session, head) if m.id != protected.id]
    assert all(_flat(m.name) in printed for m in others)
    assert _flat(protected.name) not in printed
    assert format_date(protected.birth_date) not in printed
    issued_id = system_session.scalar(select(func.max(IssuedCertificate.id)))
    kept = system_session.execute(text("SELECT atena_no, decision, reason, decided_by FROM protected_person_decisions "
                                       "WHERE issued_certificate_id = :i"), {"i": issued_id}).all()
    assert kept == [(protected.atena_no, "省略", "", "admin")]
    audited = system_session.execute(text("SELECT target_ids, detail FROM audit_log "
                                          "WHERE action = 'protected_member_decision'")).one()
    assert audited[0] == [str(issued_id)] and audited[1]["decisions"] == {protected.atena_no: "省略"}


def test_including_the_protected_member_needs_a_reason_and_is_kept(as_admin, household, system_session):
    head, protected = household
    reason = "本人からの請求（本人確認済み）"
    response = _issue(as_admin, head.atena_no, household="y",
                      **{f"decision_{protected.atena_no}": "記載", f"reason_{protected.atena_no}": reason})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _flat(protected.name) in _text(as_admin.get(response.headers["Location"]).data)
    kept = system_session.execute(text("SELECT decision, reason FROM protected_person_decisions")).all()
    assert kept == [("記載", reason)]


def test_a_single_sheet_needs_no_decision(as_admin, household, system_session):
    head, protected = household
    response = _issue(as_admin, head.atena_no)
    assert response.status_code == 302
    assert _flat(protected.name) not in _text(as_admin.get(response.headers["Location"]).data)
    assert system_session.scalar(text("SELECT count(*) FROM protected_person_decisions")) == 0


@pytest.fixture(scope="module")
def jpki(app, tmp_path_factory):
    return build_jpki(tmp_path_factory.mktemp("household-jpki"))


def test_kiosks_refuse_the_protected_person_and_print_one_person_a_sheet(web, app, jpki, monkeypatch, tmp_path,
                                                                        system_session):
    trust_config(monkeypatch, app, jpki)
    monkeypatch.setitem(app.config, "KIOSK_FIXED_NOW", OPEN_NOW)
    register(jpki)
    kiosk = KioskClient(web.client, store_operator(), dict(STORE))
    holder = system_session.scalars(select(Resident).where(Resident.atena_no == heads(DEMO_CODE, 1)[0][0])).one()
    members = _household_of(system_session, holder)
    assert len(members) >= 2
    for member in members:
        member.is_protected = member.id != holder.id
    system_session.commit()
    session_id, verified = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
    assert verified.get_json()["eligible"]
    household = kiosk.request(session_id, "住民票の写し", {"household": True})
    assert household.status_code == 400 and household.get_json()["code"] == "option_unknown"  # 個票式 only
    request = kiosk.request(session_id, "住民票の写し")
    assert request.status_code == 201, request.get_data(as_text=True)
    assert kiosk.pay(request.get_json()["request_id"], 200).status_code == 200
    printed = _text(kiosk.issue(request.get_json()["request_id"]).data)
    assert _flat(holder.name) in printed
    for member in members:
        if member.id != holder.id:
            assert _flat(member.name) not in printed
    holder.is_protected = True
    system_session.commit()
    session_id, verified = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
    assert verified.get_json()["refusal"]["code"] == "protected"
    refused = kiosk.request(session_id, "住民票の写し")
    assert refused.status_code == 403 and refused.get_json()["code"] == "protected"
