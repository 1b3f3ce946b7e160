"""The 国土地理院 指定緊急避難場所・指定避難所 CSVs through the registry screen, as they are downloaded:
the per-municipality files (no 都道府県名及び市町村名 column) and the nationwide mergeFromCity files
(every municipality), in UTF-8 with or without BOM or in Shift_JIS; all or nothing."""
import io

from sqlalchemy import func, select, text

from app.shelters.models import Shelter
from tests.helpers.demo import DEMO_CODE
from tests.helpers.shelters import (
    CHIYODA,
    EMERGENCY_NATIONWIDE,
    EMERGENCY_TOWN,
    FLOOD_QUAKE,
    GYM,
    KITAYAMA,
    PARK,
    QUAKE_FIRE,
    SHELTER_NATIONWIDE,
    SHELTER_TOWN,
    TOWN,
    csv_bytes,
    designated_row,
    emergency_row,
)


def _upload(browser, data: bytes, filename: str) -> str:
    return browser.post("/shelters/registry", {"dataset": (io.BytesIO(data), filename), "source": "gsi"},
                        form_page="/shelters/registry", content_type="multipart/form-data",
                        follow_redirects=True).get_data(as_text=True)


def _shelters(session) -> dict[str, Shelter]:
    session.expire_all()
    return {s.code: s for s in session.scalars(select(Shelter).where(Shelter.code.like("E%")))}


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Shelter).where(Shelter.lg_code == DEMO_CODE))


def test_municipality_files_without_the_name_column_import_in_utf8_without_bom(as_admin, system_session):
    emergency = [EMERGENCY_TOWN, emergency_row(1, GYM, FLOOD_QUAKE),
                 emergency_row(2, PARK, QUAKE_FIRE, "38.402", "140.952")]
    page = _upload(as_admin, csv_bytes(emergency, "utf-8"), "04699_2.csv")
    assert "追加 2 件" in page, page
    found = _shelters(system_session)
    assert set(found) == {GYM[0], PARK[0]}
    assert found[GYM[0]].lg_code == DEMO_CODE and found[GYM[0]].kind == "指定緊急避難場所"
    assert found[GYM[0]].hazards == ["洪水", "地震"] and found[PARK[0]].hazards == ["地震", "大規模な火事"]

    designated = [SHELTER_TOWN, designated_row(1, GYM)]
    assert "更新 1 件" in _upload(as_admin, csv_bytes(designated, "utf-8"), "04699_1.csv")
    found = _shelters(system_session)
    assert found[GYM[0]].kind == "指定避難所" and found[GYM[0]].hazards == ["洪水", "地震"]
    assert found[PARK[0]].kind == "指定緊急避難場所"


def test_nationwide_shift_jis_file_takes_this_towns_rows_and_counts_the_others(as_admin, system_session):
    before = _count(system_session)
    rows = [EMERGENCY_NATIONWIDE,
            emergency_row(1, KITAYAMA, FLOOD_QUAKE, "39.1", "141.1", name="岩手県北山村"),
            emergency_row(2, GYM, FLOOD_QUAKE, name=TOWN),
            emergency_row(3, PARK, QUAKE_FIRE, "38.402", "140.952", name=TOWN),
            emergency_row(4, CHIYODA, FLOOD_QUAKE, "35.688111802263", "139.73407899331", name="東京都千代田区")]
    page = _upload(as_admin, csv_bytes(rows, "cp932"), "mergeFromCity_2.csv")
    assert "追加 2 件" in page and "ほかの団体の行 2 件は読み飛ばしました" in page, page
    assert set(_shelters(system_session)) == {GYM[0], PARK[0]} and _count(system_session) == before + 2

    designated = [SHELTER_NATIONWIDE, designated_row(1, CHIYODA, "35.68", "139.73", name="東京都千代田区"),
                  designated_row(2, GYM, name=TOWN)]
    page = _upload(as_admin, csv_bytes(designated), "mergeFromCity_1.csv")
    assert "更新 1 件" in page and "ほかの団体の行 1 件は読み飛ばしました" in page, page
    assert _shelters(system_session)[GYM[0]].kind == "指定避難所"


