"""The デジタル庁 推奨データセット (指定緊急避難場所一覧) for shelters: read and write, losslessly.

Reading accepts the files municipalities publish: any header made of standard column names, in
any order, that has the required ones; 団体コード and the other fixed-width codes that a
spreadsheet saved without their leading zero are restored and reported. It checks every row
(codes and their check digits, coordinates, the "1"-or-empty flags, capacity) and returns all the
problems at once with line and column; writing puts each value back in its column. The columns
BCL keeps as fields (ID, 名称, 所在地, 電話番号, 災害種別, 想定収容人数, 緯度・経度) are taken from
the shelter; every other column from what was imported (``Shelter.open_data``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.errors import ValidationError
from app.query_params import INTEGER_MAX
from app.shelters import csvcheck
from app.shelters.csvcheck import problem
from app.tenants.rules import lg_code_problem

HAZARD_COLUMNS = ("災害種別_洪水", "災害種別_崖崩れ、土石流及び地滑り", "災害種別_高潮", "災害種別_地震",
                  "災害種別_津波", "災害種別_大規模な火事", "災害種別_内水氾濫", "災害種別_火山現象")
HEADER = ("全国地方公共団体コード", "ID", "名称", "名称_カナ", "名称_英字", "所在地_全国地方公共団体コード",
          "町字ID", "所在地_連結表記", "所在地_都道府県", "所在地_市区町村", "所在地_町字", "所在地_番地以下",
          "建物名等(方書)", "緯度", "経度", "標高", "電話番号", "内線番号", "連絡先メールアドレス", "連絡先FormURL",
          "連絡先備考（その他、SNSなど）", "郵便番号", "市区町村コード", "地方公共団体名", *HAZARD_COLUMNS,
          "指定避難所との重複", "想定収容人数", "対象となる町会・自治会", "URL", "画像", "画像_ライセンス", "備考")
FLAG_COLUMNS = (*HAZARD_COLUMNS, "指定避難所との重複")
DATASET_NAME = "推奨データセット（指定緊急避難場所一覧）"
# A file may leave out any other column; these it must have.
REQUIRED_COLUMNS = ("全国地方公共団体コード", "ID", "名称", "所在地_連結表記", "緯度", "経度", *FLAG_COLUMNS)
# 団体コード columns (6 digits with check digit), and every fixed-width code with its width: the
# widths say how many leading zeros a spreadsheet may have dropped.
LG_CODE_COLUMNS = ("全国地方公共団体コード", "所在地_全国地方公共団体コード", "市区町村コード")
CODE_WIDTHS = {**dict.fromkeys(LG_CODE_COLUMNS, 6), "町字ID": 7, "郵便番号": 7}
# Text columns kept as the shelter's own fields (column -> attribute).
TEXT_FIELDS = {"ID": "code", "名称": "name", "名称_カナ": "name_kana", "所在地_連結表記": "address",
               "電話番号": "phone"}
# Columns kept as the shelter's own fields (the rest go to open_data as they came).
FIELD_COLUMNS = ("全国地方公共団体コード", *TEXT_FIELDS, "緯度", "経度", *HAZARD_COLUMNS, "想定収容人数")


@dataclass
class ShelterRecord:
    """One row: the shelter's fields its columns fill, and the other columns as they came."""

    line: int
    code: str
    lat: float
    lon: float
    hazards: list[str]
    fields: dict[str, object] = field(default_factory=dict)
    other: dict[str, str] = field(default_factory=dict)


@dataclass
class Dataset:
    """The rows of a file, and the values repaired while reading it (each a line/column/message)."""

    records: list[ShelterRecord]
    repairs: list[dict]


def read_dataset(data: bytes, lg_code: str) -> Dataset:
    """Every row of the file, or a ValidationError listing each problem (file is UTF-8 with or
    without BOM, or CP932). The header may hold any of the standard columns in any order, as long
    as the required ones are there; codes a spreadsheet saved without their leading zero are
    restored and reported as repairs."""
    rows = csvcheck.numbered_rows(data, "避難所一覧")
    columns = read_header(next(rows, (1, []))[1])
    problems, repairs, records, seen = [], [], [], {}
    id_index = columns.index("ID")
    for line, row in rows:
        if csvcheck.is_blank(row):
            continue
        code = row[id_index].strip() if len(row) == len(columns) else ""
        if code and (first := seen.setdefault(code, line)) != line:
            problems.append(problem(line, "ID", f"ID {code} が{first}行目と重複しています。"))
        if (record := _record(line, columns, row, lg_code, problems, repairs)) is not None:
            records.append(record)
    csvcheck.refuse(problems)
    return Dataset(records, repairs)


