"""Shelters in the デジタル庁 推奨データセット through HTTP: export, import back losslessly (UTF-8 and
CP932), every bad row listed with line and column and nothing imported, another town refused."""
import csv
import io

from sqlalchemy import select, text

from app.shelters.models import Shelter
from app.shelters.opendata import HEADER
from tests.helpers.demo import DEMO_CODE
from tests.helpers.shelters import SPACED_HEADER, SPACED_ROW, SUBSET_HEADER, SUBSET_ROWS, csv_bytes


def _export(browser) -> bytes:
    response = browser.get("/shelters/registry/dataset.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return response.data


def _rows(data: bytes, encoding="utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding))))


def _import(browser, data: bytes, name="shelters.csv"):
    return browser.post("/shelters/registry", {"dataset": (io.BytesIO(data), name)}, form_page="/shelters/registry",
                        content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)


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
    data = csv_bytes(rows)
    page = _import(as_admin, data)
    assert "追加 1 件" in page
    assert _export(as_admin) == data  # byte for byte, every column kept
    shelter = system_session.scalars(select(Shelter).where(Shelter.code == "046990-900")).one()
    assert shelter.name == "髙橋記念館" and "津波" in shelter.hazards
    sjis = csv_bytes(rows[:1] + [r for r in rows[1:] if r[col["ID"]] != "046990-900"], "cp932")
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
    page = _import(as_admin, csv_bytes(rows))
    assert "何も取り込んでいません" in page
    for line, column in ((2, "想定収容人数"), (3, "災害種別_洪水"), (3, "緯度"), (len(rows), "ID")):
        assert f"<td>{line}</td><td>{column}</td>" in page, (line, column)
    after = system_session.scalar(text("SELECT string_agg(name || capacity, ',' ORDER BY code) FROM shelters "
                                       "WHERE lg_code = :lg"), {"lg": DEMO_CODE})
    assert after == before


def test_another_towns_file_and_a_wrong_header_are_refused(as_admin):
    rows = _rows(_export(as_admin))
    rows[1][0] = "033995"
    assert "この団体（046990）のものではありません" in _import(as_admin, csv_bytes(rows))
    assert "見出し行が推奨データセット" in _import(as_admin, csv_bytes([["NO", "名称"], ["1", "x"]]))


def test_subset_file_with_codes_missing_their_leading_zero_imports_and_exports_back(as_admin, system_session):
    page = _import(as_admin, csv_bytes([SUBSET_HEADER, *SUBSET_ROWS], "utf-8"))
    assert "追加 2 件" in page, page
    for line, column in ((2, "全国地方公共団体コード"), (2, "所在地_全国地方公共団体コード"),
                         (3, "所在地_全国地方公共団体コード")):
        assert f"<td>{line}</td><td>{column}</td><td>「46990」の先頭に0を補い「046990」としました。</td>" in page
    shelter = system_session.scalars(select(Shelter).where(Shelter.code == "046990-801")).one()
    assert shelter.capacity == 120 and shelter.hazards == ["洪水", "地震"] and shelter.name_kana == ""

    exported = {row[1]: dict(zip(HEADER, row, strict=True)) for row in _rows(_export(as_admin))[1:]}
    for written in SUBSET_ROWS:
        back = exported[written[0]]
        restored = {**dict(zip(SUBSET_HEADER, written, strict=True)),
                    "全国地方公共団体コード": DEMO_CODE, "所在地_全国地方公共団体コード": DEMO_CODE}
        assert {column: back[column] for column in SUBSET_HEADER} == restored
        assert all(back[column] == "" for column in HEADER if column not in SUBSET_HEADER)


def test_a_subset_file_updates_only_the_columns_it_has(as_admin, system_session):
    rows = _rows(_export(as_admin))
    col = {h: i for i, h in enumerate(HEADER)}
    rows[1][col["名称_英字"]] = "Sakuragaoka Gymnasium"
    _import(as_admin, csv_bytes(rows))
    first = rows[1]
    subset = [SUBSET_HEADER[:-1], [first[col[h]] if h != "名称" else "桜ヶ丘町総合体育館" for h in SUBSET_HEADER[:-1]]]
    assert "更新 1 件" in _import(as_admin, csv_bytes(subset))
    back = {row[1]: row for row in _rows(_export(as_admin))[1:]}[first[col["ID"]]]
    assert back[col["名称"]] == "桜ヶ丘町総合体育館"
    assert [v for i, v in enumerate(back) if i != col["名称"]] == [v for i, v in enumerate(first) if i != col["名称"]]


def test_unknown_or_missing_columns_and_bad_check_digits_are_refused_by_name(as_admin, system_session):
    before = system_session.scalar(text("SELECT count(*) FROM shelters WHERE lg_code = :lg"), {"lg": DEMO_CODE})
    unknown = [[*SUBSET_HEADER[:-1], "収容人数"], [*SUBSET_ROWS[0][:-1], "120"]]
    page = _import(as_admin, csv_bytes(unknown))
    assert "何も取り込んでいません" in page
    assert "<td>1</td><td>収容人数</td><td>「収容人数」は推奨データセット（指定緊急避難場所一覧）の列名ではありません" \
        in page
    latitude = SUBSET_HEADER.index("緯度")
    no_latitude = [[*SUBSET_HEADER[:latitude], *SUBSET_HEADER[latitude + 1:]],
                   [*SUBSET_ROWS[0][:latitude], *SUBSET_ROWS[0][latitude + 1:]]]
    assert "<td>1</td><td>緯度</td><td>必須の列「緯度」がありません" in _import(as_admin, csv_bytes(no_latitude))
    bad_digit = [SUBSET_HEADER, [*SUBSET_ROWS[0][:6], "46991", *SUBSET_ROWS[0][7:]]]
    page = _import(as_admin, csv_bytes(bad_digit))
    assert "<td>2</td><td>所在地_全国地方公共団体コード</td>" in page and "検査数字" in page, page
    after = system_session.scalar(text("SELECT count(*) FROM shelters WHERE lg_code = :lg"), {"lg": DEMO_CODE})
    assert after == before


def test_values_the_register_cannot_hold_are_listed_not_failed_on(as_admin, system_session):
    rows = _rows(_export(as_admin))
    col = {h: i for i, h in enumerate(HEADER)}
    rows[1][col["名称"]] = "桜ヶ丘\x00体育館"
    rows[2][col["ID"]] = "046990-" + "9" * 20
    rows[3][col["想定収容人数"]] = "99999999999"
    rows[4][col["備考"]] = "\x00"
    page = _import(as_admin, csv_bytes(rows))
    for line, column in ((2, "名称"), (3, "ID"), (4, "想定収容人数"), (5, "備考")):
        assert f"<td>{line}</td><td>{column}</td>" in page, (line, column)
    rows = _rows(_export(as_admin))
    rows[1][col["備考"]] = "長" * 140_000  # over the csv module's field limit (131,072 characters)
    page = _import(as_admin, csv_bytes(rows))
    assert "2行目" in page and "長すぎ" in page, page


def test_text_fields_are_stored_without_surrounding_spaces_and_measured_so(as_admin, system_session):
    response = as_admin.post("/shelters/registry", {"dataset": (io.BytesIO(csv_bytes([SPACED_HEADER, SPACED_ROW])),
                                                                "spaced.csv")},
                             form_page="/shelters/registry", content_type="multipart/form-data")
    assert response.status_code == 200 and "追加 1 件" in response.get_data(as_text=True)
    shelter = system_session.scalars(select(Shelter).where(Shelter.code == "046990-803")).one()
    assert (shelter.name, shelter.name_kana, shelter.address, shelter.phone) == (
        "桜ヶ丘東集会所", "サクラガオカヒガシシュウカイジョ", "宮城県桜ヶ丘町桜ヶ丘五丁目1番", "022-123-4567 内線 8901")

    longer = [*SPACED_ROW[:-1], "022-123-4567 内線 89012 "]
    page = _import(as_admin, csv_bytes([SPACED_HEADER, longer]))
    assert "<td>2</td><td>電話番号</td><td>電話番号は20文字までです（21文字）。</td>" in page, page
