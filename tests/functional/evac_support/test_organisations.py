"""避難支援等関係者 through HTTP: organisations scoped to 町丁目, the roster per organisation under
49条の11 (consenting people in normal times, everyone in a disaster), 支援措置 people marked with
address and contact left out, every provision recorded with its people, and the register update
reports (also after a resident data link batch, as a follow-up job)."""
import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import text

from tests.helpers.demo import DEMO_CODE
from tests.helpers.evac_support import (
    create_organisation,
    extract_register,
    organisation_id,
    person_name,
    provide,
    record_consent,
    register_by_area,
)


def _csv(response, encoding="utf-8-sig") -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.data.decode(encoding))))


def test_roster_per_organisation_follows_areas_consent_and_disaster_mode(as_admin, system_session):
    extract_register(as_admin)
    areas = register_by_area(system_session)
    inside_code = max((c for c in areas if c), key=lambda c: len(areas[c]))
    inside, outside = areas[inside_code], [i for c, ids in areas.items() if c != inside_code for i in ids]
    assert len(inside) >= 3 and outside
    assert "登録しました" in create_organisation(as_admin, "桜ヶ丘一丁目自治会", [inside_code])
    org_id = organisation_id(system_session, "桜ヶ丘一丁目自治会")
    for person_id in (inside[0], inside[1], outside[0]):
        assert "同意の状況を記録しました" in record_consent(as_admin, system_session, person_id).get_data(as_text=True)
    system_session.execute(text("UPDATE residents SET is_protected = true WHERE id = "
                                "(SELECT resident_id FROM evac_people WHERE id = :id)"), {"id": inside[1]})
    system_session.flush()

    roster = f"/evac-support/organisations/{org_id}/roster"
    normal = _csv(provide(as_admin, roster, mode="平常時"))
    assert sorted(r[0] for r in normal[1:]) == sorted([person_name(system_session, inside[0]),
                                                       person_name(system_session, inside[1])])
    assert person_name(system_session, outside[0]) not in [r[0] for r in normal[1:]]
    refused = provide(as_admin, roster, True, mode="災害時").get_data(as_text=True)
    assert "対応中の災害を選んでいるときだけ" in refused

    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘豪雨（関係者）", "kind": "地震", "started_on": "2026-11-20"})
    disaster = _csv(provide(as_admin, roster, mode="災害時", encoding="cp932"), "cp932")
    assert len(disaster) - 1 == len(inside)
    protected = [r for r in disaster[1:] if r[0] == person_name(system_session, inside[1])]
    assert protected and protected[0][4] == "" and protected[0][5] == "" and "支援措置" in protected[0][9]
    assert all(r[4] for r in disaster[1:] if not r[9])  # everyone else keeps the address
    sheet = load_workbook(io.BytesIO(provide(as_admin, roster, mode="災害時", format="xlsx").data)).active
    assert sheet.max_row == len(disaster)
    assert [c.value for c in sheet[1]] == disaster[0]

    provisions = system_session.execute(text("""
        SELECT mode, person_count, person_ids, provided_by, file_format, disaster_id IS NOT NULL
        FROM evac_roster_provisions WHERE org_id = :o ORDER BY id"""), {"o": org_id}).all()
    assert [(p[0], p[1], p[4], p[5]) for p in provisions] == [
        ("平常時", 2, "csv", False), ("災害時", len(inside), "csv", True), ("災害時", len(inside), "xlsx", True)]
    assert sorted(provisions[0][2]) == sorted([inside[0], inside[1]]) and provisions[0][3] == "admin"
    history = as_admin.get("/evac-support/provisions").get_data(as_text=True)
    assert "桜ヶ丘一丁目自治会" in history and f"{len(inside)} 人" in history
    first = system_session.scalar(text("SELECT min(id) FROM evac_roster_provisions WHERE org_id = :o"), {"o": org_id})
    detail = as_admin.get(f"/evac-support/provisions/{first}").get_data(as_text=True)
    assert person_name(system_session, inside[0]) in detail and "支援措置（住所・連絡先は除外）" in detail
    audited = system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'evac_roster_export' "
                                         "AND target_type = 'roster_provision'"))
    assert audited == 3


def test_organisation_update_needs_confirmation_and_shows_a_conflict(as_admin, system_session):
    area_codes = system_session.scalars(text("SELECT code FROM admin_areas WHERE lg_code = :lg ORDER BY code"),
                                        {"lg": DEMO_CODE}).all()
    create_organisation(as_admin, "桜ヶ丘消防署", area_codes[:1], "消防")
    org_id = organisation_id(system_session, "桜ヶ丘消防署")
    form = {"name": "桜ヶ丘消防署", "kind": "消防", "contact": "警防課", "area_codes": area_codes, "is_active": "y",
            "version": "1"}
    page = f"/evac-support/organisations/{org_id}"
    unconfirmed = as_admin.post(page, form).get_data(as_text=True)
    assert "チェックを入れてから更新" in unconfirmed
    assert "更新しました" in as_admin.post(page, form | {"confirm_changes": "y"}, follow_redirects=True
                                        ).get_data(as_text=True)
    assert system_session.scalar(text("SELECT area_codes FROM supporter_orgs WHERE id = :id"),
                                 {"id": org_id}) == area_codes
    stale = as_admin.post(page, form | {"contact": "別の職員の入力", "confirm_changes": "y"}).get_data(as_text=True)
    assert "他の職員が先に更新しました" in stale and "警防課" in stale and "別の職員の入力" in stale
    bad = as_admin.post("/evac-support/organisations", {"name": "名無し", "kind": "消防", "area_codes": ["999"]}
                        ).get_data(as_text=True)
    assert "町丁目コード 999 はありません" in bad
    duplicate = create_organisation(as_admin, "桜ヶ丘消防署", area_codes[:1], "消防")
    assert "既に登録されています" in duplicate


def test_manual_refresh_is_reported_with_the_people(as_admin, system_session):
    first = extract_register(as_admin)
    added = int(re.search(r"追加 (\d+) 人", first).group(1))
    report = system_session.execute(text("SELECT id, source, cardinality(added_ids), batch_id FROM "
                                         "evac_register_updates ORDER BY id DESC LIMIT 1")).one()
    assert report[1] == "手動" and report[2] == added > 0 and report[3] is None
    listing = as_admin.get("/evac-support/updates").get_data(as_text=True)
    assert "手動" in listing and f"{added} 人" in listing
    detail = as_admin.get(f"/evac-support/updates/{report[0]}").get_data(as_text=True)
    some = system_session.scalar(text("SELECT added_ids[1] FROM evac_register_updates WHERE id = :id"),
                                 {"id": report[0]})
    assert f'/evac-support/people/{some}"' in detail and person_name(system_session, some) in detail
