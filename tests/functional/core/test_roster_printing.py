"""Printed rosters from Excel: every roster of people in XLSX prints on A4, fitted to the width, with
the header row on every page, 取扱注意（個人情報）, whom it is for (the provision's recipient, or the
municipality and department for its own use), the day in 和暦 and 「n / N ページ」 (read back with openpyxl)."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from app.clock import format_date, today_in_japan
from app.tenants.models import Municipality
from tests.helpers.demo import DEMO_CODE
from tests.helpers.evac_support import provide


def sheet_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data)).active


def assert_printed_as_roster(sheet, recipient: str) -> None:
    assert int(sheet.page_setup.paperSize) == 9 and sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and int(sheet.page_setup.fitToWidth) == 1
    assert int(sheet.page_setup.fitToHeight) == 0  # as many pages down as the rows need
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.oddHeader.left.text == "取扱注意（個人情報）"
    assert sheet.oddHeader.right.text == recipient
    assert sheet.oddFooter.left.text == f"{format_date(today_in_japan())} 出力"
    assert sheet.oddFooter.center.text == "&P / &N ページ"


@pytest.fixture()
def quake(as_admin):
    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（印刷）", "kind": "地震", "started_on": "2026-11-20"})
    return as_admin


@pytest.fixture()
def own_use(system_session) -> str:
    town = system_session.get(Municipality, DEMO_CODE)
    return f"{town.full_name} 総務課（庁内）"  # the demo admin's department


def test_the_supporters_roster_names_its_recipient(as_admin):
    as_admin.post("/evac-support/refresh", {}, form_page="/evac-support")
    sheet = sheet_of(provide(as_admin, "/evac-support/roster", recipient="桜ヶ丘消防署 & 分署", mode="平常時",
                             format="xlsx"))
    assert_printed_as_roster(sheet, "提供先 桜ヶ丘消防署 && 分署")  # a lone & would be an Excel code


def test_the_victim_register_for_own_use_and_for_a_recipient(quake, system_session, own_use):
    area = system_session.scalar(text("SELECT a.code FROM admin_areas a JOIN residents r ON ST_Intersects(a.geom, "
                                      "r.geom) WHERE r.lg_code = :lg ORDER BY r.id LIMIT 1"), {"lg": DEMO_CODE})
    quake.post("/victims/register/build", {"area": area}, form_page="/victims/register")
    assert_printed_as_roster(sheet_of(quake.get("/victims/register/export?format=xlsx")), own_use)
    quake.post("/victims/recipients", {"name": "仙台市", "kind": "地方公共団体", "contact": "担当"})
    recipient_id = system_session.scalar(text("SELECT id FROM victim_recipients WHERE name = '仙台市'"))
    provided = quake.post("/victims/register/provide", {"recipient_id": str(recipient_id), "basis": "他自治体の援護",
                                                        "purpose": "応急仮設住宅の提供", "format": "xlsx"},
                          form_page="/victims/register")
    assert_printed_as_roster(sheet_of(provided), "提供先 仙台市")


@pytest.mark.parametrize("path", ["/evac-support/safety/export?format=xlsx", "/damage/surveys/export?format=xlsx"])
def test_staff_rosters_name_the_municipality_and_department(quake, own_use, path):
    quake.post("/evac-support/refresh", {}, form_page="/evac-support")
    assert_printed_as_roster(sheet_of(quake.get(path)), own_use)
