"""Spreadsheet outputs shared by every roster and list: CSV (UTF-8 with BOM or CP932) and XLSX.

Japanese Excel opens both CSV encodings; characters CP932 cannot hold (𠮷, 外字) become numeric
character references rather than vanishing. XLSX files have a styled, frozen header row with
filters and print on A4 landscape, fitted to the page width, with the header on every page.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

ENCODINGS = {"utf-8-sig": "UTF-8（BOM付き）", "cp932": "Shift_JIS（CP932）"}
CHUNK = 64_000


def iter_csv(header: Sequence[str], rows: Iterable[Sequence], encoding: str = "utf-8-sig") -> Iterator[bytes]:
    """The rows as CSV bytes (CRLF), in chunks of about 64 kB, so large outputs stream."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown CSV encoding {encoding!r}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    first = True
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > CHUNK:
            yield encode_chunk(buffer, encoding, first)
            first = False
    yield encode_chunk(buffer, encoding, first)


def encode_chunk(buffer: io.StringIO, encoding: str, first: bool) -> bytes:
    """Empty ``buffer`` into bytes of ``encoding``; the first UTF-8 chunk starts with the BOM."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    if encoding == "cp932":
        return text.encode("cp932", errors="xmlcharrefreplace")
    data = text.encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if first else data


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int] = ()) -> bytes:
    """One sheet named ``title``: bold shaded header, filters, frozen first row, A4 landscape."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, _ in enumerate(header, start=1):
        width = widths[index - 1] if index <= len(widths) else 14
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_header_cell(sheet, name) for name in header])
    count = 0
    for row in rows:
        sheet.append(list(row))
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header_cell(sheet, name: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=name)
    cell.font = Font(bold=True, color="FFFFFF")
    cell.fill = PatternFill("solid", fgColor="1D4F91")
    cell.alignment = Alignment(vertical="center", wrap_text=True)
    return cell


def decode_spreadsheet_text(data: bytes, what: str) -> str:
    """The text of an uploaded CSV in UTF-8 (with or without BOM) or CP932, as Japanese offices
    save them; anything else is refused naming ``what`` was being read."""
    from app.errors import ValidationError

    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp932")
        except UnicodeDecodeError as exc:
            raise ValidationError(f"{what}の文字コードを読めません（UTF-8 または Shift_JIS）。",
                                  code="encoding") from exc
