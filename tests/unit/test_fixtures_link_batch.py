"""Unit tests of the resident data link batch fixtures (no database, no application).

The column lists below are copied from docs/resident-link.md on purpose: a change in either the
document or the fixtures breaks these tests.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import struct
import zipfile
from collections import Counter, defaultdict
from datetime import date

import pytest
from pyproj import Transformer

from fixtures.link_batch import (
    ADDRESS_POINT_HEADER,
    DIFF_PREFIX,
    KINDS,
    RESIDENT_HEADER,
    SEAL_HEADER,
    TAX_HEADER,
    WELFARE_HEADER,
    gaiji_map,
    manifest_of,
    resident_rows,
    write_address_points,
    write_diff_batch,
    write_full_batch,
)
from fixtures.link_batch.numbers import check_digit, my_number, resident_code, resident_codes
from fixtures.link_batch.seal_png import seal_images
from fixtures.town import DEMO_TOWN, SECOND_TOWN, generate_town

# --- The specification, copied from docs/resident-link.md --------------------------------------------------

SPEC_RESIDENTS = [
    "宛名番号", "住民票コード", "世帯番号", "住民種別", "氏名", "氏名カナ", "旧氏", "旧氏カナ", "通称", "通称カナ",
    "生年月日", "性別", "続柄", "世帯主", "住所", "方書", "住所を定めた年月日", "前住所", "住民となった日", "本籍",
    "筆頭者", "国籍・地域", "在留資格", "在留期間", "在留期間の満了の日", "在留カード等番号", "個人番号", "住民状態",
    "消除日", "支援措置", "電話番号",
]
SPEC_SEALS = ["登録番号", "宛名番号", "登録日", "廃止日", "印影"]
SPEC_TAXES = [
    "宛名番号", "年度", "課税区分", "給与収入", "給与所得", "営業等所得", "農業所得", "不動産所得", "利子所得",
    "配当所得", "公的年金等収入", "雑所得", "総所得金額", "所得控除合計", "課税標準額", "配偶者控除", "扶養人数",
    "均等割額", "所得割額", "年税額", "納付済額", "納税状況",
]
SPEC_WELFARE = [
    "宛名番号", "要介護度", "身体障害者手帳等級", "身体障害の種別", "精神障害者保健福祉手帳等級", "療育手帳", "難病",
    "独居", "高齢者のみ世帯",
]
SPEC_DIFF_PREFIX = ["異動区分", "異動事由", "異動日"]
SPEC_ADDRESS_POINTS = [
    "都道府県名", "市区町村名", "大字・町丁目名", "小字・通称名", "街区符号・地番", "座標系番号", "Ｘ座標", "Ｙ座標",
    "緯度", "経度", "住居表示フラグ", "代表フラグ", "更新前履歴フラグ", "更新後履歴フラグ",
]
SPEC = {"residents": SPEC_RESIDENTS, "seals": SPEC_SEALS, "taxes": SPEC_TAXES, "welfare": SPEC_WELFARE}
# 異動事由 per kind and 異動区分 (section 3.5).
REASONS = {
    "residents": {"1": {"01", "02", "03", "04"}, "2": {"11", "12", "13", "14", "21", "22", "23"}, "3": {"99"}},
    "seals": {"1": {"31"}, "2": {"32", "33"}, "3": {"99"}},
    "taxes": {"1": {"41"}, "2": {"42", "43"}, "3": {"99"}},
    "welfare": {"1": {"51"}, "2": {"52", "53"}, "3": {"53", "99"}},
}
ERAS = {"M": date(1868, 1, 25), "T": date(1912, 7, 30), "S": date(1926, 12, 25), "H": date(1989, 1, 8),
        "R": date(2019, 5, 1)}
ERA_ENDS = {"M": date(1912, 7, 29), "T": date(1926, 12, 24), "S": date(1989, 1, 7), "H": date(2019, 4, 30),
            "R": date(9999, 12, 31)}

KANA = re.compile(r"^[\u30a1-\u30f6\u30fc\u30fb\u3000 ]+$")   # katakana, ー, ・ and spaces
DIGITS = re.compile(r"^\d{1,15}$")
PHONE = re.compile(r"^[\d-]{1,20}$")
CARD = re.compile(r"^[A-Z]{2}\d{8}[A-Z]{2}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WAREKI = re.compile(r"^([MTSHR])(\d{2})\.(\d{2})\.(\d{2})$")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
REFERENCE_AT = "2026-11-25T03:00:00+09:00"
REFERENCE_DAY = date(2026, 11, 25)
TAX_YEARS = (2025, 2026)
R = {name: index for index, name in enumerate(SPEC_RESIDENTS)}
T = {name: index for index, name in enumerate(SPEC_TAXES)}
W = {name: index for index, name in enumerate(SPEC_WELFARE)}


def parse_date(text: str) -> date:
    """A date of the link format: ISO, or 和暦 within its era."""
    if ISO_DATE.match(text):
        return date.fromisoformat(text)
    match = WAREKI.match(text)
    assert match, f"not a date: {text!r}"
    era, year, month, day = match.group(1), *map(int, match.groups()[1:])
    value = date(ERAS[era].year + year - 1, month, day)
    assert ERAS[era] <= value <= ERA_ENDS[era], f"{text} is outside its era"
    return value


def my_number_ok(text: str) -> bool:
    """The 個人番号 check digit, written independently from the brief's formula."""
    if not re.fullmatch(r"\d{12}", text):
        return False
    digits = [int(c) for c in text[:11]]
    total = sum(p * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(digits), start=1))
    r = total % 11
    return int(text[11]) == (0 if r <= 1 else 11 - r)


