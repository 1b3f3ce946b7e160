"""避難行動要支援者名簿 through HTTP: extraction by the municipality's criteria with additions and
removals reported, consent recorded, and the roster read back — consenting people only in normal
times, everyone in a disaster (49条の11), 提供抑止 for people under 支援措置, provisions audited."""
import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import text

from tests.helpers.demo import DEMO_CODE
from tests.helpers.evac_support import provide


def _refresh(browser) -> str:
    return browser.post("/evac-support/refresh", {}, form_page="/evac-support", follow_redirects=True
                        ).get_data(as_text=True)


def _count(system_session, where="removed_at IS NULL") -> int:
    return system_session.scalar(text(f"SELECT count(*) FROM evac_people WHERE {where}"))


def _expected(system_session, age: int) -> int:
    return system_session.scalar(text(f"""
        SELECT count(*) FROM residents r LEFT JOIN welfare_records w ON w.atena_no = r.atena_no
        WHERE r.lg_code = :lg AND r.status = '住登内' AND (r.birth_date <= current_date - interval '{age} years'
          OR (w.lives_alone AND r.birth_date <= current_date - interval '65 years')
          OR w.care_level IN ('23','24','25') OR w.physical_disability_grade IN ('1','2')
          OR w.mental_disability_grade = '1' OR w.intellectual_disability = 'A' OR w.has_intractable_disease)"""),
        {"lg": DEMO_CODE})


def test_extraction_follows_the_criteria_and_reports_changes(as_admin, system_session):
    page = _refresh(as_admin)
    expected = _expected(system_session, 75)
    assert f"追加 {expected} 人" in page and _count(system_session) == expected > 0
    shown = re.search(r'id="register-count">(\d+)</strong> 人', page)
    assert int(shown.group(1)) == expected  # the whole register, not the rows listed
    assert f"{expected} 人中 1–{min(expected, 50)} 件目" in page  # the rows listed: the first page
    assert "追加 0 人、変更 0 人、基準に該当しなくなった方 0 人" in _refresh(as_admin)
    form = {"age_min": "85", "alone_age_min": "65", "care_levels": ["23", "24", "25"], "physical_grades": ["1", "2"],
            "mental_grades": ["1"], "intellectual": ["A"], "intractable": "y"}
    as_admin.post("/evac-support/criteria", form, form_page="/evac-support")
    narrower = _refresh(as_admin)
    fewer = _expected(system_session, 85)
    removed = re.search(r"基準に該当しなくなった方 (\d+) 人", narrower).group(1)
    assert int(removed) == expected - fewer and _count(system_session) == fewer
    reasons = system_session.scalars(text("SELECT reasons FROM evac_people WHERE removed_at IS NULL")).all()
    assert all(r for r in reasons) and any("85歳以上" in r for r in reasons)
    bad = as_admin.post("/evac-support/criteria", form | {"care_levels": ["99"]}, form_page="/evac-support",
                        follow_redirects=True).get_data(as_text=True)
    assert "選べない値" in bad


def _consent(browser, person_id, version, consent="同意"):
    return browser.post(f"/evac-support/people/{person_id}/consent",
                        {"consent": consent, "consent_on": "2026-11-01", "how": "訪問", "version": str(version)},
                        form_page="/evac-support", follow_redirects=True).get_data(as_text=True)


def _roster(browser, **args):
    return provide(browser, "/evac-support/roster", **({"recipient": "桜ヶ丘消防署"} | args))


def test_roster_normal_times_disaster_and_protection(as_admin, system_session):
    _refresh(as_admin)
    system_session.execute(text("""UPDATE residents SET is_protected = true WHERE id = (
        SELECT resident_id FROM evac_people WHERE removed_at IS NULL ORDER BY id DESC LIMIT 1)"""))
    system_session.flush()
    protected = system_session.execute(text("""
        SELECT p.id, p.version, r.name, r.address FROM evac_people p JOIN residents r ON r.id = p.resident_id
        WHERE r.is_protected AND p.removed_at IS NULL ORDER BY p.id DESC LIMIT 1""")).one()
    plain = system_session.execute(text("""
        SELECT p.id, p.version, r.name FROM evac_people p JOIN residents r ON r.id = p.resident_id
        WHERE NOT r.is_protected AND p.removed_at IS NULL ORDER BY p.id LIMIT 1""")).one()
    assert "同意の状況を記録しました" in _consent(as_admin, plain[0], plain[1])
    assert "他の職員が先に更新しました" in _consent(as_admin, plain[0], plain[1], "不同意")
    _consent(as_admin, protected[0], protected[1])
    normal = list(csv.reader(io.StringIO(_roster(as_admin).data.decode("utf-8-sig"))))
    names = [r[0] for r in normal[1:]]
    assert plain[2] in names and protected[2] in names and len(names) == 2
    refused = _roster(as_admin, mode="災害時")
    assert refused.status_code == 302  # no disaster chosen: refused with the reason
    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（名簿）", "kind": "地震", "started_on": "2026-11-20"})
    in_disaster = list(csv.reader(io.StringIO(_roster(as_admin, mode="災害時", encoding="cp932").data.decode("cp932"))))
    assert len(in_disaster) - 1 == _count(system_session)
    hidden = [r for r in in_disaster[1:] if r[9]]
    assert hidden and all(r[4] == "" and r[5] == "" and "支援措置" in r[9] for r in hidden)
    assert protected[2] in [r[0] for r in hidden]
    sheet = load_workbook(io.BytesIO(_roster(as_admin, mode="災害時", format="xlsx").data)).active
    assert sheet.max_row == len(in_disaster) and sheet.freeze_panes == "A2"
    provided = system_session.scalars(text("SELECT detail->>'mode' FROM audit_log WHERE action = "
                                           "'evac_roster_export' ORDER BY id")).all()
    assert provided == ["平常時", "災害時", "災害時"]
    no_recipient = provide(as_admin, "/evac-support/roster", recipient="", follow_redirects=True)
    assert "提供先" in no_recipient.get_data(as_text=True)
