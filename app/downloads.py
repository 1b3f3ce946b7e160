"""Spreadsheet downloads for the web screens: CSV streamed after the request, or one XLSX file.

The rows are read through a session of its own (the request's session ends before a streamed
response does), in the tenant scope of the request.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote

from flask import Response
from sqlalchemy.orm import Session

from app.db import get_scope
from app.exports import ENCODINGS, iter_csv, xlsx_bytes
from app.extensions import db

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_response(stem: str, sheet: str, header: Sequence[str], rows: Callable[[Session], Iterable[Sequence]],
                         file_format: str, encoding: str = "utf-8-sig", widths: Sequence[int] = ()) -> Response:
    """``stem``.csv (UTF-8 with BOM or CP932) or ``stem``.xlsx of ``rows(session)``."""
    export_session = db.new_session(get_scope(db.session))
    if file_format == "xlsx":
        try:
            data = xlsx_bytes(sheet, header, rows(export_session), widths=widths)
        finally:
            export_session.close()
        return attachment(data, f"{stem}.xlsx", XLSX_TYPE)
    encoding = encoding if encoding in ENCODINGS else "utf-8-sig"

    def stream():
        try:
            yield from iter_csv(header, rows(export_session), encoding)
        finally:
            export_session.close()

    charset = "shift_jis" if encoding == "cp932" else "utf-8"
    return attachment(stream(), f"{stem}.csv", f"text/csv; charset={charset}")


def attachment(body, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
