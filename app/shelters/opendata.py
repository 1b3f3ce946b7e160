"""The デジタル庁 推奨データセット (指定緊急避難場所一覧) for shelters: read and write, losslessly.

Reading checks the header and every row (codes, coordinates, the "1"-or-empty flags, capacity) and
returns all the problems at once with line and column; writing puts each value back in its column.
The columns BCL keeps as fields (ID, 名称, 所在地, 電話番号, 災害種別, 想定収容人数, 緯度・経度) are
taken from the shelter; every other column from what was imported (``Shelter.open_data``).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from app.errors import ValidationError
from app.exports import decode_spreadsheet_text

HAZARD_COLUMNS = ("災害種別_洪水", "災害種別_崖崩れ、土石流及び地滑り", "災害種別_高潮", "災害種別_地震",
                  "災害種別_津波", "災害種別_大規模な火事", "災害種別_内水氾濫", "災害種別_火山現象")
HEADER = ("全国地方公共団体コード", "ID", "名称", "名称_カナ", "名称_英字", "所在地_全国地方公共団体コード",
          "町字ID", "所在地_連結表記", "所在地_都道府県", "所在地_市区町村", "所在地_町字", "所在地_番地以下",
          "建物名等(方書)", "緯度", "経度", "標高", "電話番号", "内線番号", "連絡先メールアドレス", "連絡先FormURL",
          "連絡先備考（その他、SNSなど）", "郵便番号", "市区町村コード", "地方公共団体名", *HAZARD_COLUMNS,
          "指定避難所との重複", "想定収容人数", "対象となる町会・自治会", "URL", "画像", "画像_ライセンス", "備考")
FLAG_COLUMNS = (*HAZARD_COLUMNS, "指定避難所との重複")
# Columns kept as the shelter's own fields (the rest go to open_data as they came).
FIELD_COLUMNS = ("全国地方公共団体コード", "ID", "名称", "名称_カナ", "所在地_連結表記", "緯度", "経度", "電話番号",
                 *HAZARD_COLUMNS, "想定収容人数")
MAX_PROBLEMS = 200


@dataclass
class ShelterRecord:
    """One row: the fields BCL keeps, and the other columns as they came."""

    line: int
    code: str
    name: str
    name_kana: str
    address: str
    lat: float
    lon: float
    phone: str
    hazards: list[str]
    capacity: int
    also_designated: bool
    other: dict[str, str] = field(default_factory=dict)


def read_dataset(data: bytes, lg_code: str) -> list[ShelterRecord]:
    """Every row of the file, or a ValidationError listing each problem (file is UTF-8 with or
    without BOM, or CP932)."""
    rows = list(csv.reader(io.StringIO(decode_spreadsheet_text(data, "避難所一覧"))))
    if not rows or tuple(rows[0]) != HEADER:
        missing = [h for h in HEADER if not rows or h not in rows[0]]
        raise ValidationError("見出し行が推奨データセット（指定緊急避難場所一覧）の列と一致しません"
                              + (f"（足りない列: {'、'.join(missing[:5])}）。" if missing else "（列の順序）。"),
                              code="header_mismatch")
    problems: list[dict] = []
    records, seen = [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        record = _record(line, row, lg_code, problems)
        if record is not None:
            if record.code in seen:
                problems.append(_problem(line, "ID", f"ID {record.code} が{seen[record.code]}行目と重複しています。"))
            seen.setdefault(record.code, line)
            records.append(record)
    if problems:
        raise ValidationError(f"{len(problems)}件の誤りがあるため取り込みませんでした。", code="invalid_rows",
                              details={"problems": problems[:MAX_PROBLEMS]})
    return records


def _problem(line: int, column: str, message: str) -> dict:
    return {"line": line, "column": column, "message": message}


def _record(line: int, row: list[str], lg_code: str, problems: list[dict]) -> ShelterRecord | None:
    if len(row) != len(HEADER):
        problems.append(_problem(line, "", f"列の数が{len(row)}です（{len(HEADER)}列必要）。"))
        return None
    values = dict(zip(HEADER, row, strict=True))
    before = len(problems)
    if values["全国地方公共団体コード"] != lg_code:
        problems.append(_problem(line, "全国地方公共団体コード", f"団体コード {values['全国地方公共団体コード']} は"
                                 f"この団体（{lg_code}）のものではありません。"))
    lat, lon = _required_and_position(line, values, ("ID", "名称", "所在地_連結表記"), problems)
    for column in FLAG_COLUMNS:
        if values[column] not in ("", "1"):
            problems.append(_problem(line, column, f"{column}は「1」または空欄です（値: {values[column]}）。"))
    capacity = values["想定収容人数"].strip()
    if capacity and not capacity.isdigit():
        problems.append(_problem(line, "想定収容人数", f"想定収容人数は0以上の整数です（値: {capacity}）。"))
    if len(problems) > before:
        return None
    return ShelterRecord(
        line=line, code=values["ID"].strip(), name=values["名称"].strip(), name_kana=values["名称_カナ"],
        address=values["所在地_連結表記"], lat=lat, lon=lon, phone=values["電話番号"],
        hazards=[c.removeprefix("災害種別_") for c in HAZARD_COLUMNS if values[c] == "1"],
        capacity=int(capacity or 0), also_designated=values["指定避難所との重複"] == "1",
        other={k: v for k, v in values.items() if k not in FIELD_COLUMNS}
        | {"@緯度": values["緯度"], "@経度": values["経度"], "@想定収容人数": capacity})


def _required_and_position(line: int, values: dict[str, str], required: tuple[str, ...],
                           problems: list[dict]) -> tuple[float | None, float | None]:
    """Report empty required columns and coordinates outside Japan; the (lat, lon) read."""
    for column in required:
        if not values[column].strip():
            problems.append(_problem(line, column, f"{column}が空です。"))
    lat, lon = _coordinate(values["緯度"], 20, 46), _coordinate(values["経度"], 122, 154)
    if lat is None or lon is None:
        problems.append(_problem(line, "緯度" if lat is None else "経度", "緯度・経度は日本国内の10進数の度です。"))
    return lat, lon


def _coordinate(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


def dataset_row(lg_code: str, code: str, name: str, name_kana: str, address: str, lat: float, lon: float,
                phone: str, hazards: list[str], capacity: int, other: dict[str, str]) -> list[str]:
    """A row in HEADER order from a shelter's fields and its other columns."""
    fields = {"全国地方公共団体コード": lg_code, "ID": code, "名称": name, "名称_カナ": name_kana,
              "所在地_連結表記": address,
              "緯度": _as_imported(other.get("@緯度"), lat), "経度": _as_imported(other.get("@経度"), lon),
              "電話番号": phone, "想定収容人数": _capacity_text(other.get("@想定収容人数"), capacity)}
    fields |= {c: "1" if c.removeprefix("災害種別_") in hazards else "" for c in HAZARD_COLUMNS}
    return [fields[h] if h in fields else other.get(h, "") for h in HEADER]