def read_csv(archive: zipfile.ZipFile, name: str, encoding: str = "UTF-8") -> tuple[list[str], list[list[str]]]:
    text = archive.read(name).decode("utf-8-sig" if encoding == "UTF-8" else "cp932")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:]


def load(path) -> dict[str, tuple[list[str], list[list[str]]]]:
    manifest = manifest_of(path)
    with zipfile.ZipFile(path) as archive:
        return {f["kind"]: read_csv(archive, f["name"], f["encoding"]) for f in manifest["files"]}


def key_of(kind: str, row: list[str]) -> tuple[str, ...]:
    return (row[0], row[1]) if kind == "taxes" else (row[0],)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_households(residents: list[list[str]]) -> None:
    """Every 世帯 with a 住登内 member has exactly one 住登内 世帯主."""
    heads, active = Counter(), set()
    for row in residents:
        if row[R["住民状態"]] == "1":
            active.add(row[R["世帯番号"]])
            heads[row[R["世帯番号"]]] += row[R["世帯主"]] == "1"
    assert {household: heads[household] for household in active} == dict.fromkeys(active, 1)


# --- Fixtures ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def town():
    return generate_town(DEMO_TOWN, 3000, 7)


@pytest.fixture(scope="module")
def full_path(town, tmp_path_factory):
    return write_full_batch(town, tmp_path_factory.mktemp("full") / "full.zip", tax_years=TAX_YEARS)


@pytest.fixture(scope="module")
def full(full_path):
    return load(full_path)


@pytest.fixture(scope="module")
def diff_path(town, tmp_path_factory):
    return write_diff_batch(town, tmp_path_factory.mktemp("diff") / "diff.zip", changes=700, seed=3,
                            tax_years=TAX_YEARS)


@pytest.fixture(scope="module")
def diff(diff_path):
    return load(diff_path)


@pytest.fixture(scope="module")
def yoshida_town():
    town = generate_town(DEMO_TOWN, 1500, 12)
    assert any("𠮷" in row[2] for row in town.iter_residents()), "the town generator no longer gives 𠮷田 here"
    return town


# --- Layout of the batch --------------------------------------------------------------------------------------

def test_headers_are_the_columns_of_the_specification():
    assert list(RESIDENT_HEADER) == SPEC_RESIDENTS and len(RESIDENT_HEADER) == 31
    assert list(SEAL_HEADER) == SPEC_SEALS
    assert list(TAX_HEADER) == SPEC_TAXES
    assert list(WELFARE_HEADER) == SPEC_WELFARE
    assert list(DIFF_PREFIX) == SPEC_DIFF_PREFIX
    assert list(ADDRESS_POINT_HEADER) == SPEC_ADDRESS_POINTS
    assert KINDS == ("residents", "seals", "taxes", "welfare")


def test_full_batch_holds_the_manifest_and_four_files(full_path, full):
    with zipfile.ZipFile(full_path) as archive:
        assert archive.namelist() == ["manifest.json", "residents.csv", "seals.csv", "taxes.csv", "welfare.csv"]
    for kind in KINDS:
        assert full[kind][0] == SPEC[kind]


