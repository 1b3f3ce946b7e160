"""Shelters in the デジタル庁 推奨データセット through HTTP: export, import back losslessly (UTF-8 and
CP932), every bad row listed with line and column and nothing imported, another town refused."""
import csv
import io

from sqlalchemy import select, text

from app.shelters.models import Shelter
from app.shelters.opendata import HEADER
from tests.conftest import DEMO_CODE


def _export(browser) -> bytes:
    response = browser.get("/shelters/registry/dataset.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return response.data


def _rows(data: bytes, encoding="utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding))))


def _import(browser, data: bytes, name="shelters.csv"):
    return browser.post("/shelters/registry", {"dataset": (io.BytesIO(data), name)}, form_page="/shelters/registry",
                        content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)


def _csv(rows, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def test_export_then_import_with_every_column_comes_back_the_same(as_admin, system_session):
    rows = _rows(_export(as_admin))
    assert tuple(rows[0]) == HEADER and len(rows) > 1
    col = {h: i for i, h in enumerate(HEADER)}
    rows[1][col["名称_英字"]] = "Sakuragaoka Gymnasium"
    rows[1][col["連絡先メールアドレス"]] = "bousai@example.lg.jp"
    rows[1][col["対象となる町会・自治会"]] = "桜ヶ丘一丁目町内会;桜ヶ丘二丁目町内会"
    rows[1][col["想定収容人数"]] = "321"
    rows[1][col["緯度"]] = "38.4012345"
    new = list(rows[1])
    new[col["ID"]], new[col["名称"]], new[col["災害種別_津波"]] = "046990-900", "髙橋記念館", "1"
    rows.append(new)
    data = _csv(rows)
    page = _import(as_admin, data)
    assert "追加 1 件" in page
    assert _export(as_admin) == data  # byte for byte, every column kept
    shelter = system_session.scalars(select(Shelter).where(Shelter.code == "046990-900")).one()
    assert shelter.name == "髙橋記念館" and "津波" in shelter.hazards
    sjis = _csv(rows[:1] + [r for r in rows[1:] if r[col["ID"]] != "046990-900"], "cp932")
    assert "更新" in _import(as_admin, sjis, "shelters-sjis.csv")
    audit = system_session.scalars(text("SELECT action FROM audit_log WHERE target_type = 'shelter'")).all()
    assert audit.count("shelter_import") == 2 and audit.count("shelter_export") == 2


def test_bad_rows_are_all_listed_and_nothing_is_imported(as_admin, system_session):
    rows = _rows(_export(as_admin))
    col = {h: i for i, h in enumerate(HEADER)}
    before = system_session.scalar(text("SELECT string_agg(name || capacity, ',' ORDER BY code) FROM shelters "
                                        "WHERE lg_code = :lg"), {"lg": DEMO_CODE})
    rows[1][col["想定収容人数"]] = "百"
    rows[1][col["名称"]] = "変更されないはず"
    rows[2][col["災害種別_洪水"]] = "○"
    rows[2][col["緯度"]] = "138.4"
    rows.append(list(rows[3]))  # the same ID twice
    page = _import(as_admin, _csv(rows))
    assert "何も取り込んでいません" in page
    for line, column in ((2, "想定収容人数"), (3, "災害種別_洪水"), (3, "緯度"), (len(rows), "ID")):
        assert f"<td>{line}</td><td>{column}</td>" in page, (line, column)
    after = system_session.scalar(text("SELECT string_agg(name || capacity, ',' ORDER BY code) FROM shelters "
                                       "WHERE lg_code = :lg"), {"lg": DEMO_CODE})
    assert after == before


def test_another_towns_file_and_a_wrong_header_are_refused(as_admin):
    rows = _rows(_export(as_admin))
    rows[1][0] = "033995"
    assert "この団体（046990）のものではありません" in _import(as_admin, _csv(rows))
    assert "見出し行が推奨データセット" in _import(as_admin, _csv([["NO", "名称"], ["1", "x"]]))


def _import_gsi(browser, rows) -> str:
    return browser.post("/shelters/registry", {"dataset": (io.BytesIO(_csv(rows)), "gsi.csv"), "source": "gsi"},
                        form_page="/shelters/registry", content_type="multipart/form-data",
                        follow_redirects=True).get_data(as_text=True)


def test_gsi_lists_import_and_a_facility_on_both_lists_stays_one_shelter(as_admin, system_session):
    from app.shelters.opendata import GSI_EMERGENCY_HEADER, GSI_SHELTER_HEADER

    place = ["G-0001", "宮城県桜ヶ丘町", "桜ヶ丘中央公園", "宮城県桜ヶ丘町桜ヶ丘一丁目1番1号"]
    flags = ["◎", "", "", "◎", "", "", "◎", ""]
    emergency = [GSI_EMERGENCY_HEADER, ["1", *place, *flags, "", "38.401", "140.951", ""]]
    assert "追加 1 件" in _import_gsi(as_admin, emergency)
    shelter = system_session.scalars(select(Shelter).where(Shelter.code == "G-0001")).one()
    assert shelter.kind == "指定緊急避難場所" and shelter.hazards == ["洪水", "地震", "内水氾濫"]
    designated = [GSI_SHELTER_HEADER, ["1", *place, "1", "", "要配慮者", "38.401", "140.951", ""]]
    assert "更新 1 件" in _import_gsi(as_admin, designated)
    system_session.expire_all()
    again = system_session.scalars(select(Shelter).where(Shelter.code == "G-0001")).all()
    assert len(again) == 1 and again[0].kind == "指定避難所" and again[0].hazards == ["洪水", "地震", "内水氾濫"]
    elsewhere = [GSI_SHELTER_HEADER, ["1", "G-0002", "岩手県北山村", "北山小学校", "岩手県北山村1", "", "", "",
                                      "39.1", "141.1", ""]]
    assert "この団体（宮城県桜ヶ丘町）ではありません" in _import_gsi(as_admin, elsewhere)
    bad_mark = [GSI_EMERGENCY_HEADER, ["1", *place, "×", *flags[1:], "", "38.401", "140.951", ""]]
    assert "<td>2</td><td>洪水</td>" in _import_gsi(as_admin, bad_mark)
