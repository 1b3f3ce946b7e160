"""Roster filters (49条の11): by 町丁目 and by consent state on top of the disaster mode, for a named
recipient and within an organisation's own 町丁目; filters that break the rule or name unknown
areas are refused; the file lists exactly the recorded people and the audit keeps the filters."""
import csv
import io

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


def _roster(browser, path="/evac-support/roster", follow_redirects=False, **args):
    return provide(browser, path, follow_redirects, **({"recipient": "桜ヶ丘消防署", "format": "csv"} | args))


def _names(response, encoding="utf-8-sig") -> list[str]:
    assert response.status_code == 200, response.status_code
    return [row[0] for row in list(csv.reader(io.StringIO(response.data.decode(encoding))))[1:]]


def test_named_recipient_roster_by_area_and_consent(as_admin, system_session):
    extract_register(as_admin)
    areas = {code: ids for code, ids in register_by_area(system_session).items() if code}
    (area, people), (other_area, others) = sorted(areas.items(), key=lambda kv: -len(kv[1]))[:2]
    agreed, refused = people[0], people[1]
    record_consent(as_admin, system_session, agreed, "同意")
    record_consent(as_admin, system_session, refused, "不同意")
    record_consent(as_admin, system_session, others[0], "同意")
    normal = _names(_roster(as_admin, mode="平常時", area=[area]))
    assert normal == [person_name(system_session, agreed)]  # the other area's consenting person is left out
    assert sorted(_names(_roster(as_admin, mode="平常時"))) == sorted(
        [person_name(system_session, agreed), person_name(system_session, others[0])])
    refused_filter = _roster(as_admin, mode="平常時", consent=["不同意"], follow_redirects=True)
    assert "平常時は同意した方だけを提供できます" in refused_filter.get_data(as_text=True)
    unknown = _roster(as_admin, mode="平常時", area=["9999x"], follow_redirects=True)
    assert "町丁目または同意の状況の指定が正しくありません" in unknown.get_data(as_text=True)

    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（名簿の絞込み）", "kind": "地震",
                                     "started_on": "2026-11-20"})
    in_disaster = _roster(as_admin, mode="災害時", area=[area, other_area], consent=["不同意", "未回答"],
                          encoding="cp932")
    assert in_disaster.is_streamed  # the CSV is written row by row as it is read
    listed = _names(in_disaster, "cp932")
    expected = system_session.scalar(text("SELECT count(*) FROM evac_people WHERE id = ANY(:ids) AND consent <> '同意' "
                                          "AND removed_at IS NULL"), {"ids": people + others})
    assert len(listed) == expected and person_name(system_session, refused) in listed
    assert person_name(system_session, agreed) not in listed
    sheet = load_workbook(io.BytesIO(_roster(as_admin, mode="災害時", area=[area], consent=["不同意"],
                                             format="xlsx").data)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [person_name(system_session, refused)]
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["氏名", "氏名カナ", "生年月日", "性別", "住所又は居所", "電話番号"]  # 49条の10 items
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 and sheet.print_title_rows == "$1:$1"
    provision = system_session.execute(text("""SELECT person_ids, person_count FROM evac_roster_provisions
        ORDER BY id DESC LIMIT 1""")).one()
    assert list(provision[0]) == [refused] and provision[1] == 1
    filters = system_session.execute(text("""SELECT detail->'areas', detail->'consents' FROM audit_log
        WHERE action = 'evac_roster_export' ORDER BY id DESC LIMIT 1""")).one()
    assert filters == ([area], ["不同意"])


def test_organisation_roster_narrows_within_its_own_areas(as_admin, system_session):
    extract_register(as_admin)
    areas = sorted(((c, ids) for c, ids in register_by_area(system_session).items() if c), key=lambda kv: -len(kv[1]))
    (first, first_people), (second, second_people), (outside, _) = areas[:3]
    create_organisation(as_admin, "桜ヶ丘第一自治会（絞込み）", [first, second])
    org = organisation_id(system_session, "桜ヶ丘第一自治会（絞込み）")
    page = as_admin.get(f"/evac-support/organisations/{org}").get_data(as_text=True)
    assert 'name="consent" value="不同意"' in page and f'<option value="{first}">' in page
    assert f'<option value="{outside}">' not in page.split('id="org-roster-form"')[1].split("</form>")[0]
    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（団体の絞込み）", "kind": "地震",
                                     "started_on": "2026-11-20"})
    path = f"/evac-support/organisations/{org}/roster"
    only_first = _names(provide(as_admin, path, mode="災害時", area=[first]))
    assert len(only_first) == len(first_people)
    both = _names(provide(as_admin, path, mode="災害時"))
    assert len(both) == len(first_people) + len(second_people)
    outside_answer = provide(as_admin, path, True, mode="災害時", area=[outside])
    assert "担当ではない町丁目が含まれています" in outside_answer.get_data(as_text=True)
    count = system_session.scalar(text("SELECT count(*) FROM evac_roster_provisions WHERE org_id = :o"), {"o": org})
    assert count == 2 and DEMO_CODE