def test_manifest_matches_the_files(full_path, town):
    manifest = manifest_of(full_path)
    assert list(manifest) == ["format", "version", "lg_code", "mode", "sequence", "reference_at", "files"]
    assert (manifest["format"], manifest["version"], manifest["lg_code"], manifest["mode"], manifest["sequence"],
            manifest["reference_at"]) == ("bcl-resident-link", "1.0", town.spec.lg_code, "full", 1, REFERENCE_AT)
    with zipfile.ZipFile(full_path) as archive:
        for entry, kind in zip(manifest["files"], KINDS, strict=True):
            assert list(entry) == ["kind", "name", "encoding", "records", "sha256"]
            assert (entry["kind"], entry["name"], entry["encoding"]) == (kind, f"{kind}.csv", "UTF-8")
            data = archive.read(entry["name"])
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()
            assert entry["records"] == data.count(b"\r\n") - 1 == data.count(b"\n") - 1


def test_csv_is_what_csv_writer_writes(full_path):
    """CRLF, minimal quoting, no line break inside a field: re-serialising gives the same bytes."""
    with zipfile.ZipFile(full_path) as archive:
        for kind in KINDS:
            data = archive.read(f"{kind}.csv")
            rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
            assert not any("\r" in field or "\n" in field for row in rows for field in row)
            out = io.StringIO()
            csv.writer(out, lineterminator="\r\n").writerows(rows)
            assert out.getvalue().encode("utf-8") == data


def test_writing_twice_gives_identical_zips(town, tmp_path, full_path, diff_path):
    again = write_full_batch(town, tmp_path / "again.zip", tax_years=TAX_YEARS)
    assert again.read_bytes() == full_path.read_bytes()
    diff_again = write_diff_batch(town, tmp_path / "diff.zip", changes=700, seed=3, tax_years=TAX_YEARS)
    assert diff_again.read_bytes() == diff_path.read_bytes()


def test_stored_zip_has_the_same_entries(town, tmp_path, full_path):
    stored = write_full_batch(town, tmp_path / "stored.zip", tax_years=TAX_YEARS, compress=False)
    with zipfile.ZipFile(stored) as plain, zipfile.ZipFile(full_path) as packed:
        assert {i.compress_type for i in plain.infolist()} == {zipfile.ZIP_STORED}
        assert {i.compress_type for i in packed.infolist()} == {zipfile.ZIP_DEFLATED}
        assert all(plain.read(name) == packed.read(name) for name in packed.namelist())


def test_resident_rows_are_the_file_rows(town, full):
    assert [list(row) for row in resident_rows(town, TAX_YEARS)] == full["residents"][1]


# --- Residents ------------------------------------------------------------------------------------------------

def test_residents_follow_the_rules(town, full):
    rows = full["residents"][1]
    assert len(rows) == town.residents
    assert len({row[0] for row in rows}) == len(rows)
    assert len({row[1] for row in rows}) == len(rows)
    for row in rows:
        check_resident(row)
    check_households(rows)


def check_resident(row: list[str], reference: date = REFERENCE_DAY) -> None:
    get = dict(zip(SPEC_RESIDENTS, row, strict=True)).__getitem__
    assert DIGITS.match(get("宛名番号")) and DIGITS.match(get("世帯番号"))
    assert re.fullmatch(r"\d{11}", get("住民票コード"))
    assert get("住民種別") in ("1", "2") and get("性別") in ("1", "2") and get("世帯主") in ("0", "1")
    assert get("支援措置") in ("0", "1") and get("住民状態") in ("1", "2", "3", "4")
    assert 0 < len(get("氏名")) <= 100 and KANA.match(get("氏名カナ")) and len(get("氏名カナ")) <= 200
    assert bool(get("旧氏")) == bool(get("旧氏カナ")) and (not get("旧氏カナ") or KANA.match(get("旧氏カナ")))
    assert bool(get("通称")) == bool(get("通称カナ")) and (not get("通称カナ") or KANA.match(get("通称カナ")))
    assert 0 < len(get("続柄")) <= 20 and 0 < len(get("住所")) <= 200 and len(get("前住所")) <= 200
    birth = parse_date(get("生年月日"))
    assert birth <= reference
    for column in ("住所を定めた年月日", "住民となった日", "在留期間の満了の日"):
        if get(column):
            parse_date(get(column))
    if get("住所を定めた年月日"):
        assert birth <= parse_date(get("住民となった日")) <= parse_date(get("住所を定めた年月日")) <= reference
    assert not get("個人番号") or my_number_ok(get("個人番号"))
    assert not get("電話番号") or PHONE.match(get("電話番号"))
    if get("住民状態") == "1":
        assert get("消除日") == ""
    else:
        assert birth < parse_date(get("消除日")) <= reference
    if get("住民種別") == "2":
        assert get("国籍・地域") and get("在留資格") and not get("本籍") and not get("筆頭者")
        assert CARD.match(get("在留カード等番号"))
    else:
        assert not any(get(c) for c in ("国籍・地域", "在留資格", "在留期間", "在留期間の満了の日", "在留カード等番号"))
        assert get("本籍") and get("筆頭者")


