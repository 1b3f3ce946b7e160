"""証明書交付の統計・精算 for the municipality's staff: the month's counts, shares and settlement
with charts, and their CSV/XLSX downloads (aggregates only; downloads are audited)."""
from __future__ import annotations

from flask import render_template, request

from app.certificates import bp
from app.certificates.statistics import services
from app.certificates.statistics.exports import STAFF_TABLES, table_for
from app.downloads import spreadsheet_response
from app.extensions import db
from app.web import current_actor, screen_required

SCREEN = "certificates"


@bp.get("/certificates/statistics")
@screen_required(SCREEN)
def statistics_page():
    month = services.parse_month(request.args.get("month"))
    return render_template("certificates/statistics.html", month=month, months=services.month_choices(month),
                           stats=services.monthly_statistics(db.session, month),
                           settlement=services.municipality_settlement(db.session, month))


@bp.get("/certificates/statistics/<table>.<file_format>")
@screen_required(SCREEN)
def statistics_export(table: str, file_format: str):
    month = services.parse_month(request.args.get("month"))
    chosen = table_for(STAFF_TABLES, table, file_format)
    actor = current_actor()
    services.record_export(db.session, actor, table, month, file_format)
    return spreadsheet_response(f"{actor.lg_code}_{chosen.stem}_{month.key}", chosen.sheet, chosen.header,
                                lambda session: chosen.rows(session, month), file_format,
                                request.args.get("encoding", "utf-8-sig"), chosen.widths)
