"""Shelters as staff run them over HTTP (opening one, checking a household in, who is present) and
the shelter files as they are published: the 国土地理院 lists' layouts and rows, a 推奨データセット subset."""
import csv
import io
import re

from sqlalchemy import select

from app.shelters.models import Evacuee
from app.shelters.opendata import HEADER

# --- running a shelter ----------------------------------------------------------------------------


def open_shelter(browser, shelter_id: int) -> int:
    """Open the shelter for the chosen disaster; the opening's id."""
    response = browser.post("/shelters/openings", {"shelter_id": str(shelter_id)}, form_page="/shelters/openings")
    return int(re.search(r"/shelters/openings/(\d+)", response.headers["Location"]).group(1))


def check_in(browser, opening_id, atena_no, **fields):
    response = browser.post(f"/shelters/openings/{opening_id}/check-in", {"atena_no": atena_no, **fields},
                            form_page=f"/shelters/openings/{opening_id}")
    assert response.status_code == 200, response.get_data(as_text=True)


def present_evacuees(session, opening_id):
    """The evacuees of the opening who have not checked out, in order of arrival."""
    return session.scalars(select(Evacuee).where(Evacuee.opening_id == opening_id, Evacuee.checked_out_at.is_(None))
                           .order_by(Evacuee.id)).all()


# --- files ----------------------------------------------------------------------------------------


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    """``rows`` as a CSV file with CRLF line ends, as spreadsheets save them."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


# 国土地理院 指定緊急避難場所・指定避難所: the name column, the hazards and the layouts.
NAME = "都道府県名及び市町村名"
HAZARDS = ["洪水", "崖崩れ、土石流及び地滑り", "高潮", "地震", "津波", "大規模な火事", "内水氾濫", "火山現象"]
# The layouts as published: the nationwide files have the municipality's name as third column.
EMERGENCY_NATIONWIDE = ["NO", "共通ID", NAME, "施設・場所名", "住所", *HAZARDS, "指定避難所との住所同一",
                        "緯度", "経度", "備考"]
EMERGENCY_TOWN = [h for h in EMERGENCY_NATIONWIDE if h != NAME]
SHELTER_NATIONWIDE = ["NO", "共通ID", NAME, "施設・場所名", "住所", "指定緊急避難場所との住所同一",
                      "その他市町村長が必要と認める事項", "受入対象者", "緯度", "経度", "備考"]
SHELTER_TOWN = [h for h in SHELTER_NATIONWIDE if h != NAME]

TOWN = "宮城県桜ヶ丘町"
GYM = ["E0469900001201", "桜ヶ丘町民体育館", "宮城県桜ヶ丘町桜ヶ丘一丁目2番3号"]
PARK = ["E0469900002201", "桜ヶ丘中央公園", "宮城県桜ヶ丘町桜ヶ丘二丁目5番"]
KITAYAMA = ["E0339900001201", "北山小学校", "岩手県北山村北山1番地"]
CHIYODA = ["E1310100002201", "番町小学校", "東京都千代田区六番町8"]
# The hazard flags of a 指定緊急避難場所 row, in the order of HAZARDS.
FLOOD_QUAKE = ["1", "", "", "1", "", "", "", ""]
QUAKE_FIRE = ["", "", "", "1", "", "1", "", ""]


def emergency_row(no, place, flags, lat="38.401", lon="140.951", name=None):
    """A 指定緊急避難場所 row; with ``name`` in the nationwide layout."""
    return [str(no), place[0], *([name] if name else []), *place[1:], *flags, "", lat, lon, ""]


def designated_row(no, place, lat="38.401", lon="140.951", name=None):
    """A 指定避難所 row; with ``name`` in the nationwide layout."""
    return [str(no), place[0], *([name] if name else []), *place[1:], "1", "", "要配慮者", lat, lon, ""]


# デジタル庁 推奨データセット.
# A published subset of the standard columns, in an order of its own, saved by a spreadsheet that
# dropped the leading zero of the codes (046990 → 46990).
SUBSET_HEADER = ["ID", "名称", "全国地方公共団体コード", "所在地_連結表記", "緯度", "経度",
                 "所在地_全国地方公共団体コード", "郵便番号", *[h for h in HEADER if h.startswith("災害種別_")],
                 "指定避難所との重複", "想定収容人数"]
SUBSET_ROWS = [
    ["046990-801", "桜ヶ丘北集会所", "46990", "宮城県桜ヶ丘町桜ヶ丘三丁目4番", "38.4031", "140.9522",
     "46990", "981-0001", "1", "", "", "1", "", "", "", "", "", "120"],
    ["046990-802", "桜ヶ丘南広場", "046990", "宮城県桜ヶ丘町桜ヶ丘四丁目1番", "38.3990", "140.9501",
     "46990", "981-0002", "", "", "", "1", "", "1", "", "", "1", ""],
]


# A row whose text fields carry the spaces around them that spreadsheets leave (ideographic ones
# too, which PostgreSQL does not trim to fit a column): 電話番号 is 20 characters, its column's limit,
# once they are removed.
SPACED_HEADER = [*SUBSET_HEADER, "名称_カナ", "電話番号"]
SPACED_ROW = [" 046990-803 ", " 桜ヶ丘東集会所 ", "046990", " 宮城県桜ヶ丘町桜ヶ丘五丁目1番　", "38.4021", "140.9511",
              "", "", "1", "", "", "1", "", "", "", "", "", "80", "サクラガオカヒガシシュウカイジョ　",
              "  022-123-4567 内線 8901　"]