def test_residents_cover_the_variations(full):
    rows = full["residents"][1]
    foreign = [row for row in rows if row[R["住民種別"]] == "2"]
    households = {row[R["世帯番号"]] for row in rows}
    foreign_households = {row[R["世帯番号"]] for row in foreign}
    assert 0.005 <= len(foreign_households) / len(households) <= 0.03
    for household in foreign_households:   # whole households are foreign
        assert all(row[R["住民種別"]] == "2" for row in rows if row[R["世帯番号"]] == household)
    assert any(re.fullmatch(r"[A-Z ]+", row[R["氏名"]]) for row in foreign)
    assert any(WAREKI.match(row[R["生年月日"]]) for row in rows)
    assert 0.002 <= sum(bool(WAREKI.match(row[R["生年月日"]])) for row in rows) / len(rows) <= 0.03
    assert 0.01 <= sum(row[R["個人番号"]] == "" for row in rows) / len(rows) <= 0.06
    assert any(row[R["旧氏"]] for row in rows)
    assert {row[R["住民状態"]] for row in rows} >= {"1", "2"}   # 死亡 is rarer: the diff adds some
    assert any(row[R["支援措置"]] == "1" for row in rows)


def test_check_digits_match_an_independent_implementation():
    for body in (0, 1, 12345678901, 98765432109, 55555555555, 10203040506):
        assert my_number_ok(f"{body:011d}{check_digit(body)}")
    for atena in (46990000000001, 46990000012345, 33995000000077, 46990800002001):
        code, number = resident_codes(atena, 7_919)
        assert (code, number) == (resident_code(atena, 7_919), my_number(atena, 7_919))
        assert re.fullmatch(r"\d{11}", code) and my_number_ok(number)


# --- Seals, taxes, welfare --------------------------------------------------------------------------------------

def test_seals(full):
    residents = {row[0]: row for row in full["residents"][1]}
    rows = full["seals"][1]
    assert len({row[0] for row in rows}) == len(rows)
    open_per_resident = Counter()
    for number, atena, registered, abolished, image in rows:
        assert re.fullmatch(r"[A-Za-z0-9]{1,20}", number) and atena in residents
        assert not abolished or parse_date(abolished) >= parse_date(registered)
        assert image or abolished
        if image:
            png = base64.b64decode(image, validate=True)
            assert png.startswith(PNG_SIGNATURE) and len(png) <= 64 * 1024
        open_per_resident[atena] += not abolished
    assert max(open_per_resident.values()) == 1
    adults = [row for row in residents.values()
              if age_on(parse_date(row[R["生年月日"]]), DEMO_TOWN.reference_date) >= 15]
    assert 0.3 <= len({row[1] for row in rows}) / len(adults) <= 0.5
    assert 0.02 <= sum(bool(row[3]) for row in rows) / len(rows) <= 0.12


def test_seal_images_are_small_distinct_pngs():
    images = seal_images()
    assert len(set(images)) == len(images) >= 32
    for image in images:
        png = base64.b64decode(image)
        width, height = struct.unpack(">II", png[16:24])
        assert png.startswith(PNG_SIGNATURE) and 48 <= width == height <= 64 and png.endswith(b"IEND\xaeB`\x82")