def read_header(header: list[str]) -> tuple[str, ...]:
    """The columns of a header made of standard column names (any order, required ones present),
    or a ValidationError naming each unknown, repeated or missing column."""
    columns = tuple(cell.strip() for cell in header)
    problems = []
    for number, column in enumerate(columns, start=1):
        if not column:
            problems.append(problem(1, f"{number}列目", f"{number}列目の見出しが空です。"))
        elif column not in HEADER:
            problems.append(problem(1, column, f"「{column}」は{DATASET_NAME}の列名ではありません。"))
        elif column in columns[:number - 1]:
            problems.append(problem(1, column, f"列「{column}」が2回あります。"))
    problems += [problem(1, column, f"必須の列「{column}」がありません。")
                 for column in REQUIRED_COLUMNS if column not in columns]
    if problems:
        raise ValidationError(f"見出し行が{DATASET_NAME}の列と合わないため取り込みませんでした。",
                              code="header_mismatch", details={"problems": problems})
    return columns


def restore_leading_zeros(value: str, width: int) -> str:
    """A fixed-width code as written, with the leading zeros a spreadsheet dropped put back
    (``92011`` → ``092011``); anything but digits is left for the checks to report."""
    text = value.strip()
    return text.zfill(width) if text.isascii() and text.isdigit() and len(text) < width else text


def _restore_codes(line: int, values: dict[str, str], repairs: list[dict]) -> None:
    for column in CODE_WIDTHS.keys() & values.keys():
        written, restored = values[column], restore_leading_zeros(values[column], CODE_WIDTHS[column])
        if restored != written.strip():
            repairs.append(problem(line, column, f"「{written}」の先頭に0を補い「{restored}」としました。"))
        values[column] = restored


def _record(line: int, columns: tuple[str, ...], row: list[str], lg_code: str, problems: list[dict],
            repairs: list[dict]) -> ShelterRecord | None:
    if len(row) != len(columns):
        problems.append(problem(line, "", f"列の数が{len(row)}です（見出しは{len(columns)}列）。"))
        return None
    values = dict(zip(columns, row, strict=True))
    before = len(problems)
    _restore_codes(line, values, repairs)
    problems += csvcheck.text_problems(line, values, TEXT_FIELDS)
    _check_codes(line, values, lg_code, problems)
    lat, lon = csvcheck.required_and_position(line, values, ("ID", "名称", "所在地_連結表記"), problems)
    for column in FLAG_COLUMNS:
        if values[column] not in ("", "1"):
            problems.append(problem(line, column, f"{column}は「1」または空欄です（値: {values[column]}）。"))
    capacity = values.get("想定収容人数", "").strip()
    # The capacity column is a PostgreSQL integer; ten digits at most, so int() never meets its limit.
    if capacity and not (re.fullmatch(r"[0-9]{1,10}", capacity) and int(capacity) <= INTEGER_MAX):
        problems.append(problem(line, "想定収容人数", f"想定収容人数は0以上の整数です（値: {capacity}）。"))
    if len(problems) > before:
        return None
    fields = csvcheck.text_fields(values, TEXT_FIELDS)
    code = fields.pop("code")
    other = {k: v for k, v in values.items() if k not in FIELD_COLUMNS}
    other |= {"@緯度": values["緯度"], "@経度": values["経度"]}
    if "想定収容人数" in values:
        fields["capacity"], other["@想定収容人数"] = int(capacity or 0), capacity
    return ShelterRecord(line=line, code=code, lat=lat, lon=lon,
                         hazards=[c.removeprefix("災害種別_") for c in HAZARD_COLUMNS if values[c] == "1"],
                         fields=fields, other=other)


def _check_codes(line: int, values: dict[str, str], lg_code: str, problems: list[dict]) -> None:
    """Every 団体コード given is a valid code; the 全国地方公共団体コード is this municipality's."""
    for column in LG_CODE_COLUMNS:
        value = values.get(column, "")
        if not value:
            if column == "全国地方公共団体コード":
                problems.append(problem(line, column, f"{column}が空です。"))
        elif reason := lg_code_problem(value):
            problems.append(problem(line, column, reason))
        elif column == "全国地方公共団体コード" and value != lg_code:
            problems.append(problem(line, column, f"団体コード {value} はこの団体（{lg_code}）のものではありません。"))


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
    """The capacity as written in the imported file while it still holds; none known (0, never
    written) stays empty."""
    if text is not None and (text == str(capacity) or (text == "" and capacity == 0)):
        return text
    return str(capacity) if capacity else ""