def _as_imported(text: str | None, value: float) -> str:
    """The coordinate as it was written in the imported file while it still holds, else 6 decimals."""
    try:
        if text is not None and abs(float(text) - value) < 1e-9:
            return text
    except ValueError:
        pass
    return f"{value:.6f}"


def _capacity_text(text: str | None, capacity: int) -> str:
    if text is not None and (text == str(capacity) or (text == "" and capacity == 0)):
        return text
    return str(capacity)


# 国土地理院 指定緊急避難場所・指定避難所データ (UTF-8 with BOM).
GSI_EMERGENCY_HEADER = ("NO", "共通ID", "都道府県名及び市町村名", "施設・場所名", "住所", "洪水",
                        "崖崩れ、土石流及び地滑り", "高潮", "地震", "津波", "大規模な火事", "内水氾濫", "火山現象",
                        "指定避難所との住所同一", "緯度", "経度", "備考")
GSI_SHELTER_HEADER = ("NO", "共通ID", "都道府県名及び市町村名", "施設・場所名", "住所", "指定緊急避難場所との住所同一",
                      "その他市町村長が必要と認める事項", "受入対象者", "緯度", "経度", "備考")
GSI_MARKS = ("", "◎", "○", "1")


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


def read_gsi(data: bytes, municipality_name: str) -> list[GsiRecord]:
    """Rows of a 国土地理院 CSV (either list, told apart by its header) of this municipality, or a
    ValidationError listing each problem with line and column."""
    rows = list(csv.reader(io.StringIO(decode_spreadsheet_text(data, "国土地理院のCSV"))))
    header = tuple(rows[0]) if rows else ()
    if header not in (GSI_EMERGENCY_HEADER, GSI_SHELTER_HEADER):
        raise ValidationError("見出し行が国土地理院の指定緊急避難場所・指定避難所のCSVと一致しません。",
                              code="header_mismatch")
    emergency = header == GSI_EMERGENCY_HEADER
    problems, records = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(_problem(line, "", f"列の数が{len(row)}です（{len(header)}列必要）。"))
            continue
        values = dict(zip(header, row, strict=True))
        before = len(problems)
        if values["都道府県名及び市町村名"] != municipality_name:
            problems.append(_problem(line, "都道府県名及び市町村名", f"「{values['都道府県名及び市町村名']}」は"
                                     f"この団体（{municipality_name}）ではありません。"))
        lat, lon = _required_and_position(line, values, ("共通ID", "施設・場所名", "住所"), problems)
        hazard_names = [c.removeprefix("災害種別_") for c in HAZARD_COLUMNS] if emergency else []
        for name in hazard_names:
            if values[name] not in GSI_MARKS:
                problems.append(_problem(line, name, f"{name}は「◎」または空欄です（値: {values[name]}）。"))
        if len(problems) == before:
            kind = "指定緊急避難場所" if emergency else "指定避難所"
            records.append(GsiRecord(line, values["共通ID"].strip(), values["施設・場所名"].strip(),
                                     values["住所"].strip(), lat, lon, kind,
                                     [name for name in hazard_names if values[name]]))
    if problems:
        raise ValidationError(f"{len(problems)}件の誤りがあるため取り込みませんでした。", code="invalid_rows",
                              details={"problems": problems[:MAX_PROBLEMS]})
    return records