def check_tax(row: list[str]) -> None:
    value = {name: int(row[T[name]]) for name in SPEC_TAXES if name != "宛名番号"}
    assert all(v >= 0 for v in value.values()) and row[T["課税区分"]] in ("1", "2")
    assert value["年税額"] == value["均等割額"] + value["所得割額"]
    if row[T["課税区分"]] == "2":
        assert value["年税額"] == 0
    else:
        assert value["均等割額"] == 5000
        assert value["所得割額"] == value["課税標準額"] // 1000 * 100
    paid, tax = value["納付済額"], value["年税額"]
    expected = "1" if paid >= tax else ("3" if paid == 0 else "2")
    assert row[T["納税状況"]] == expected and row[T["配偶者控除"]] in ("0", "1") and 0 <= value["扶養人数"] <= 99
    assert value["課税標準額"] == max(0, value["総所得金額"] - value["所得控除合計"]) // 1000 * 1000
    incomes = ("給与所得", "営業等所得", "農業所得", "不動産所得", "利子所得", "配当所得", "雑所得")
    assert value["総所得金額"] == sum(value[name] for name in incomes)


def test_taxes(full):
    residents = {row[0]: row for row in full["residents"][1]}
    rows = full["taxes"][1]
    assert len({(row[0], row[1]) for row in rows}) == len(rows)
    for row in rows:
        assert row[0] in residents and row[1] in ("2025", "2026")
        check_tax(row)
    expected = set()
    for atena, row in residents.items():
        if age_on(parse_date(row[R["生年月日"]]), DEMO_TOWN.reference_date) >= 18:
            removed = parse_date(row[R["消除日"]]) if row[R["消除日"]] else None
            expected |= {(atena, str(year)) for year in TAX_YEARS if removed is None or removed >= date(year, 1, 1)}
    assert {(row[0], row[1]) for row in rows} == expected
    assert {row[T["課税区分"]] for row in rows} == {"1", "2"}
    assert {row[T["納税状況"]] for row in rows} == {"1", "2", "3"}


def test_welfare(full):
    residents = {row[0]: row for row in full["residents"][1]}
    members = defaultdict(list)
    for row in residents.values():
        if row[R["住民状態"]] == "1":
            members[row[R["世帯番号"]]].append(age_on(parse_date(row[R["生年月日"]]), DEMO_TOWN.reference_date))
    rows = full["welfare"][1]
    assert len({row[0] for row in rows}) == len(rows)
    for row in rows:
        resident = residents[row[0]]
        assert resident[R["住民状態"]] == "1"
        assert row[W["要介護度"]] in ("", "11", "12", "21", "22", "23", "24", "25")
        assert row[W["身体障害者手帳等級"]] in ("", "1", "2", "3", "4", "5", "6")
        assert bool(row[W["身体障害者手帳等級"]]) == bool(row[W["身体障害の種別"]])
        assert row[W["精神障害者保健福祉手帳等級"]] in ("", "1", "2", "3") and row[W["療育手帳"]] in ("", "A", "B")
        ages = members[resident[R["世帯番号"]]]
        assert row[W["独居"]] == ("1" if len(ages) == 1 else "0")
        assert row[W["高齢者のみ世帯"]] == ("1" if min(ages) >= 65 else "0")
    listed = {row[0] for row in rows}
    alone_elderly = [atena for atena, row in residents.items() if row[R["住民状態"]] == "1"
                     and members[row[R["世帯番号"]]] and len(members[row[R["世帯番号"]]]) == 1
                     and members[row[R["世帯番号"]]][0] >= 65]
    assert alone_elderly and set(alone_elderly) <= listed
    elderly = [a for a, row in residents.items() if row[R["住民状態"]] == "1"
               and age_on(parse_date(row[R["生年月日"]]), DEMO_TOWN.reference_date) >= 65]
    certified = [row for row in rows if row[W["要介護度"]]]
    assert 0.08 <= len(certified) / len(elderly) <= 0.3


# --- Encodings --------------------------------------------------------------------------------------------------

def test_cp932_writes_unencodable_characters_as_gaiji(yoshida_town, tmp_path):
    path = write_full_batch(yoshida_town, tmp_path / "cp932.zip", encodings={"residents": "CP932"})
    manifest = manifest_of(path)
    assert [f["encoding"] for f in manifest["files"]] == ["CP932", "UTF-8", "UTF-8", "UTF-8"]
    assert gaiji_map(path) == {"\ue000": "𠮷"}
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist()[-1] == "gaiji.json"
        raw = archive.read("residents.csv")
        assert hashlib.sha256(raw).hexdigest() == manifest["files"][0]["sha256"]
    assert b"\xf0\x40" in raw   # U+E000 in CP932's user-defined area
    text = raw.decode("cp932")
    assert "\ue000" in text and "𠮷" not in text
    utf8 = write_full_batch(yoshida_town, tmp_path / "utf8.zip")
    assert gaiji_map(utf8) == {}
    with zipfile.ZipFile(utf8) as archive:
        assert "gaiji.json" not in archive.namelist()
        assert archive.read("residents.csv").decode("utf-8") == text.replace("\ue000", "𠮷")