def test_a_file_with_none_of_this_towns_rows_is_refused(as_admin, system_session):
    before = _count(system_session)
    others = [EMERGENCY_NATIONWIDE, emergency_row(1, KITAYAMA, FLOOD_QUAKE, "39.1", "141.1", name="岩手県北山村"),
              emergency_row(2, CHIYODA, FLOOD_QUAKE, "35.68", "139.73", name="東京都千代田区")]
    page = _upload(as_admin, csv_bytes(others), "mergeFromCity_2.csv")
    assert "宮城県桜ヶ丘町（団体コード 046990）の行がありません" in page and "ほかの団体の行 2 件" in page, page
    another_town = [SHELTER_TOWN, designated_row(1, CHIYODA, "35.68", "139.73")]
    assert "宮城県桜ヶ丘町（団体コード 046990）の行がありません" in _upload(as_admin, csv_bytes(another_town),
                                                                   "13101_1.csv")
    assert _count(system_session) == before


def test_bad_rows_of_this_town_are_listed_and_nothing_is_imported(as_admin, system_session):
    before = _count(system_session)
    rows = [EMERGENCY_NATIONWIDE,
            emergency_row(1, GYM, ["×", *FLOOD_QUAKE[1:]], name=TOWN),
            emergency_row(2, PARK, QUAKE_FIRE, "", "140.952", name=TOWN),
            emergency_row(3, KITAYAMA, ["×", *FLOOD_QUAKE[1:]], "北緯39度", "141.1", name="岩手県北山村"),
            emergency_row(4, [GYM[0], "桜ヶ丘町民体育館（重複）", GYM[2]], FLOOD_QUAKE, name=TOWN)]
    page = _upload(as_admin, csv_bytes(rows), "mergeFromCity_2.csv")
    assert "何も取り込んでいません" in page
    for line, column in ((2, "洪水"), (3, "緯度"), (5, "共通ID")):
        assert f"<td>{line}</td><td>{column}</td>" in page, (line, column)
    assert "<td>4</td>" not in page  # another municipality's row is not this town's to correct
    assert _count(system_session) == before


def test_values_the_register_cannot_hold_are_reported_not_failed_on(as_admin, system_session):
    before = _count(system_session)
    rows = [EMERGENCY_TOWN,
            emergency_row(1, [GYM[0], "桜ヶ丘\x00体育館", GYM[2]], FLOOD_QUAKE),
            emergency_row(2, [PARK[0], "公" * 101, PARK[2]], QUAKE_FIRE),
            emergency_row(3, ["E04699000030010000000", "長いID", PARK[2]], QUAKE_FIRE)]
    page = _upload(as_admin, csv_bytes(rows, "utf-8"), "04699_2.csv")
    for line, column in ((2, "施設・場所名"), (3, "施設・場所名"), (4, "共通ID")):
        assert f"<td>{line}</td><td>{column}</td>" in page, (line, column)
    # one value over the csv module's field limit (131,072 characters)
    huge = [EMERGENCY_TOWN, emergency_row(1, [GYM[0], "体育館", "桜" * 140_000], FLOOD_QUAKE)]
    page = _upload(as_admin, csv_bytes(huge, "utf-8"), "04699_2.csv")
    assert "2行目" in page and "長すぎ" in page, page
    assert _count(system_session) == before
    audit = system_session.scalars(text("SELECT count(*) FROM audit_log WHERE action = 'shelter_import'")).one()
    assert audit == 0


def test_without_a_code_in_the_common_id_the_name_column_decides(as_admin, system_session):
    marked = ["◎", "", "", "◎", "", "", "◎", ""]
    park = ["G-0001", "桜ヶ丘中央公園", "宮城県桜ヶ丘町桜ヶ丘一丁目1番1号"]
    rows = [EMERGENCY_NATIONWIDE, emergency_row(1, park, marked, name="宮城県　桜ヶ丘町"),
            emergency_row(2, ["G-0002", "北山小学校", "岩手県北山村1"], marked, "39.1", "141.1", name="岩手県北山村")]
    page = _upload(as_admin, csv_bytes(rows), "mergeFromCity_2.csv")
    assert "追加 1 件" in page and "ほかの団体の行 1 件は読み飛ばしました" in page, page
    system_session.expire_all()
    imported = system_session.scalars(select(Shelter).where(Shelter.code == "G-0001")).one()
    assert imported.hazards == ["洪水", "地震", "内水氾濫"] and imported.kind == "指定緊急避難場所"
    nameless = [EMERGENCY_TOWN, [c for i, c in enumerate(rows[1]) if i != 2]]
    assert "<td>2</td><td>共通ID</td><td>共通IDから団体を読み取れません" in _upload(as_admin, csv_bytes(nameless),
                                                                            "x.csv")
