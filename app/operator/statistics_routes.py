"""証明書交付の統計・精算 across municipalities for the operator (J-LIS): counts per
municipality, what each store operator is owed, and the CSV/XLSX downloads. Aggregates only."""
from __future__ import annotations

from flask import render_template, request

from app.certificates.statistics import services as statistics
from app.certificates.statistics.exports import OPERATOR_TABLES, table_for
from app.downloads import spreadsheet_response
from app.extensions import db
from app.operator import bp
from app.tenants import services as tenant_services
from app.web import current_actor, screen_required


def _names() -> dict[str, str]:
    return {m.lg_code: m.full_name for m in tenant_services.list_municipalities(db.session)}


@bp.get("/operator/statistics")
@screen_required("operator")
def statistics_page():
    month = statistics.parse_month(request.args.get("month"))
    result = statistics.operator_statistics(db.session, month)
    return render_template("operator/statistics.html", month=month, months=statistics.month_choices(month),
                           names=_names(), stats=result.overall, per_municipality=result.per_municipality)


@bp.get("/operator/settlement")
@screen_required("operator")
def settlement_page():
    month = statistics.parse_month(request.args.get("month"))
    return render_template("operator/settlement.html", month=month, months=statistics.month_choices(month),
                           names=_names(), settlement=statistics.operator_settlement(db.session, month))


@bp.get("/operator/statistics/<table>.<file_format>")
@screen_required("operator")
def statistics_export(table: str, file_format: str):
    month = statistics.parse_month(request.args.get("month"))
    chosen = table_for(OPERATOR_TABLES, table, file_format)
    statistics.record_export(db.session, current_actor(), table, month, file_format)
    return spreadsheet_response(f"{chosen.stem}_{month.key}", chosen.sheet, chosen.header,
                                lambda session: chosen.rows(session, month), file_format,
                                request.args.get("encoding", "utf-8-sig"), chosen.widths)