def test_cp932_without_unencodable_characters_has_no_gaiji(town, tmp_path):
    path = write_full_batch(town, tmp_path / "cp932.zip", encodings=dict.fromkeys(KINDS, "CP932"))
    assert all(f["encoding"] == "CP932" for f in manifest_of(path)["files"])
    with zipfile.ZipFile(path) as archive:
        assert "gaiji.json" not in archive.namelist()
        archive.read("residents.csv").decode("cp932")


def test_utf8_with_bom(town, tmp_path):
    path = write_full_batch(town, tmp_path / "bom.zip", bom=True)
    manifest = manifest_of(path)
    with zipfile.ZipFile(path) as archive:
        for entry in manifest["files"]:
            data = archive.read(entry["name"])
            assert data.startswith(b"\xef\xbb\xbf") and hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert entry["records"] == data.count(b"\r\n") - 1


# --- Diff batch ----------------------------------------------------------------------------------------------------

def apply_diff(full, diff) -> dict[str, dict[tuple, list[str]]]:
    """A small reference applier: keys must be new for 追加 and exist for 更新/削除; rows apply in order."""
    state = {kind: {key_of(kind, row): row for row in full[kind][1]} for kind in KINDS}
    for kind in KINDS:
        if kind not in diff:
            continue
        for row in diff[kind][1]:
            action, record = row[0], row[3:]
            key = key_of(kind, record)
            if action == "1":
                assert key not in state[kind], (kind, row)
                state[kind][key] = record
            elif action == "2":
                assert key in state[kind], (kind, row)
                state[kind][key] = record
            else:
                assert key in state[kind], (kind, row)
                del state[kind][key]
    return state


