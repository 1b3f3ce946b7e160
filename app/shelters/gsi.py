"""The 国土地理院 指定緊急避難場所・指定避難所 CSVs, as they are downloaded.

Each list comes in two layouts: the file a municipality downloads for itself (``13101_1.csv``)
and the nationwide files (``mergeFromCity_1.csv``, ``mergeFromCity_2.csv``), which add the column
都道府県名及び市町村名 as third column and hold every municipality. The header tells the list and
the layout apart. A row belongs to this municipality when its 共通ID carries this municipality's
地方公共団体コード: GSI's IDs are a letter and the five digits of the code without its check digit,
then a serial (``E0469900001201`` is 046990's). Only when a 共通ID carries no code does the
都道府県名及び市町村名 column of a nationwide file decide. Other municipalities' rows are counted
and skipped unread; this municipality's rows are all checked, and any problem refuses the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.errors import ValidationError
from app.shelters import csvcheck
from app.shelters.csvcheck import problem
from app.shelters.opendata import HAZARD_COLUMNS

NAME_COLUMN = "都道府県名及び市町村名"
HAZARDS = tuple(c.removeprefix("災害種別_") for c in HAZARD_COLUMNS)
EMERGENCY_HEADER = ("NO", "共通ID", NAME_COLUMN, "施設・場所名", "住所", *HAZARDS, "指定避難所との住所同一",
                    "緯度", "経度", "備考")
SHELTER_HEADER = ("NO", "共通ID", NAME_COLUMN, "施設・場所名", "住所", "指定緊急避難場所との住所同一",
                  "その他市町村長が必要と認める事項", "受入対象者", "緯度", "経度", "備考")
KINDS = {EMERGENCY_HEADER: "指定緊急避難場所", SHELTER_HEADER: "指定避難所"}
# Both layouts of both lists: header -> the designation its rows carry.
LAYOUTS = {layout: kind for header, kind in KINDS.items()
           for layout in (header, tuple(h for h in header if h != NAME_COLUMN))}
# Hazard marks: GSI publishes "1"; older files and municipalities' own copies use ◎ or ○.
MARKS = ("", "1", "◎", "○")
TEXT_FIELDS = {"共通ID": "code", "施設・場所名": "name", "住所": "address"}
_COMMON_ID_CODE = re.compile(r"[A-Za-z]?([0-9]{5})[0-9]+")


@dataclass
class GsiRecord:
    line: int
    code: str
    name: str
    address: str
    lat: float
    lon: float
    kind: str
    hazards: list[str]


@dataclass
class GsiFile:
    """This municipality's rows, and how many rows of other municipalities were skipped."""

    records: list[GsiRecord]
    skipped: int


def read_gsi(data: bytes, lg_code: str, municipality_name: str) -> GsiFile:
    """This municipality's rows of a 国土地理院 CSV (either list, either layout, UTF-8 with or
    without BOM or CP932), or a ValidationError listing each problem with line and column. A file
    without any of this municipality's rows is refused."""
    rows = csvcheck.numbered_rows(data, "国土地理院のCSV")
    header = tuple(cell.strip() for cell in next(rows, (1, []))[1])
    if header not in LAYOUTS:
        raise ValidationError("見出し行が国土地理院の指定緊急避難場所・指定避難所のCSV（市町村別または全国）と"
                              "一致しません。", code="header_mismatch", details={"problems": _header_problems(header)})
    problems, records, seen, skipped = [], [], {}, 0
    for line, row in rows:
        if csvcheck.is_blank(row):
            continue
        own = is_own_row(row, NAME_COLUMN in header, lg_code, municipality_name)
        if own is False:
            skipped += 1
        elif own is None:
            problems.append(problem(line, "共通ID", f"共通IDから団体を読み取れません（例: E{lg_code[:5]}00000101、"
                                    "英字1文字と地方公共団体コードの先頭5桁で始まります）。"))
        else:
            common_id = row[1].strip()
            if common_id and (first := seen.setdefault(common_id, line)) != line:
                problems.append(problem(line, "共通ID", f"共通ID {common_id} が{first}行目と重複しています。"))
            if (record := _record(line, header, row, problems)) is not None:
                records.append(record)
    csvcheck.refuse(problems)
    if not records:
        others = f"（ほかの団体の行 {skipped} 件）" if skipped else ""
        raise ValidationError(f"このファイルには{municipality_name}（団体コード {lg_code}）の行がありません{others}。",
                              code="no_rows_of_municipality")
    return GsiFile(records, skipped)


def _header_problems(header: tuple[str, ...]) -> list[dict]:
    """The columns no GSI list has, or else that the columns are not in a published order."""
    known = set().union(*LAYOUTS)
    unknown = [problem(1, column or f"{number}列目", f"「{column}」は国土地理院のCSVの列名ではありません。")
               for number, column in enumerate(header, start=1) if column not in known]
    return unknown or [problem(1, "", "列の組み合わせか並び順が、国土地理院が公開している形と違います。")]


def common_id_code(common_id: str) -> str | None:
    """The 地方公共団体コード without check digit (5 digits) a GSI 共通ID starts with, or None."""
    match = _COMMON_ID_CODE.fullmatch(common_id.strip())
    return match.group(1) if match else None


def is_own_row(row: list[str], named: bool, lg_code: str, municipality_name: str) -> bool | None:
    """Whether a row is this municipality's: by its 共通ID, or when that carries no code, by the
    name column of a nationwide file (spaces ignored). None when neither tells."""
    code = common_id_code(row[1]) if len(row) > 1 else None
    if code is not None:
        return code == lg_code[:5]
    name = "".join(row[2].split()) if named and len(row) > 2 else ""
    return name == "".join(municipality_name.split()) if name else None


def _record(line: int, header: tuple[str, ...], row: list[str], problems: list[dict]) -> GsiRecord | None:
    if len(row) != len(header):
        problems.append(problem(line, "", f"列の数が{len(row)}です（{len(header)}列必要）。"))
        return None
    values = dict(zip(header, row, strict=True))
    before = len(problems)
    problems += csvcheck.text_problems(line, values, TEXT_FIELDS)
    lat, lon = csvcheck.required_and_position(line, values, tuple(TEXT_FIELDS), problems)
    hazards = HAZARDS if "洪水" in header else ()
    for name in hazards:
        if values[name].strip() not in MARKS:
            problems.append(problem(line, name, f"{name}は「1」（または「◎」「○」）か空欄です（値: {values[name]}）。"))
    if len(problems) > before:
        return None
    fields = csvcheck.text_fields(values, TEXT_FIELDS)
    return GsiRecord(line, fields["code"], fields["name"], fields["address"], lat, lon, LAYOUTS[header],
                     [name for name in hazards if values[name].strip()])
