"""How shelter files are read: codes that lost their leading zero, the standard header in part or
in another order, and whose row a 国土地理院 row is."""
import pytest

from app.errors import ValidationError
from app.shelters import gsi, opendata


@pytest.mark.parametrize(("written", "width", "restored"), [
    ("92011", 6, "092011"), ("092011", 6, "092011"), (" 46990 ", 6, "046990"), ("1001", 7, "0001001"),
    ("9810001", 7, "9810001"), ("981-0001", 7, "981-0001"), ("１３１０１", 6, "１３１０１"), ("1310160", 6, "1310160"),
    ("", 6, ""), ("E123", 6, "E123"),
])
def test_restore_leading_zeros(written, width, restored):
    assert opendata.restore_leading_zeros(written, width) == restored


def test_header_in_part_and_in_any_order_is_read_and_anything_else_named():
    required = list(opendata.REQUIRED_COLUMNS)
    assert opendata.read_header([*reversed(required), " 備考 "]) == (*reversed(required), "備考")
    with pytest.raises(ValidationError) as refused:
        opendata.read_header([*required[1:], "収容人数", "", "名称"])
    assert [(p["column"], p["message"]) for p in refused.value.details["problems"]] == [
        ("収容人数", "「収容人数」は推奨データセット（指定緊急避難場所一覧）の列名ではありません。"),
        (f"{len(required) + 1}列目", f"{len(required) + 1}列目の見出しが空です。"),
        ("名称", "列「名称」が2回あります。"),
        ("全国地方公共団体コード", "必須の列「全国地方公共団体コード」がありません。"),
    ]


@pytest.mark.parametrize(("common_id", "code"), [
    ("E0469900001201", "04699"), ("E1310100002201", "13101"), ("0469900001201", "04699"), (" E0110000001202 ", "01100"),
    ("G-0001", None), ("E04699", None), ("", None), ("EE0469900001201", None),
])
def test_common_id_code(common_id, code):
    assert gsi.common_id_code(common_id) == code


@pytest.mark.parametrize(("row", "named", "own"), [
    (["1", "E0469900001201", "岩手県北山村"], True, True),   # the code decides over the name
    (["1", "E0339900001201", "宮城県桜ヶ丘町"], True, False),
    (["1", "E0469900001201", "桜ヶ丘町民体育館"], False, True),
    (["1", "E0339900001201", "北山小学校"], False, False),
    (["1", "G-1", "宮城県 桜ヶ丘町"], True, True),
    (["1", "G-1", "岩手県北山村"], True, False),
    (["1", "G-1", ""], True, None),
    (["1", "G-1", "桜ヶ丘町民体育館"], False, None),
    (["1"], True, None),
])
def test_is_own_row(row, named, own):
    assert gsi.is_own_row(row, named, "046990", "宮城県桜ヶ丘町") is own


def test_both_layouts_of_both_lists_are_known():
    assert len(gsi.LAYOUTS) == 4 and {len(h) for h in gsi.LAYOUTS} == {17, 16, 11, 10}
    assert sorted(gsi.LAYOUTS.values()) == ["指定緊急避難場所", "指定緊急避難場所", "指定避難所", "指定避難所"]


def test_a_header_of_no_gsi_list_names_its_columns():
    with pytest.raises(ValidationError) as refused:
        gsi.read_gsi("NO,共通ID,施設名,住所,緯度,経度\r\n".encode(), "046990", "宮城県桜ヶ丘町")
    assert [(p["line"], p["column"]) for p in refused.value.details["problems"]] == [(1, "施設名")]
    reordered = ",".join(gsi.SHELTER_HEADER[::-1]) + "\r\n"
    with pytest.raises(ValidationError) as refused:
        gsi.read_gsi(reordered.encode(), "046990", "宮城県桜ヶ丘町")
    assert "並び順" in refused.value.details["problems"][0]["message"]
