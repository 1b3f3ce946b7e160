"""Spreadsheet outputs shared by every roster and list: CSV (UTF-8 with BOM or CP932) and XLSX.

Japanese Excel opens both CSV encodings; characters CP932 cannot hold (𠮷, 外字) become numeric
character references rather than vanishing. XLSX files have a styled, frozen header row with
filters and print on A4 landscape, fitted to the page width, with the header row on every page and
「n / N ページ」 in the footer; a roster's pages also carry its ``PrintMarking`` (取扱注意, the
recipient, the date in 和暦) in the page header and footer.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.clock import format_date

ENCODINGS = {"utf-8-sig": "UTF-8（BOM付き）", "cp932": "Shift_JIS（CP932）"}
CHUNK = 64_000
HANDLE_WITH_CARE = "取扱注意（個人情報）"
# Excel's header/footer codes: &P the page, &N the number of pages.
XLSX_PAGE_NUMBERS = "&P / &N ページ"


@dataclass(frozen=True)
class PrintMarking:
    """What every printed page of a roster of people carries, on paper from Excel or the browser:
    取扱注意（個人情報）, whom the roster is for, the day it was made (和暦) and page numbers."""

    recipient: str  # 「提供先 桜ヶ丘消防署」, or 「宮城県桜ヶ丘町 福祉課（庁内）」 for the municipality's own use
    made_on: date

    @property
    def caution(self) -> str:
        return HANDLE_WITH_CARE

    @property
    def made_on_text(self) -> str:
        """「令和8年11月26日 出力」"""
        return f"{format_date(self.made_on)} 出力"

    @classmethod
    def provision(cls, recipient: str, made_on: date) -> PrintMarking:
        """The marking of a roster given to ``recipient`` (a recorded provision)."""
        return cls(f"提供先 {recipient}", made_on)

    @classmethod
    def internal(cls, municipality: str, department: str, made_on: date) -> PrintMarking:
        """The marking of a roster for the municipality's own use, named by the department printing it."""
        return cls(f"{' '.join(part for part in (municipality, department) if part)}（庁内）", made_on)


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


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int] = (),
               marking: PrintMarking | None = None) -> bytes:
    """One sheet named ``title``: bold shaded header, filters, frozen first row, A4 landscape fitted
    to the width with the header row on every printed page and page numbers; ``marking`` adds
    取扱注意, the recipient and the date to every page's header and footer."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    # A write-only sheet writes its properties (fit to page among them) with the first row: set them first.
    _print_setup(sheet, marking)
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
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _print_setup(sheet, marking: PrintMarking | None) -> None:
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.oddFooter.center.text = XLSX_PAGE_NUMBERS
    if marking is not None:
        sheet.oddHeader.left.text = _literal(marking.caution)
        sheet.oddHeader.right.text = _literal(marking.recipient)
        sheet.oddFooter.left.text = _literal(marking.made_on_text)


def _literal(text: str) -> str:
    """``text`` as header/footer text: a lone & would start a code (&P, &N, &D…)."""
    return text.replace("&", "&&")


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