def test_diff_batch_layout(diff_path, diff, town):
    manifest = manifest_of(diff_path)
    assert (manifest["mode"], manifest["sequence"], manifest["reference_at"], manifest["lg_code"]) == (
        "diff", 2, "2026-12-01T03:00:00+09:00", town.spec.lg_code)
    assert [f["kind"] for f in manifest["files"]] == list(KINDS)
    with zipfile.ZipFile(diff_path) as archive:
        for entry in manifest["files"]:
            data = archive.read(entry["name"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"] and entry["records"] == data.count(b"\r\n") - 1
    for kind in KINDS:
        assert diff[kind][0] == SPEC_DIFF_PREFIX + SPEC[kind]


def test_diff_rows_obey_the_rules(diff, full):
    total = sum(len(diff[kind][1]) for kind in KINDS)
    assert 500 <= total <= 900
    assert len(diff["residents"][1]) > total / 2
    for kind in KINDS:
        keys = [key_of(kind, row[3:]) for row in diff[kind][1]]
        assert len(keys) == len(set(keys)), f"a key appears twice in {kind}"
        for action, reason, day, *record in diff[kind][1]:
            assert reason in REASONS[kind][action], (kind, action, reason)
            assert date(2026, 11, 25) <= parse_date(day) <= date(2026, 12, 1)
            if action != "3" and kind == "residents":
                check_resident(record, reference=date(2026, 12, 1))
                check_resident_after(record, reason, day)
            if action != "3" and kind == "taxes":
                check_tax(record)


def check_resident_after(record: list[str], reason: str, day: str) -> None:
    state = {"21": "2", "22": "3", "23": "4"}.get(reason, "1")
    assert record[R["住民状態"]] == state
    assert record[R["消除日"]] == (day if state != "1" else "")
    assert DIGITS.match(record[0]) and KANA.match(record[R["氏名カナ"]])
    assert not record[R["個人番号"]] or my_number_ok(record[R["個人番号"]])
    if reason in ("01", "02", "03"):
        assert record[R["住民となった日"]] == day
    if reason == "02":
        assert record[R["生年月日"]] == day


def test_diff_has_every_kind_of_event(diff):
    reasons = {(kind, row[0], row[1]) for kind in KINDS for row in diff[kind][1]}
    for expected in [("residents", "1", "01"), ("residents", "1", "02"), ("residents", "2", "11"),
                     ("residents", "2", "12"), ("residents", "2", "14"), ("residents", "2", "21"),
                     ("residents", "2", "22"), ("seals", "1", "31"), ("seals", "2", "32"), ("taxes", "2", "42"),
                     ("taxes", "2", "43"), ("welfare", "1", "51"), ("welfare", "2", "52")]:
        assert expected in reasons
    assert {("welfare", "2", "53"), ("welfare", "3", "53")} & reasons


def test_diff_applies_cleanly_on_the_full_batch(full, diff):
    state = apply_diff(full, diff)
    residents = state["residents"]
    check_households(list(residents.values()))
    open_seals = Counter()
    for (number,), row in state["seals"].items():
        assert (row[1],) in residents and number == row[0]
        open_seals[row[1]] += not row[3]
    assert max(open_seals.values()) == 1
    for row in state["taxes"].values():
        assert (row[0],) in residents
        check_tax(row)
    for row in state["welfare"].values():
        assert (row[0],) in residents
        assert row[1:6] != [""] * 5 or row[6] == "1" or row[7] == "1"   # an item, or 独居 (65+)
    for row in diff["residents"][1]:   # a departed head's household has a new head or left with them
        if row[1] in ("21", "22") and row[3 + R["世帯主"]] == "1":
            household = [r for r in residents.values() if r[R["世帯番号"]] == row[3 + R["世帯番号"]]]
            assert all(r[R["住民状態"]] != "1" for r in household) or any(
                r[R["世帯主"]] == "1" and r[R["住民状態"]] == "1" for r in household)


def test_diff_in_cp932(town, tmp_path):
    path = write_diff_batch(town, tmp_path / "diff.zip", changes=50, encoding="CP932", sequence=3)
    manifest = manifest_of(path)
    assert manifest["sequence"] == 3 and {f["encoding"] for f in manifest["files"]} == {"CP932"}
    assert 1 <= len(manifest["files"]) <= 4


# --- Address points ---------------------------------------------------------------------------------------------

def blocks_of(addresses, spec) -> set[tuple[str, str]]:
    prefix = spec.prefecture + spec.name
    found = set()
    for address in addresses:
        match = re.fullmatch(re.escape(prefix) + r"(.+丁目)(\d+)番\d+号", address)
        assert match, address
        found.add(match.groups())
    return found


def test_address_points_cover_every_block(town, full, diff, tmp_path):
    path = write_address_points(town, tmp_path / "points.csv")
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("cp932"), newline="")))
    assert rows[0] == SPEC_ADDRESS_POINTS
    points = {(row[2], row[4]): row for row in rows[1:]}
    assert len(points) == len(rows) - 1
    addresses = [row[R["住所"]] for row in full["residents"][1]] + [row[3 + R["住所"]] for row in diff["residents"][1]]
    assert blocks_of(addresses, town.spec) <= set(points)
    west, south, east, north = town.extent()
    to_plane = Transformer.from_crs("EPSG:6668", "EPSG:6678", always_xy=True)
    for row in rows[1:]:
        assert row[0:2] == [town.spec.prefecture, town.spec.name] and row[3] == "" and row[5] == "10"
        assert row[10:14] == ["1", "1", "0", "0"]
        lat, lon = float(row[8]), float(row[9])
        assert south <= lat <= north and west <= lon <= east
        easting, northing = to_plane.transform(lon, lat)
        assert abs(float(row[6]) - northing) < 0.2 and abs(float(row[7]) - easting) < 0.2   # Ｘ is northing


def test_address_points_in_utf8_for_the_second_town(tmp_path):
    town = generate_town(SECOND_TOWN, 800, 1)
    path = write_address_points(town, tmp_path / "points.csv", encoding="UTF-8")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    addresses = [row[8] for row in town.iter_residents()]
    assert blocks_of(addresses, town.spec) <= {(row[2], row[4]) for row in rows[1:]}
    assert {row[0] for row in rows[1:]} == {"岩手県"} and {row[5] for row in rows[1:]} == {"10"}


def test_gaiji_json_is_valid_json(yoshida_town, tmp_path):
    path = write_full_batch(yoshida_town, tmp_path / "g.zip", encodings=dict.fromkeys(KINDS, "CP932"))
    with zipfile.ZipFile(path) as archive:
        assert json.loads(archive.read("gaiji.json")) == gaiji_map(path)
