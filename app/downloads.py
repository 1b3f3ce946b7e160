"""Spreadsheet downloads for the web screens: CSV streamed after the request, or one XLSX file.

The rows are read through a session of its own (the request's session ends before a streamed
response does), in the tenant scope of the request.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote

from flask import Response
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import Session

from app.clock import today_in_japan
from app.db import get_scope
from app.exports import ENCODINGS, PrintMarking, iter_csv, xlsx_bytes
from app.extensions import db
from app.tenants.services import get_municipality

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_response(stem: str, sheet: str, header: Sequence[str], rows: Callable[[Session], Iterable[Sequence]],
                         file_format: str, encoding: str = "utf-8-sig", widths: Sequence[int] = (),
                         marking: PrintMarking | None = None) -> Response:
    """``stem``.csv (UTF-8 with BOM or CP932) or ``stem``.xlsx of ``rows(session)``; a roster of
    people passes its ``marking`` for the printed pages of the XLSX."""
    export_session = db.new_session(get_scope(db.session))
    if file_format == "xlsx":
        try:
            data = xlsx_bytes(sheet, header, rows(export_session), widths=widths, marking=marking)
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


def internal_marking() -> PrintMarking:
    """The printed-page marking of a roster for the municipality's own use: its name and the
    department of the member of staff who makes it, today (in Japan)."""
    municipality = get_municipality(db.session, current_user.lg_code)
    return PrintMarking.internal(municipality.full_name, current_user.department or "", today_in_japan())


def provision_marking(recipient: str) -> PrintMarking:
    """The printed-page marking of a roster given to ``recipient``, made today (in Japan)."""
    return PrintMarking.provision(recipient, today_in_japan())


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string for a ``<style>`` block (a print page's margin boxes): every
    character that could end the string, the rule or the element is written as a CSS escape."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>&\'\n\r' else ch for ch in text)
    return Markup(f'"{escaped}"')


def attachment(body, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
