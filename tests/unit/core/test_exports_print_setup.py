"""The XLSX writer's print setup: page numbers on every sheet, and a roster's marking (取扱注意, the
recipient, the 和暦 date) only when it is given; & in a name is written as Excel's literal &&."""
import io
from datetime import date

from openpyxl import load_workbook

from app.exports import PrintMarking, xlsx_bytes


def read(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_every_sheet_numbers_its_pages_and_fits_the_width():
    sheet = read(xlsx_bytes("一覧", ["名称"], [["a"]] * 3))
    assert sheet.oddFooter.center.text == "&P / &N ページ"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$1"
    assert not sheet.oddHeader.left.text and not sheet.oddHeader.right.text  # no 取扱注意 on a public list


def test_a_roster_carries_caution_recipient_and_date():
    marking = PrintMarking.provision("桜ヶ丘消防署&救急", date(2026, 11, 26))
    sheet = read(xlsx_bytes("名簿", ["氏名"], [["桜 太郎"]], marking=marking))
    assert sheet.oddHeader.left.text == "取扱注意（個人情報）"
    assert sheet.oddHeader.right.text == "提供先 桜ヶ丘消防署&&救急"
    assert sheet.oddFooter.left.text == "令和8年11月26日 出力"
    own = PrintMarking.internal("宮城県桜ヶ丘町", "", date(2019, 5, 1))
    assert own.recipient == "宮城県桜ヶ丘町（庁内）" and own.made_on_text == "令和元年5月1日 出力"
