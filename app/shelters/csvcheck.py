"""What every shelter file shares: decoding, numbered rows, and the checks of a row's values.

A problem is a dict ``{"line", "column", "message"}``; readers collect them all and refuse the file
with the whole list, so that staff correct everything in one pass.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from app.errors import ValidationError
from app.exports import decode_spreadsheet_text
from app.shelters.models import Shelter

MAX_PROBLEMS = 200
# The shelter's text fields are bounded by their columns; a longer value is reported, not cut.
FIELD_LENGTHS = {attr: Shelter.__table__.c[attr].type.length for attr in ("code", "name", "name_kana", "address",
                                                                           "phone")}
LATITUDES, LONGITUDES = (20, 46), (122, 154)


def problem(line: int, column: str, message: str) -> dict:
    return {"line": line, "column": column, "message": message}


def refuse(problems: list[dict]) -> None:
    """Refuse the whole file when any problem was found."""
    if problems:
        raise ValidationError(f"{len(problems)}件の誤りがあるため取り込みませんでした。", code="invalid_rows",
                              details={"problems": problems[:MAX_PROBLEMS]})


def numbered_rows(data: bytes, what: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for each record of an uploaded CSV (UTF-8 with or without BOM, or CP932), the
    header being line 1. A record the csv module cannot read (a value over its field limit) is
    refused with its line."""
    reader = csv.reader(io.StringIO(decode_spreadsheet_text(data, what)))
    line = 0
    while True:
        line += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValidationError(f"{what}の{line}行目を読めません（値が長すぎるか、CSVの形式が崩れています）。",
                                  code="unreadable_row", details={"problems": [problem(line, "", str(exc))]}) from exc
        yield line, row


def is_blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def text_fields(values: dict[str, str], fields: dict[str, str]) -> dict[str, str]:
    """The shelter's text fields a row fills (``fields``: column -> attribute), as they are stored:
    without the spaces around them (ideographic ones included). The length check measures these
    same values, so a value that passes it fits its column."""
    return {attr: values[column].strip() for column, attr in fields.items() if column in values}


def text_problems(line: int, values: dict[str, str], fields: dict[str, str]) -> list[dict]:
    """NUL characters anywhere (the database refuses them) and text fields (``fields``: column ->
    attribute) longer than their column once stored."""
    found = [problem(line, column, f"{column}に使えない制御文字（NUL）が含まれています。")
             for column, value in values.items() if "\x00" in value]
    stored = text_fields(values, fields)
    found += [problem(line, column, f"{column}は{FIELD_LENGTHS[attr]}文字までです（{len(stored[attr])}文字）。")
              for column, attr in fields.items() if attr in stored and len(stored[attr]) > FIELD_LENGTHS[attr]]
    return found


def required_and_position(line: int, values: dict[str, str], required: tuple[str, ...],
                          problems: list[dict]) -> tuple[float | None, float | None]:
    """Report empty required columns and coordinates outside Japan; the (lat, lon) read."""
    for column in required:
        if not values[column].strip():
            problems.append(problem(line, column, f"{column}が空です。"))
    lat, lon = coordinate(values["緯度"], *LATITUDES), coordinate(values["経度"], *LONGITUDES)
    if lat is None or lon is None:
        problems.append(problem(line, "緯度" if lat is None else "経度", "緯度・経度は日本国内の10進数の度です。"))
    return lat, lon


def coordinate(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if low <= value <= high else None
