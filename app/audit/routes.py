"""監査ログ: the administrator's viewer with filters, and CSV export."""
from __future__ import annotations

import json
from datetime import datetime

from flask import Response, render_template, request

from app.audit import bp, details, services
from app.audit.forms import AuditFilterForm
from app.clock import JST
from app.db import get_scope
from app.errors import ValidationError
from app.extensions import db
from app.inputs import page_number
from app.web import current_actor, screen_required

PAGE_SIZE = 50


def _filter_from_request() -> tuple[AuditFilterForm, services.AuditFilter]:
    form = AuditFilterForm(request.args)
    if request.args and not form.validate():
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        raise ValidationError(f"検索条件に誤りがあります: {errors}")
    flt = services.AuditFilter(date_from=form.date_from.data, date_to=form.date_to.data,
                               login_id=(form.login_id.data or "").strip(), action=form.action.data or "",
                               target_type=(form.target_type.data or "").strip(),
                               target_id=(form.target_id.data or "").strip())
    return form, flt


@bp.get("/admin/audit")
@screen_required("audit")
def index():
    form, flt = _filter_from_request()
    page = page_number(request.args, PAGE_SIZE)
    entries, has_next = services.search(db.session, flt, page=page, page_size=PAGE_SIZE)
    services.record(db.session, current_actor(), "audit_view", "audit_log", [], page=page,
                    filters=_describe(flt))
    return render_template("audit/index.html", form=form, entries=entries, page=page, has_next=has_next,
                           actions=services.ACTIONS, detail_items=details.detail_items,
                           target_item=details.target_item, raw_detail=_raw_detail)


def _raw_detail(entry) -> str:
    """The entry as recorded (detail and every target id), for administrators who need the codes."""
    return json.dumps({"target_ids": entry.target_ids or [], "detail": entry.detail or {}}, ensure_ascii=False,
                      indent=1)


@bp.get("/admin/audit.csv")
@screen_required("audit")
def export_csv():
    form, flt = _filter_from_request()
    encoding = "cp932" if form.encoding.data == "cp932" else "utf-8-sig"
    services.record(db.session, current_actor(), "audit_export", "audit_log", [], filters=_describe(flt),
                    encoding=encoding)
    filename = f"audit_log_{datetime.now(JST):%Y%m%d_%H%M%S}.csv"
    charset = "shift_jis" if encoding == "cp932" else "utf-8"
    # The CSV streams after the request's session has ended, so it reads through a session of its own.
    export_session = db.new_session(get_scope(db.session))

    def generate():
        try:
            yield from services.iter_csv(export_session, flt, encoding)
        finally:
            export_session.close()

    return Response(generate(), mimetype=f"text/csv; charset={charset}",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _describe(flt: services.AuditFilter) -> dict:
    return {k: str(v) for k, v in vars(flt).items() if v}
