"""The BCL fee (180 円) only for 住民票の写し, 印鑑登録証明書 and the tax certificates: a kiosk
住民票記載事項証明書 is logged without it, and the operator's settlement (page, CSV, XLSX) shows those
issues in a column of their own."""
import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from app.certificates.models import IssuanceLog
from app.certificates.statistics.rules import Month
from tests.helpers.cards import fresh_card
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser

ITEMS = "住民票記載事項証明書"


def _issue_at_kiosk(kiosk, session_id, document_type):
    request_id = kiosk.request(session_id, document_type).get_json()["request_id"]
    assert kiosk.pay(request_id, 200).status_code == 200
    assert kiosk.issue(request_id).status_code == 201, document_type


def test_kiosk_resident_items_certificate_pays_no_bcl_fee_and_is_settled_apart(app, kiosk, jpki, tmp_path,
                                                                               system_session):
    session_id, _ = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
    _issue_at_kiosk(kiosk, session_id, ITEMS)
    _issue_at_kiosk(kiosk, session_id, "住民票の写し")
    logs = {log.document_type: log for log in system_session.scalars(
        select(IssuanceLog).where(IssuanceLog.lg_code == DEMO_CODE, IssuanceLog.channel == "コンビニ"))}
    assert (logs[ITEMS].fee_yen, logs[ITEMS].commission_yen, logs[ITEMS].bcl_fee_yen) == (200, 117, 0)
    assert logs["住民票の写し"].bcl_fee_yen == 180
    month = Month.of(logs[ITEMS].issued_at).key

    operator = new_browser(app)
    assert operator.login(None, "jlis").status_code == 302
    page = operator.get(f"/operator/settlement?month={month}").get_data(as_text=True)
    header = page.split('id="municipality-settlement"')[1].split("</thead>")[0]
    assert "うち住民票記載事項証明書" in header
    row = re.search(rf'<tr data-lg-code="{DEMO_CODE}">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'<td class="num" data-column="resident-items">1</td>', row), row
    card = page.split('id="resident-items"')[1].split("</div>")[0]
    assert "住民票記載事項証明書" in card and "<strong>1通</strong>" in card and "BCL利用料なし" in card

    rows = list(csv.reader(io.StringIO(operator.get(f"/operator/statistics/municipalities.csv?month={month}")
                                       .data.decode("utf-8-sig"))))
    assert rows[0][3:5] == ["交付通数", "うち住民票記載事項証明書（コンビニ）"]
    town = next(r for r in rows if r[1] == DEMO_CODE)
    assert town[4] == "1" and rows[-1][4] == "1"
    book = load_workbook(io.BytesIO(operator.get(f"/operator/statistics/municipalities.xlsx?month={month}").data))
    sheet = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert sheet[0][4] == "うち住民票記載事項証明書（コンビニ）"
    assert next(r for r in sheet if r[1] == DEMO_CODE)[4] == 1
    assert town[7] == "180"  # the 住民票の写し's BCL fee only
